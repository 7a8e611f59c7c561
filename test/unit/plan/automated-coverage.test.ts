/**
 * Issue 4's promise, checked over both benchmarks on a recorded kubeadm
 * control-plane node: every automated control of 1.2, 1.3, 1.4, 2 and 4.2
 * either passes, or has a planned fix, or says why not (and, when it needs
 * one, which parameter would decide it).
 */

import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFacts } from '../../../src/facts/parse-facts.js';
import type { Finding } from '../../../src/model/finding.js';
import { loadBenchmark } from '../../../src/playbook/load-playbooks.js';
import { resolveParameters } from '../../../src/playbook/parameter-value.js';
import type { Benchmark, BenchmarkId } from '../../../src/playbook/types.js';
import { planControls } from './support/plan-node.js';

const facts = parseFacts('cp-1', readFileSync(fileURLToPath(new URL('../facts/fixtures/kubeadm-control-plane.out', import.meta.url))));
const SECTIONS = /^(1\.2|1\.3|1\.4|2|4\.2)\./;

const benchmarks = new Map<BenchmarkId, Benchmark>();
beforeAll(async () => {
  for (const id of ['cis-1.12', 'cis-1.11'] as const) benchmarks.set(id, await loadBenchmark(id));
});

function findings(id: BenchmarkId): { automated: string[]; findings: readonly Finding[] } {
  const benchmark = benchmarks.get(id)!;
  const automated = benchmark.controls.filter((c) => c.assessment === 'Automated' && SECTIONS.test(`${c.id}.`)).map((c) => c.id);
  const planned = planControls(benchmark, automated, {
    name: 'cp-1',
    roles: ['control-plane', 'etcd'],
    facts,
    parameters: resolveParameters(benchmark, {}).values,
  });
  return { automated, findings: planned.findings };
}

describe.each(['cis-1.12', 'cis-1.11'] as const)('%s automated controls of 1.2, 1.3, 1.4, 2 and 4.2', (id) => {
  it('each is decided on a kubeadm node: pass, a planned fix, or a stated reason', () => {
    const { automated, findings: all } = findings(id);
    expect(automated.length).toBeGreaterThan(40);
    // Every automated control of these sections is decided by the flag or kubelet planner.
    expect(all.map((f) => f.controlId).sort()).toEqual([...automated].sort());
    for (const f of all) {
      const verdict = f.status === 'pass' ? 'pass' : f.fixable ? 'fix' : f.notFixableReason && f.notFixableReason.length > 10 ? 'reason' : 'NO REASON';
      expect([f.controlId, verdict]).not.toEqual([f.controlId, 'NO REASON']);
      expect(['pass', 'fail', 'waived']).toContain(f.status);
    }
  });

  it('a control blocked on a decision names the parameter', () => {
    for (const f of findings(id).findings.filter((x) => x.status === 'fail' && !x.fixable && /parameter/.test(x.notFixableReason ?? ''))) {
      expect([f.controlId, typeof f.decisionParameter]).toEqual([f.controlId, 'string']);
    }
  });
});
