/**
 * aks-1.8 3.2.x on an AKS node (the lab's aks layout, built in memory):
 * kube-bench's $kubeletconf there is azure.json, the cloud config, so it
 * sees the kubelet's settings on the command line only. Each kubelet-setting
 * step is therefore fixed where kube-bench looks: a flag of KUBELET_FLAGS in
 * /etc/default/kubelet has its value rewritten in place, a missing one is
 * appended to KUBELET_FLAGS, and the --config file is kept from saying
 * otherwise. kube-bench passes every fixed control afterwards, and a second
 * plan finds nothing to do.
 */

import { beforeAll, describe, expect, it } from '@jest/globals';
import { kubeBenchReadsCommandLineOnly } from '../../../../src/evaluate/kubelet/command-line-setting.js';
import { kubeBenchKubeletVerdict } from '../../../../src/evaluate/kubelet/kube-bench-verdict.js';
import { resolveAllVariables } from '../../../../src/evaluate/resolve-variables.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import { planKubeletSettingFixes } from '../../../../src/plan/edits/kubelet-setting-fixes.js';
import type { Benchmark, EnsureControl, KubeletSettingStep, ParameterValue } from '../../../../src/playbook/types.js';
import { AKS_CA, AKS_DEFAULT_KUBELET, AKS_KUBELET_CONFIG, aksWorkerTexts } from '../../../lab/distributions/aks.js';
import { kubeletNode } from '../../evaluate/kubelet/support/kubelet-node.js';
import { benchmarkWithDefaults } from '../support/benchmark-with-defaults.js';

let benchmark: Benchmark;
let parameters: Readonly<Record<string, ParameterValue>>;
beforeAll(async () => {
  ({ benchmark, parameters } = await benchmarkWithDefaults('aks-1.8'));
});

const FIXED = ['3.2.1', '3.2.2', '3.2.3', '3.2.4', '3.2.5', '3.2.6', '3.2.8', '3.2.9'];

function aksNode(scenario: 'stock' | 'drifted', override: Record<string, string> = {}): NodeFacts {
  return kubeletNode({ files: { ...aksWorkerTexts(scenario), [AKS_CA]: '-----BEGIN CERTIFICATE-----\n', ...override } });
}

function control(id: string): EnsureControl {
  const found = benchmark.controls.find((c) => c.id === id);
  if (found?.fix !== 'ensure') throw new Error(id);
  return found;
}

function kubeletSteps(facts: NodeFacts): { key: string; step: KubeletSettingStep & { placement?: 'command-line' } }[] {
  return FIXED.flatMap((id) => {
    const c = control(id);
    const placement = kubeBenchReadsCommandLineOnly(c.kubeBench, facts, AKS_KUBELET_CONFIG) ? ('command-line' as const) : undefined;
    return c.ensure.flatMap((s, i) => (s.kind === 'kubelet-setting' ? [{ key: `${id}#${i}`, step: { ...s, placement } }] : []));
  });
}

const plan = (facts: NodeFacts) => planKubeletSettingFixes(facts, kubeletSteps(facts), parameters, resolveAllVariables(benchmark, facts));
const verdict = (id: string, facts: NodeFacts) => kubeBenchKubeletVerdict(control(id).kubeBench, facts).verdict;
const flagsLine = (text: string) => text.split('\n').find((l) => l.startsWith('KUBELET_FLAGS='));

describe('aks-1.8 kubelet settings on an AKS node', () => {
  it('knows kube-bench reads them from the command line only there (azure.json is not a KubeletConfiguration)', () => {
    const facts = aksNode('stock');
    for (const id of FIXED) expect(kubeBenchReadsCommandLineOnly(control(id).kubeBench, facts, AKS_KUBELET_CONFIG)).toMatch(/azure\.json/);
    // 3.1.x are stat audits: never.
    expect(kubeBenchReadsCommandLineOnly(benchmark.controls.find((c) => c.id === '3.1.1')!.kubeBench, facts, AKS_KUBELET_CONFIG)).toBeUndefined();
    expect(benchmark.nodeReplacement).toMatch(/node pool upgrade.*--kubelet-config/s);
  });

  it('on the stock node, which kube-bench passes, plans nothing', () => {
    const facts = aksNode('stock');
    for (const id of FIXED) expect([id, verdict(id, facts)]).toEqual([id, 'PASS']);
    expect(plan(facts).edits).toEqual([]);
  });

  it('rewrites drifted flags where they stand, appends the missing one to KUBELET_FLAGS, and keeps the config file in step', () => {
    const facts = aksNode('drifted');
    for (const id of ['3.2.1', '3.2.3', '3.2.4', '3.2.5', '3.2.6', '3.2.8', '3.2.9']) expect([id, verdict(id, facts)]).toEqual([id, 'FAIL']);
    const planned = plan(facts);
    expect(planned.steps.filter((s) => s.fix.kind !== 'fix' && s.fix.kind !== 'compliant').map((s) => s.key)).toEqual([]);
    const byPath = new Map(planned.edits.map((e) => [e.path, e]));
    expect([...byPath.keys()].sort()).toEqual([AKS_DEFAULT_KUBELET, AKS_KUBELET_CONFIG].sort());
    const env = byPath.get(AKS_DEFAULT_KUBELET)!;
    const before = aksWorkerTexts('drifted')[AKS_DEFAULT_KUBELET]!;
    const expectedLine = flagsLine(before)!
      .replace('--anonymous-auth=true', '--anonymous-auth=false')
      .replace('--authorization-mode=AlwaysAllow', '--authorization-mode=Webhook')
      .replace('--read-only-port=10255', '--read-only-port=0')
      .replace('--rotate-certificates=false', '--rotate-certificates=true')
      .replace('--make-iptables-util-chains=false', '--make-iptables-util-chains=true')
      .replace('--streaming-connection-idle-timeout=0', '--streaming-connection-idle-timeout=4h0m0s')
      .replace('RotateKubeletServerCertificate=false', 'RotateKubeletServerCertificate=true')
      .concat(` --client-ca-file=${AKS_CA}`);
    // Only the KUBELET_FLAGS line changed, each flag in its place, the missing one at the end.
    expect(env.after).toBe(before.replace(flagsLine(before)!, expectedLine));
    expect(env.daemonReload).toBe(false);
    const config = byPath.get(AKS_KUBELET_CONFIG)!;
    expect(config.after).toBe(config.before.replace('"readOnlyPort": 10255,', '"readOnlyPort": 0,'));

    for (const id of FIXED) expect([id, verdict(id, planned.factsAfter)]).toEqual([id, 'PASS']);
    expect(plan(planned.factsAfter).edits).toEqual([]);
  });
});
