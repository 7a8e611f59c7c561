import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { processAuditVerdict } from '../../../../src/evaluate/kube-bench/process-audit.js';
import { parseFacts } from '../../../../src/facts/parse-facts.js';
import type { ManifestChange } from '../../../../src/model/change.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import type { Benchmark, EnsureControl } from '../../../../src/playbook/types.js';
import { changesOf, planControls } from '../support/plan-node.js';

const facts = parseFacts('cp-1', readFileSync(fileURLToPath(new URL('../../facts/fixtures/kubeadm-control-plane.out', import.meta.url))));
let benchmark: Benchmark;
beforeAll(async () => {
  benchmark = await loadBenchmark('cis-1.12');
});

function plan(only: string[], parameters: Record<string, string | boolean> = {}) {
  return planControls(benchmark, only, { name: 'cp-1', roles: ['control-plane', 'etcd'], facts, parameters });
}

describe('the static-pod-manifest kind', () => {
  it("fails kubeadm's missing --profiling=false on kube-bench's reading and plans the manifest edit", () => {
    const { findings, changes } = plan(['1.2.15']);
    expect(findings[0]).toMatchObject({ controlId: '1.2.15', status: 'fail', fixable: true, kubeBench: 'FAIL' });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: 'static-pod-manifest', restart: 'kube-apiserver', controlIds: ['1.2.15'] });
    expect(changes[0]!.diff).toContain('+    - --profiling=false');
    expect((changes[0] as ManifestChange).after.argv).toContain('--profiling=false');
  });

  it('passes what kubeadm already sets', () => {
    expect(plan(['1.2.6']).findings[0]).toMatchObject({ status: 'pass', kubeBench: 'PASS' });
  });

  it('merges every control of one component into one change, and orders components etcd first', () => {
    const { changes } = plan(['1.2.15', '1.3.2', '1.4.1']);
    expect(changesOf(changes, 'static-pod-manifest').map((c) => c.restart)).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
  });

  it('asks for an opt-in instead of enabling AlwaysPullImages on its own', () => {
    expect(plan(['1.2.11']).findings[0]).toMatchObject({ status: 'fail', fixable: false, decisionParameter: 'enableAlwaysPullImages' });
  });

  it('refuses a CA flag naming a file the node does not have', () => {
    const [finding] = plan(['1.2.5'], { kubeletCertificateAuthority: '/etc/kubernetes/pki/missing-ca.crt' }).findings;
    expect(finding).toMatchObject({ status: 'fail', fixable: false });
    expect(finding?.notFixableReason).toMatch(/missing-ca\.crt, which does not exist on this node/);
  });
});

describe('processAuditVerdict', () => {
  it("judges kube-bench's grep of the running command line, and a planned one", () => {
    const control = benchmark.controls.find((c) => c.id === '1.2.15') as EnsureControl;
    expect(processAuditVerdict(control.kubeBench, facts)).toBe('FAIL');
    const argv = [...facts.components['kube-apiserver']!.argv, '--profiling=false'];
    expect(processAuditVerdict(control.kubeBench, facts, { component: 'kube-apiserver', argv })).toBe('PASS');
  });
});
