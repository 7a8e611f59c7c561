import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { controlFamily } from '../../../src/evaluate/control-family.js';
import { evaluateNode } from '../../../src/evaluate/evaluate-node.js';
import { NO_CHANGE_PLANNED } from '../../../src/evaluate/failing-finding.js';
import { selectControls } from '../../../src/evaluate/select-controls.js';
import { parseFacts } from '../../../src/facts/parse-facts.js';
import { loadBenchmark } from '../../../src/playbook/load-playbooks.js';
import { resolveParameters } from '../../../src/playbook/parameter-value.js';
import type { Benchmark } from '../../../src/playbook/types.js';

const stock = parseFacts('cp-1', readFileSync(fileURLToPath(new URL('../facts/fixtures/kubeadm-control-plane.out', import.meta.url))));
let benchmark: Benchmark;

beforeAll(async () => {
  benchmark = await loadBenchmark('cis-1.12');
});

function evaluate(only: string[], parameters = resolveParameters(benchmark, {}).values) {
  const controls = selectControls(benchmark, { targets: [], only, skip: [] });
  return evaluateNode(benchmark, controls, { name: 'cp-1', roles: ['control-plane', 'etcd'], facts: stock, parameters });
}

describe('evaluateNode', () => {
  it("judges file, static-pod flag and kubelet controls alike, with kube-bench's verdict for each", () => {
    const { findings } = evaluate(['1.1.1', '4.1.9', '1.2.15', '1.2.6', '4.2.1', '4.2.13']);
    expect(findings.map((f) => [f.controlId, f.status, f.kubeBench])).toEqual([
      ['1.1.1', 'pass', 'PASS'],
      ['4.1.9', 'fail', 'FAIL'],
      ['1.2.6', 'pass', 'PASS'],
      ['1.2.15', 'fail', 'FAIL'],
      ['4.2.1', 'pass', 'PASS'],
      ['4.2.13', 'fail', expect.any(String)],
    ]);
  });

  it('lists file controls first, then static-pod flags, then kubelet settings, then node-judged kube-proxy flags, each in benchmark order', () => {
    const ids = evaluate([]).findings.map((f) => f.controlId);
    const rank = { file: 0, 'static-pod': 1, kubelet: 2, 'kube-proxy': 3, cluster: 4 } as const;
    const family = (id: string) => rank[controlFamily(benchmark.controls.find((c) => c.id === id)!)];
    const order = (id: string) => benchmark.controls.findIndex((c) => c.id === id);
    expect(ids.length).toBeGreaterThan(60);
    expect(new Set(ids.map(family))).toEqual(new Set([0, 1, 2]));
    expect(ids).toEqual([...ids].sort((a, b) => family(a) - family(b) || order(a) - order(b)));
  });

  it('leaves every failing control unfixable until the plan decides, and proposes no change', () => {
    const evaluation = evaluate([]);
    const failing = evaluation.findings.filter((f) => f.status === 'fail');
    expect(failing.length).toBeGreaterThan(10);
    for (const f of failing) expect([f.controlId, f.fixable, typeof f.notFixableReason]).toEqual([f.controlId, false, 'string']);
    expect(failing.filter((f) => f.notFixableReason === NO_CHANGE_PLANNED).length).toBeGreaterThan(10);
    expect(Object.keys(evaluation).sort()).toEqual(['findings', 'variables']);
  });

  it('waives an opt-in kubelet setting the user declined', () => {
    const parameters = { ...resolveParameters(benchmark, {}).values, enableSeccompDefault: false };
    expect(evaluate(['4.2.14'], parameters).findings[0]).toMatchObject({ status: 'waived', decisionParameter: 'enableSeccompDefault' });
  });

  it('skips cluster-scoped controls: evaluateCluster judges them', () => {
    expect(evaluate(['5.1.1', '4.3.1']).findings).toEqual([]);
  });
});
