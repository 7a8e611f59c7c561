/**
 * The kubelet-file kind: failing kubelet-setting controls of one node become findings
 * and one kubelet-file change per edited file, sharing one restart; a
 * control is only called fixable when kube-bench would then pass it.
 */

import { beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { kubeBenchKubeletVerdict } from '../../../../src/evaluate/kubelet/kube-bench-verdict.js';
import { isKubeletSettingControl } from '../../../../src/evaluate/control-family.js';
import { evaluateNode } from '../../../../src/evaluate/evaluate-node.js';
import { selectControls } from '../../../../src/evaluate/select-controls.js';
import type { Role } from '../../../../src/model/roles.js';
import { kubeletFileHandler } from '../../../../src/plan/kinds/kubelet-file.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import { factsAfterKubeletEdits } from '../../../../src/plan/edits/kubelet-simulate.js';
import type { Benchmark, ParameterValue } from '../../../../src/playbook/types.js';
import { changesOf, planControls } from '../support/plan-node.js';
import { benchmarkWithDefaults } from '../support/benchmark-with-defaults.js';
import {
  CONFIG,
  CUSTOM_CONFIG,
  FLAGS_ENV,
  customConfigPathNode,
  driftedNode,
  rhelNode,
  SYSCONFIG_KUBELET,
  stockNode,
} from '../../evaluate/kubelet/support/layouts.js';

let benchmark: Benchmark;
let parameters: Readonly<Record<string, ParameterValue>>;
beforeAll(async () => {
  ({ benchmark, parameters } = await benchmarkWithDefaults('cis-1.12'));
});

function plan(facts: NodeFacts, only: string[], params: Readonly<Record<string, ParameterValue>> = parameters, roles: Role[] = ['worker']) {
  const planned = planControls(benchmark, only, { name: 'worker-1', roles, facts, parameters: params });
  return { findings: planned.findings, changes: changesOf(planned.changes, 'kubelet-file') };
}

/** The node as the planned changes and one restart leave it. */
function after(facts: NodeFacts, changes: ReturnType<typeof plan>['changes']): NodeFacts {
  return factsAfterKubeletEdits(facts, new Map(changes.map((c) => [c.target, c.after.content])));
}

describe('the kubelet-file kind', () => {
  it('decides exactly the controls whose steps are all kubelet settings', () => {
    const ids = benchmark.controls.filter(isKubeletSettingControl).map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['4.2.1', '4.2.2', '4.2.4', '4.2.10', '4.2.12']));
    expect(ids.every((id) => id.startsWith('4.2.'))).toBe(true);
  });

  it('merges every control of the drifted node into one change per file, with the kubelet argv before and after', () => {
    const facts = driftedNode();
    const { findings, changes } = plan(facts, ['4.2.1', '4.2.2', '4.2.4', '4.2.10']);
    expect(findings.map((f) => [f.controlId, f.status, f.fixable])).toEqual([
      ['4.2.1', 'fail', true],
      ['4.2.2', 'fail', true],
      ['4.2.4', 'fail', true],
      ['4.2.10', 'fail', true],
    ]);
    expect(changes.map((c) => c.target).sort()).toEqual([CONFIG, FLAGS_ENV]);
    const config = changes.find((c) => c.target === CONFIG)!;
    expect(config.controlIds).toEqual(['4.2.1', '4.2.4', '4.2.10']);
    expect(config).toMatchObject({ kind: 'kubelet-file', restart: 'kubelet', daemonReload: false, purpose: 'kubelet' });
    expect(config.after.sha256).toBe(createHash('sha256').update(config.after.content).digest('hex'));
    expect(config.precondition.sha256).toBe(config.before.sha256);
    const env = changes.find((c) => c.target === FLAGS_ENV)!;
    expect(env.before.argv).toContain('--authorization-mode=AlwaysAllow');
    expect(env.after.argv).not.toContain('--authorization-mode=AlwaysAllow');
    expect(env.after.healthUrl).toBe('http://127.0.0.1:10248/healthz');
    // Every change of the node predicts the same restarted command line.
    expect(new Set(changes.map((c) => JSON.stringify(c.after.argv))).size).toBe(1);
  });

  it('leaves a node that complies without changes, and the plan after its own changes is empty', () => {
    const facts = driftedNode();
    const first = plan(facts, ['4.2.1', '4.2.2', '4.2.4', '4.2.10', '4.2.12']);
    const second = plan(after(facts, first.changes), ['4.2.1', '4.2.2', '4.2.4', '4.2.10', '4.2.12']);
    expect(second.changes).toEqual([]);
    expect(second.findings.every((f) => f.status === 'pass')).toBe(true);
    for (const id of ['4.2.1', '4.2.2', '4.2.4', '4.2.10', '4.2.12']) {
      const control = benchmark.controls.find((c) => c.id === id)!;
      expect([id, kubeBenchKubeletVerdict(control.kubeBench, after(facts, first.changes)).verdict]).toEqual([id, 'PASS']);
    }
  });

  it("edits the kubelet's real --config and keeps kube-bench's stale copy in step", () => {
    const facts = customConfigPathNode('stale-copy');
    const { changes, findings } = plan(facts, ['4.2.1']);
    expect(findings[0]).toMatchObject({ fixable: true });
    expect(changes.map((c) => [c.target, c.purpose]).sort()).toEqual(
      [
        [CONFIG, 'kube-bench'],
        [CUSTOM_CONFIG, 'kubelet'],
      ].sort(),
    );
  });

  it('refuses a fix kube-bench would not see, and says so when only kube-bench disagrees', () => {
    // The kubelet reads /etc/kubernetes/kubelet/kubelet-config.yaml; kube-bench finds no config file of its own.
    const facts = customConfigPathNode('none');
    const { changes, findings } = plan(facts, ['4.2.1', '4.2.2', '4.2.4', '4.2.10']);
    const byId = new Map(findings.map((f) => [f.controlId, f]));
    expect(byId.get('4.2.1')).toMatchObject({ status: 'fail', fixable: false, kubeBench: 'FAIL' });
    expect(byId.get('4.2.1')!.notFixableReason).toMatch(/kube-bench would still fail/);
    expect(byId.get('4.2.2')).toMatchObject({ status: 'fail', fixable: false, kubeBench: 'FAIL' });
    expect(byId.get('4.2.2')!.notFixableReason).toMatch(/the kubelet complies, but kube-bench reads/);
    expect(byId.get('4.2.4')).toMatchObject({ fixable: true });
    expect(byId.get('4.2.10')).toMatchObject({ fixable: true });
    // The refused control leaves no edit behind: only the two fixable ones change the file.
    expect(changes.map((c) => [c.target, c.controlIds])).toEqual([[CUSTOM_CONFIG, ['4.2.4', '4.2.10']]]);
    expect(changes[0]!.after.content).toMatch(/^\s+enabled: true$/m); // anonymous auth left as it was
  });

  it('edits /etc/sysconfig/kubelet on a RHEL-style node, where the flags win', () => {
    const { changes } = plan(rhelNode(), ['4.2.1', '4.2.2', '4.2.4']);
    expect(changes.map((c) => [c.target, c.controlIds])).toEqual([[SYSCONFIG_KUBELET, ['4.2.1', '4.2.4']]]);
    expect(changes[0]!.diff).toContain('+KUBELET_EXTRA_ARGS="--node-labels=tier=batch --hostname-override=worker-7.internal"');
  });

  it('names the parameter a control needs, and waives a declined opt-in', () => {
    const facts = stockNode();
    expect(plan(facts, ['4.2.13']).findings[0]).toMatchObject({ status: 'fail', fixable: false, decisionParameter: 'podPidsLimit' });
    expect(plan(facts, ['4.2.14']).findings[0]).toMatchObject({ status: 'fail', fixable: false, decisionParameter: 'enableSeccompDefault' });
    expect(plan(facts, ['4.2.14'], { ...parameters, enableSeccompDefault: false }).findings[0]).toMatchObject({ status: 'waived', fixable: false });
    const seccomp = plan(facts, ['4.2.14'], { ...parameters, enableSeccompDefault: true });
    expect(seccomp.findings[0]).toMatchObject({ status: 'fail', fixable: true });
    expect(seccomp.changes[0]!.after.content).toMatch(/^seccompDefault: true$/m);
  });

  it('plans nothing for controls of other kinds or roles', () => {
    const facts = driftedNode();
    expect(plan(facts, ['4.2.1'], parameters, [])).toEqual({ findings: [], changes: [] });
    const controls = selectControls(benchmark, { targets: [], only: ['1.1.1', '4.1.9'], skip: [] });
    const ctx = { name: 'worker-1', roles: ['worker'] as const, facts, parameters };
    const evaluation = evaluateNode(benchmark, controls, { ...ctx, roles: [...ctx.roles] });
    expect(evaluation.findings.filter((f) => f.status === 'fail').map((f) => f.controlId)).toEqual(['4.1.9']);
    const input = {
      benchmark,
      controls,
      ctx: { ...ctx, roles: [...ctx.roles] },
      variables: evaluation.variables,
      failing: evaluation.findings.filter((f) => f.status === 'fail'),
    };
    expect(kubeletFileHandler.plan(input)).toEqual({ findings: [], changes: [] });
  });
});
