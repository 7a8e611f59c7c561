import { Flags } from '@oclif/core';
import { concurrencyFlag, inventoryFlag } from './base-command.js';

/** The flags that choose what a plan covers; shared by plan, apply and drift. */
export const selectionFlags = {
  inventory: inventoryFlag,
  benchmark: Flags.string({ summary: 'Benchmark to check against (default: the inventory\'s, else auto).', options: ['auto', 'cis-1.12', 'cis-1.11'] }),
  targets: Flags.string({ summary: 'Only these kube-bench targets (comma-separated).', options: ['master', 'etcd', 'node', 'policies', 'controlplane'], delimiter: ',', multiple: true }),
  only: Flags.string({ summary: 'Only these controls: ids or globs such as 4.1.* (comma-separated).', delimiter: ',', multiple: true }),
  skip: Flags.string({ summary: 'Skip these controls: ids or globs (comma-separated).', delimiter: ',', multiple: true }),
  nodes: Flags.string({ summary: 'Only these nodes (comma-separated names).', delimiter: ',', multiple: true }),
  concurrency: concurrencyFlag,
};
