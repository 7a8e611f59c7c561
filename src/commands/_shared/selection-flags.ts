import { Flags } from '@oclif/core';
import { BENCHMARK_IDS, type BenchmarkId, type KubeBenchTarget } from '../../playbook/types.js';
import { createProgress } from '../../render/progress.js';
import type { PlanRequest } from '../../services/plan.js';
import { concurrencyFlag, inventoryFlag } from './base-command.js';

/** The flags that choose what a plan covers; shared by plan, apply and drift. */
export const selectionFlags = {
  inventory: inventoryFlag,
  benchmark: Flags.string({ summary: "Benchmark to check against (default: the inventory's, else auto).", options: ['auto', ...BENCHMARK_IDS] }),
  targets: Flags.string({
    summary: 'Only these kube-bench targets (comma-separated).',
    options: ['master', 'etcd', 'node', 'policies', 'controlplane'],
    delimiter: ',',
    multiple: true,
  }),
  only: Flags.string({ summary: 'Only these controls: ids or globs such as 4.1.* (comma-separated).', delimiter: ',', multiple: true }),
  skip: Flags.string({ summary: 'Skip these controls: ids or globs (comma-separated).', delimiter: ',', multiple: true }),
  nodes: Flags.string({ summary: 'Only these nodes (comma-separated names).', delimiter: ',', multiple: true }),
  concurrency: concurrencyFlag,
};

/** The values of selectionFlags after parsing. */
export interface SelectionValues {
  readonly benchmark?: string | undefined;
  readonly targets?: string[] | undefined;
  readonly only?: string[] | undefined;
  readonly skip?: string[] | undefined;
  readonly nodes?: string[] | undefined;
  readonly concurrency: number;
}

/**
 * The plan request the selection flags describe, with a progress bar for
 * the fact gathering on stderr; call `progressDone` once the plan is made.
 */
export function planRequestFrom(inventoryFile: string, flags: SelectionValues): { readonly request: PlanRequest; readonly progressDone: () => void } {
  let progress = createProgress('Gathering facts', 0, process.stderr);
  const request: PlanRequest = {
    inventoryFile,
    benchmark: flags.benchmark as 'auto' | BenchmarkId | undefined,
    targets: (flags.targets ?? []) as KubeBenchTarget[],
    only: flags.only ?? [],
    skip: flags.skip ?? [],
    ...(flags.nodes ? { nodes: flags.nodes } : {}),
    concurrency: flags.concurrency,
    onStart: (count) => (progress = createProgress('Gathering facts', count, process.stderr)),
    onNodeDone: (node) => progress.tick(node),
  };
  return { request, progressDone: () => progress.done() };
}
