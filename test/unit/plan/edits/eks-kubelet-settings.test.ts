/**
 * eks-1.8.0 3.2.x on an EKS node (the lab's eks layout, built in memory):
 * each kubelet-setting step is routed to the source that wins - a flag in
 * 30-kubelet-extra-args.conf is removed there, a key goes into the JSON
 * kubelet-config.json, edited as JSON - and kube-bench passes every fixed
 * control afterwards; the generated unit and 10-kubelet-args.conf are never
 * touched.
 */

import { beforeAll, describe, expect, it } from '@jest/globals';
import { kubeBenchKubeletVerdict } from '../../../../src/evaluate/kubelet/kube-bench-verdict.js';
import { resolveAllVariables } from '../../../../src/evaluate/resolve-variables.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import { planKubeletSettingFixes } from '../../../../src/plan/edits/kubelet-setting-fixes.js';
import type { Benchmark, KubeletSettingStep, ParameterValue } from '../../../../src/playbook/types.js';
import { EKS_ARGS_DROP_IN, EKS_CA, EKS_EXTRA_ARGS_DROP_IN, EKS_KUBELET_CONFIG, EKS_UNIT, eksWorkerTexts } from '../../../lab/distributions/eks.js';
import { kubeletNode } from '../../evaluate/kubelet/support/kubelet-node.js';
import { benchmarkWithDefaults } from '../support/benchmark-with-defaults.js';

let benchmark: Benchmark;
let parameters: Readonly<Record<string, ParameterValue>>;
beforeAll(async () => {
  ({ benchmark, parameters } = await benchmarkWithDefaults('eks-1.8.0'));
});

function eksNode(scenario: 'stock' | 'drifted'): NodeFacts {
  return kubeletNode({ files: { ...eksWorkerTexts(scenario), [EKS_CA]: '-----BEGIN CERTIFICATE-----\n' }, absent: ['/etc/kubernetes/pki'] });
}

function kubeletSteps(): { key: string; step: KubeletSettingStep }[] {
  return benchmark.controls.flatMap((c) =>
    c.fix === 'ensure' && c.section === '3.2' ? c.ensure.flatMap((s, i) => (s.kind === 'kubelet-setting' ? [{ key: `${c.id}#${i}`, step: s }] : [])) : [],
  );
}

function verdict(id: string, facts: NodeFacts): string | undefined {
  const control = benchmark.controls.find((c) => c.id === id);
  if (!control) throw new Error(id);
  return kubeBenchKubeletVerdict(control.kubeBench, facts).verdict;
}

describe('eks-1.8.0 kubelet settings on an EKS node', () => {
  it('automates 3.2.x but the event rate, which stays a decision', () => {
    const ids = [...new Set(kubeletSteps().map((s) => s.key.split('#')[0]))];
    expect(ids).toEqual(['3.2.1', '3.2.2', '3.2.3', '3.2.4', '3.2.5', '3.2.6', '3.2.8', '3.2.9']);
    expect(benchmark.controls.find((c) => c.id === '3.2.7')?.fix).toBe('manual');
    expect(benchmark.nodeReplacement).toMatch(/node group upgrade.*launch template/s);
  });

  it('on the stock AMI layout, which kube-bench passes, plans nothing: an unset rotateCertificates passes 3.2.8 as in kube-bench', () => {
    const facts = eksNode('stock');
    const plan = planKubeletSettingFixes(facts, kubeletSteps(), parameters, resolveAllVariables(benchmark, facts));
    // rotateCertificates is absent (the kubelet's default is false); eks-1.8.0 accepts that (allowAbsent: always), unlike cis-1.12's 4.2.10.
    expect(eksWorkerTexts('stock')[EKS_KUBELET_CONFIG]).not.toMatch(/rotateCertificates/);
    expect(plan.edits).toEqual([]);
    expect(plan.steps.find((s) => s.key === '3.2.8#0')?.fix.kind).toBe('compliant');
    for (const id of ['3.2.1', '3.2.2', '3.2.3', '3.2.4', '3.2.5', '3.2.6', '3.2.8', '3.2.9']) expect([id, verdict(id, facts)]).toEqual([id, 'PASS']);
  });

  it('routes each drifted setting to the source that wins and keeps the JSON config JSON', () => {
    const facts = eksNode('drifted');
    for (const id of ['3.2.1', '3.2.2', '3.2.3', '3.2.4', '3.2.5', '3.2.6', '3.2.8', '3.2.9']) expect([id, verdict(id, facts)]).toEqual([id, 'FAIL']);
    const plan = planKubeletSettingFixes(facts, kubeletSteps(), parameters, resolveAllVariables(benchmark, facts));
    expect(plan.steps.filter((s) => s.fix.kind !== 'fix').map((s) => `${s.key} ${s.fix.kind}`)).toEqual([
      // The --feature-gates flag is not on the command line: nothing to remove.
      '3.2.9#0 compliant',
    ]);
    const byPath = new Map(plan.edits.map((e) => [e.path, e]));
    expect([...byPath.keys()].sort()).toEqual([EKS_KUBELET_CONFIG, EKS_EXTRA_ARGS_DROP_IN].sort());
    expect(byPath.get(EKS_EXTRA_ARGS_DROP_IN)!.stepKeys).toEqual(['3.2.4#0', '3.2.5#0']);
    expect(byPath.get(EKS_KUBELET_CONFIG)!.stepKeys).toEqual(['3.2.1#0', '3.2.2#0', '3.2.3#0', '3.2.6#0', '3.2.8#0', '3.2.9#1']);
    expect(plan.edits.some((e) => e.path === EKS_UNIT || e.path === EKS_ARGS_DROP_IN)).toBe(false);

    const json = byPath.get(EKS_KUBELET_CONFIG)!;
    const data = JSON.parse(json.after) as Record<string, unknown>;
    expect(data).toMatchObject({
      authentication: { anonymous: { enabled: false }, x509: { clientCAFile: EKS_CA } },
      authorization: { mode: 'Webhook' },
      featureGates: { RotateKubeletServerCertificate: true },
      makeIPTablesUtilChains: true,
      rotateCertificates: true,
    });
    // In place: every line of the old file that held no edited value is still there, in order.
    const edited = /"(enabled|mode|RotateKubeletServerCertificate|makeIPTablesUtilChains|rotateCertificates)": (true|false|"AlwaysAllow"),?$/;
    const kept = json.before.split('\n').filter((l) => !edited.test(l) && !/^\s+}$/.test(l));
    const after = json.after.split('\n');
    let i = 0;
    for (const line of after) if (i < kept.length && line === kept[i]) i += 1;
    expect(i).toBe(kept.length);
    expect(byPath.get(EKS_EXTRA_ARGS_DROP_IN)!.after).toBe(
      "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--node-labels=eks.amazonaws.com/nodegroup=lab-workers,eks.amazonaws.com/capacityType=ON_DEMAND'\n",
    );

    for (const id of ['3.2.1', '3.2.2', '3.2.3', '3.2.4', '3.2.5', '3.2.6', '3.2.8', '3.2.9']) expect([id, verdict(id, plan.factsAfter)]).toEqual([id, 'PASS']);
    const again = planKubeletSettingFixes(plan.factsAfter, kubeletSteps(), parameters, resolveAllVariables(benchmark, plan.factsAfter));
    expect(again.edits).toEqual([]);
  });
});
