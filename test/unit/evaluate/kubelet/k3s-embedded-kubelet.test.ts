/**
 * The kubelet k3s runs inside its own process, judged from facts gathered on
 * the lab's drifted k3s server and agent: its command line is the
 * "Running kubelet" line of k3s's journal, k3s builds it from kubelet-arg
 * (the routing question), and kube-bench's verdict is its journal audit.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { evaluateNode } from '../../../../src/evaluate/evaluate-node.js';
import { effectiveKubeletSetting, kubeletView } from '../../../../src/evaluate/kubelet-setting.js';
import { describeKubeletValue } from '../../../../src/evaluate/kubelet-controls.js';
import { selectControls } from '../../../../src/evaluate/select-controls.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import type { Role } from '../../../../src/model/roles.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import { resolveParameters } from '../../../../src/playbook/parameter-value.js';
import type { Benchmark } from '../../../../src/playbook/types.js';
import { k3sFacts } from '../rancher/k3s-facts.js';

let benchmark: Benchmark;
beforeAll(async () => {
  benchmark = await loadBenchmark('k3s-cis-1.9');
});

function evaluate(facts: NodeFacts, roles: Role[], only: string[]) {
  const controls = selectControls(benchmark, { targets: [], only, skip: [] });
  return evaluateNode(benchmark, controls, { name: facts.node, roles, facts, parameters: resolveParameters(benchmark, {}).values }).findings;
}

describe("k3s's embedded kubelet", () => {
  it("is launched by k3s from kubelet-arg, not by a unit: no 'no kubelet.service' problem blocks its fixes", () => {
    const view = kubeletView(k3sFacts('cp-1'));
    expect(view.launcher).toMatchObject({ distribution: 'k3s', key: 'kubelet-arg', configFile: '/etc/rancher/k3s/config.yaml', problem: undefined });
    expect(view.argv).toMatchObject({ from: 'running', attributable: false });
    expect(view.argv.argv?.[0]).toBe('kubelet');
    expect(view.problems.filter((p) => p.blocking)).toEqual([]);
    expect(view.problems.map((p) => p.kind)).toEqual(['no-config-file']);
  });

  it('reads each setting from the journal line, located in the kubelet-arg entry that sets it, or as k3s or kubelet default', () => {
    const facts = k3sFacts('worker-1');
    const view = kubeletView(facts);
    const describe = (configKey: string, flag: string) => describeKubeletValue(effectiveKubeletSetting(facts, { configKey, flag }, view));
    expect(describe('readOnlyPort', '--read-only-port')).toBe('10255 (flag --read-only-port in /etc/rancher/k3s/config.yaml:5 (kubelet-arg))');
    expect(describe('rotateCertificates', '--rotate-certificates')).toBe('false (flag --rotate-certificates in /etc/rancher/k3s/config.yaml:7 (kubelet-arg))');
    // k3s's own default, on the line but in no kubelet-arg list.
    expect(describe('authorization.mode', '--authorization-mode')).toBe('Webhook (flag --authorization-mode)');
    expect(describe('makeIPTablesUtilChains', '--make-iptables-util-chains')).toBe('true (unset: the kubelet command-line default)');
  });

  it("judges 4.2.4, 4.2.6 and 4.2.10 on the value the kubelet uses, with kube-bench's journal verdict beside it", () => {
    const row = (f: { controlId: string; status: string; kubeBench?: string; stricterThanKubeBench?: string }) => [
      f.controlId,
      f.status,
      f.kubeBench,
      f.stricterThanKubeBench !== undefined,
    ];
    // The server: read-only-port=10255 and make-iptables-util-chains=false in kubelet-arg; rotate-certificates unset,
    // which kube-bench passes ("not set") and cis-fix fails (the kubelet's default is false).
    expect(evaluate(k3sFacts('cp-1'), ['control-plane', 'etcd'], ['4.2.4', '4.2.6', '4.2.10']).map(row)).toEqual([
      ['4.2.4', 'fail', 'FAIL', false],
      ['4.2.6', 'fail', 'FAIL', false],
      ['4.2.10', 'fail', 'PASS', true],
    ]);
    // The agent: read-only-port=10255 and rotate-certificates=false.
    expect(evaluate(k3sFacts('worker-1'), ['worker'], ['4.2.4', '4.2.6', '4.2.10']).map(row)).toEqual([
      ['4.2.4', 'fail', 'FAIL', false],
      ['4.2.6', 'pass', 'PASS', false],
      ['4.2.10', 'fail', 'FAIL', false],
    ]);
  });
});
