/**
 * planApiObjects: the api-object changes for the cluster-scoped controls,
 * and their findings with `fixable` decided. Pure (DESIGN.md §5.1).
 *
 * Where changes come from:
 * - the playbooks' `api-object` steps (5.1.5 default ServiceAccounts, 5.2.x
 *   Pod Security labels), with their parameters; one change per object,
 *   carrying every control that patches it;
 * - parameters that name what to change for controls whose playbook fix is
 *   manual: removeClusterAdminSubjects (5.1.1), defaultDenyNetworkPolicyNamespaces (5.3.2);
 * - kube-proxy settings (4.3.1): the kube-proxy ConfigMap plus a DaemonSet rollout.
 *
 * A control is fixable iff its evaluator passes on the facts as the plan
 * leaves them (simulateChanges); otherwise the finding says what keeps it
 * failing (a level below the one it needs, running pods, an unset
 * parameter). Changes that only tighten are planned even then.
 */
import { evaluateCluster, isKubeProxyControl } from '../../evaluate/cluster/evaluate-cluster.js';
import type { ClusterContext } from '../../evaluate/cluster/cluster-context.js';
import { failingPart } from '../../evaluate/cluster/cluster-finding.js';
import { kubeProxySatisfies, readKubeProxySetting } from '../../evaluate/cluster/kube-proxy.js';
import { isPodSecurityLevel, violationsAt } from '../../evaluate/cluster/pod-security.js';
import type { ApiObjectChange, ApiObjectPatch, JsonObject } from '../../model/api-object-change.js';
import { apiObjectChangeId, describeApiObject } from '../../model/api-object-change.js';
import type { Finding } from '../../model/finding.js';
import { isParamRef, type ApiObjectStep, type Control, type KubeProxySettingStep, type SettingValue } from '../../playbook/types.js';
import { planSubjectRemovals } from './api-object/cluster-admin-subjects.js';
import { planDefaultDenyPolicies } from './api-object/default-deny-policy.js';
import { planKubeProxySetting } from './api-object/kube-proxy-change.js';
import { UnresolvedParameter, effectivePatch, mergePatches, patchDiff, resolvePatch, restoringPatch } from '../api-object/merge-patch.js';
import { plannedEnforceLevel, withoutLoosening } from './api-object/pod-security-labels.js';
import { selectObjects, type SelectedObject } from './api-object/select-objects.js';
import { simulateChanges } from './api-object/simulate-changes.js';
import type { ClusterKindHandler } from './handler.js';
import { apiObjectViolation } from './api-object/allowed-objects.js';

export interface ApiObjectPlan {
  readonly findings: readonly Finding[];
  readonly changes: readonly ApiObjectChange[];
}

/** Why a control's changes could not all be planned, and the parameter that would decide it. */
interface Blocker {
  readonly reason: string;
  readonly parameter?: string;
}

/**
 * @param findings evaluateCluster's findings for `controls` on `ctx.facts`.
 */
export function planApiObjects(controls: readonly Control[], ctx: ClusterContext, findings: readonly Finding[]): ApiObjectPlan {
  const failing = new Set(findings.filter((f) => f.status === 'fail').map((f) => f.controlId));
  const patches = new Map<string, { object: SelectedObject; patch: JsonObject; controlIds: string[] }>();
  const others: ApiObjectChange[] = [];
  const blockers = new Map<string, Blocker[]>();
  const block = (id: string, b: Blocker) => blockers.set(id, [...(blockers.get(id) ?? []), b]);

  for (const control of controls) {
    if (!failing.has(control.id)) continue;
    if (control.fix === 'ensure') {
      for (const step of control.ensure) {
        if (step.kind === 'api-object') planStep(control, step, ctx, patches, block);
        if (step.kind === 'kube-proxy-setting' && isKubeProxyControl(control)) others.push(...planKubeProxy(control, step, ctx, block));
      }
    }
    if (control.id === '5.1.1') others.push(...planRemovals(ctx, block));
    if (control.id === '5.3.2') others.push(...planDefaultDeny(ctx, block));
  }

  const changes: ApiObjectChange[] = [...[...patches.values()].map(({ object, patch, controlIds }) => patchChange(object, patch, controlIds, ctx)), ...others];
  const after = new Map(evaluateCluster(controls, { ...ctx, facts: simulateChanges(ctx.facts, changes) }).map((f) => [f.controlId, f]));
  return { findings: findings.map((f) => decide(f, after.get(f.controlId), blockers.get(f.controlId) ?? [], changes)), changes };
}

function planStep(
  control: Control,
  step: ApiObjectStep,
  ctx: ClusterContext,
  patches: Map<string, { object: SelectedObject; patch: JsonObject; controlIds: string[] }>,
  block: (id: string, b: Blocker) => void,
): void {
  if (step.when !== undefined && ctx.parameters[step.when] !== true) {
    const value = ctx.parameters[step.when];
    block(
      control.id,
      value === undefined
        ? { reason: `opt-in needed: set parameter ${step.when}: true to let cis-fix make this change`, parameter: step.when }
        : { reason: `declined: parameter ${step.when} is ${JSON.stringify(value)}` },
    );
    return;
  }
  const selection = selectObjects(step, ctx);
  for (const problem of selection.problems) block(control.id, { reason: problem, ...(selection.parameter ? { parameter: selection.parameter } : {}) });
  for (const object of selection.objects) {
    const resolved = resolvePatch(step.patch, ctx.parameters, object.ref.name);
    if (resolved instanceof UnresolvedParameter) {
      block(control.id, { reason: `set parameter ${resolved.parameter} for ${describeApiObject(object.ref)}`, parameter: resolved.parameter });
      continue;
    }
    let patch = resolved as JsonObject;
    if (object.ref.kind === 'Namespace') patch = withoutLoosening(patch, object.labels);
    const effective = effectivePatch(object.current, patch);
    if (!effective) continue;
    const id = apiObjectChangeId(object.ref);
    const existing = patches.get(id);
    if (existing) {
      existing.patch = mergePatches(existing.patch, effective);
      if (!existing.controlIds.includes(control.id)) existing.controlIds.push(control.id);
    } else {
      patches.set(id, { object, patch: effective, controlIds: [control.id] });
    }
  }
}

function patchChange(object: SelectedObject, patch: JsonObject, controlIds: readonly string[], ctx: ClusterContext): ApiObjectPatch {
  const before = restoringPatch(object.current, patch);
  const target = describeApiObject(object.ref);
  return {
    kind: 'api-object',
    id: apiObjectChangeId(object.ref),
    node: undefined,
    controlIds: [...controlIds].sort(byControlId),
    target,
    object: object.ref,
    action: 'patch',
    precondition: { resourceVersion: object.resourceVersion },
    patch,
    before,
    after: [],
    diff: patchDiff(target, object.resourceVersion, before, patch),
    notes: object.ref.kind === 'Namespace' ? rejectedPods(object.ref.name, plannedEnforceLevel(patch, object.labels), ctx) : [],
    dryRunWarnings: [],
  };
}

/** Running pods the planned enforce level would reject when they are re-created (admission does not evict running pods). */
function rejectedPods(namespace: string, level: string | undefined, ctx: ClusterContext): string[] {
  if (!isPodSecurityLevel(level) || !ctx.facts.pods.ok) return [];
  return ctx.facts.pods.items
    .filter((p) => p.namespace === namespace)
    .flatMap((p) => {
      const v = violationsAt(p, level);
      return v.length ? [`would reject ${namespace}/${p.name} on re-creation: ${v.map((x) => x.detail).join(', ')}`] : [];
    });
}

function planKubeProxy(control: Control, step: KubeProxySettingStep, ctx: ClusterContext, block: (id: string, b: Blocker) => void): ApiObjectChange[] {
  const value =
    step.requirement.op === 'equals'
      ? isParamRef(step.requirement.value)
        ? (ctx.parameters[step.requirement.value.param] as SettingValue | undefined)
        : step.requirement.value
      : undefined;
  if (value === undefined) {
    block(control.id, { reason: `cis-fix sets only required values for kube-proxy (op ${step.requirement.op})` });
    return [];
  }
  const cm = ctx.facts.kubeProxyConfigMap.ok ? ctx.facts.kubeProxyConfigMap.items[0] : undefined;
  const ds = ctx.facts.kubeProxyDaemonSet.ok ? ctx.facts.kubeProxyDaemonSet.items[0] : undefined;
  const setting = readKubeProxySetting(step, cm, ds);
  if (setting.source === 'flag') {
    block(control.id, {
      reason: `kube-proxy runs with ${step.flag}=${setting.value} on DaemonSet kube-system/kube-proxy, which wins over the ConfigMap; remove the flag from the DaemonSet by hand`,
    });
    return [];
  }
  if (kubeProxySatisfies(step, setting, value)) return [];
  const planned = planKubeProxySetting([control.id], step.configKey, value, cm, ds);
  if (planned.kind === 'blocked') {
    block(control.id, { reason: planned.reason });
    return [];
  }
  return [...planned.changes];
}

function planRemovals(ctx: ClusterContext, block: (id: string, b: Blocker) => void): ApiObjectChange[] {
  const listed = ctx.parameters['removeClusterAdminSubjects'];
  if (!Array.isArray(listed)) {
    block('5.1.1', {
      reason: 'to let cis-fix remove subjects from cluster-admin bindings, list them in parameter removeClusterAdminSubjects',
      parameter: 'removeClusterAdminSubjects',
    });
    return [];
  }
  const f = ctx.facts;
  if (!f.clusterRoleBindings.ok || !f.roleBindings.ok) return [];
  const planned = planSubjectRemovals([...f.clusterRoleBindings.items, ...f.roleBindings.items], listed as readonly string[]);
  for (const problem of planned.problems) block('5.1.1', { reason: problem });
  return planned.changes;
}

function planDefaultDeny(ctx: ClusterContext, block: (id: string, b: Blocker) => void): ApiObjectChange[] {
  const listed = ctx.parameters['defaultDenyNetworkPolicyNamespaces'];
  if (!Array.isArray(listed)) {
    block('5.3.2', {
      reason: 'to let cis-fix add a default-deny-ingress NetworkPolicy, list the namespaces in parameter defaultDenyNetworkPolicyNamespaces',
      parameter: 'defaultDenyNetworkPolicyNamespaces',
    });
    return [];
  }
  const f = ctx.facts;
  if (!f.namespaces.ok || !f.networkPolicies.ok) return [];
  const planned = planDefaultDenyPolicies(listed as readonly string[], f.namespaces.items, f.networkPolicies.items);
  for (const problem of planned.problems) block('5.3.2', { reason: problem });
  return planned.changes;
}

/** The finding as the plan leaves it: fixable iff it passes after the plan; else why not. */
function decide(finding: Finding, afterPlan: Finding | undefined, blockers: readonly Blocker[], changes: readonly ApiObjectChange[]): Finding {
  if (finding.status !== 'fail') return finding;
  const planned = changes.some((c) => c.controlIds.includes(finding.controlId));
  if (planned && afterPlan?.status === 'pass' && blockers.length === 0) {
    const { notFixableReason: _reason, ...rest } = finding;
    return { ...rest, fixable: true };
  }
  const reasons = [
    ...blockers.map((b) => b.reason),
    ...(planned && afterPlan?.status === 'fail' ? [`after this plan still failing: ${failingPart(afterPlan.actual)}`] : []),
    ...(!planned && !blockers.length ? [finding.notFixableReason ?? 'no change is planned for it'] : []),
  ];
  const parameter = blockers.find((b) => b.parameter)?.parameter;
  return { ...finding, fixable: false, notFixableReason: [...new Set(reasons)].join('; '), ...(parameter ? { decisionParameter: parameter } : {}) };
}

function byControlId(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/**
 * `api-object` (DESIGN.md §2): a patch, creation or deletion of a Kubernetes
 * object through the API, once per cluster; makePlan adds the server-side
 * dry run's warnings (I/O) after assembly.
 */
export const apiObjectHandler: ClusterKindHandler<'api-object'> = {
  kind: 'api-object',
  scope: 'cluster',
  phase: 4,
  restarts: () => undefined,
  plan: (input) => planApiObjects(input.controls, input.ctx, input.failing),
  describe(change) {
    return { summary: `${change.action} ${change.target}`, diff: change.diff };
  },
  invariants(change, benchmark) {
    const why = apiObjectViolation(change, benchmark);
    return why ? [why] : [];
  },
};
