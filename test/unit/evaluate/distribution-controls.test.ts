import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluateNode } from '../../../src/evaluate/evaluate-node.js';
import { evaluateProviderManaged, isProviderManagedControl } from '../../../src/evaluate/provider-managed.js';
import { selectControls } from '../../../src/evaluate/select-controls.js';
import { parseFacts } from '../../../src/facts/parse-facts.js';
import type { NodeFacts, PathFacts } from '../../../src/facts/types.js';
import { loadBenchmark } from '../../../src/playbook/load-playbooks.js';
import type { Benchmark } from '../../../src/playbook/types.js';
import { planControls } from '../plan/support/plan-node.js';

const fixture = fileURLToPath(new URL('../facts/fixtures/kubeadm-control-plane.out', import.meta.url));
const stock = parseFacts('worker-1', readFileSync(fixture));
const EKS_KUBELET_CONFIG = '/etc/kubernetes/kubelet/kubelet-config.json';

let eks: Benchmark;
let gke: Benchmark;
let aks: Benchmark;
beforeAll(async () => {
  [eks, gke, aks] = await Promise.all([loadBenchmark('eks-1.8.0'), loadBenchmark('gke-1.9.0'), loadBenchmark('aks-1.8')]);
});

/** The kubeadm fixture with the kubelet config also where an EKS node image keeps it. */
function eksNode(mode: string): NodeFacts {
  const template = stock.paths['/var/lib/kubelet/config.yaml'];
  if (!template?.exists) throw new Error('fixture has no kubelet config');
  const entry: PathFacts = { ...template, path: EKS_KUBELET_CONFIG, mode };
  return { ...stock, paths: { ...stock.paths, [EKS_KUBELET_CONFIG]: entry } };
}

describe('the provider-managed controls of EKS, GKE and AKS', () => {
  it.each([
    ['eks-1.8.0', () => eks, 14],
    ['gke-1.9.0', () => gke, 33],
    ['aks-1.8', () => aks, 14],
  ] as const)("are reported once each for %s, as provider-managed with the benchmark's text, never fail", (_id, get, count) => {
    const findings = evaluateProviderManaged(get().controls);
    expect(findings).toHaveLength(count);
    for (const f of findings) {
      expect(f).toMatchObject({ status: 'provider-managed', node: undefined, fixable: false });
      const control = get().controls.find((c) => c.id === f.controlId);
      expect(control && isProviderManagedControl(control) && f.expected === control.providerManaged.guidance).toBe(true);
    }
  });

  it('are never evaluated on a node', () => {
    const controls = selectControls(eks, { targets: [], only: [], skip: [] });
    const { findings } = evaluateNode(eks, controls, { name: 'worker-1', roles: ['worker'], facts: eksNode('644'), parameters: {} });
    expect(findings.filter((f) => f.status === 'provider-managed' || f.controlId.startsWith('2.') || f.controlId.startsWith('5.'))).toEqual([]);
  });
});

describe('the EKS worker file controls', () => {
  const evaluate = (facts: NodeFacts) => planControls(eks, ['3.1.3', '3.1.4'], { name: 'worker-1', roles: ['worker'], facts, parameters: {} });

  it('check the kubelet config where the EKS node image keeps it, as kube-bench does', () => {
    const { findings, changes } = evaluate(eksNode('644'));
    expect(findings.map((f) => [f.controlId, f.status, f.kubeBench])).toEqual([
      ['3.1.3', 'pass', 'PASS'],
      ['3.1.4', 'pass', 'PASS'],
    ]);
    expect(changes).toEqual([]);
  });

  it('tighten a 0666 kubelet-config.json to 0644, and kube-bench passes after the plan', () => {
    const { findings, changes } = evaluate(eksNode('666'));
    expect(findings.find((f) => f.controlId === '3.1.3')).toMatchObject({ status: 'fail', fixable: true, kubeBench: 'FAIL' });
    expect(changes.map((c) => [c.target, c.diff])).toEqual([[EKS_KUBELET_CONFIG, 'mode 0666 -> 0644']]);
  });
});
