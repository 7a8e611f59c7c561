/**
 * evaluateCluster: the findings of the cluster-scoped controls (section 5)
 * and of the kube-proxy settings (4.3.x, read from the kube-proxy ConfigMap
 * once per cluster), from the facts read through the API. Pure.
 *
 * Every finding has `node: undefined` and `fixable: false`; the api-object
 * planner (src/plan/api-object-plan.ts) turns on `fixable` for the controls
 * its changes fix. A control whose resources could not be listed (403) is
 * an `error` finding naming the resource, never a pass.
 */
import type { Finding } from '../../model/finding.js';
import { isParamRef, type Control, type KubeProxySettingStep, type SettingValue } from '../../playbook/types.js';
import { clusterFinding, unreadableFinding, type ClusterVerdict } from './cluster-finding.js';
import { readAll, type ClusterContext, type GatheredItems } from './cluster-context.js';
import type { Gathered } from '../../facts/cluster/types.js';
import { evaluateDefaultNamespace } from './default-namespace.js';
import { evaluateKubeProxySetting } from './kube-proxy.js';
import { evaluateNetworkPolicies } from './network-policies.js';
import { POD_SECURITY_CONTROLS, evaluatePodSecurityControl } from './pod-security-controls.js';
import { ROLE_GRANT_CONTROLS, evaluateClusterAdminBindings, evaluateRoleGrants } from './rbac.js';
import { evaluateSecretsInEnv } from './secrets-env.js';
import { evaluateDefaultServiceAccounts, evaluatePodTokenMounts } from './service-accounts.js';

/**
 * Controls whose every step is a kube-proxy setting: judged once per cluster
 * from the ConfigMap — unless kube-bench reads kube-proxy's flags from the
 * node's journal (k3s-cis-1.9: the distribution runs kube-proxy inside its
 * service, configured per node): those are node controls (control-family.ts).
 */
export function isKubeProxyControl(control: Control): boolean {
  return control.fix === 'ensure' && control.ensure.every((s) => s.kind === 'kube-proxy-setting') && control.kubeBench.audit?.source !== 'journal';
}

/** The controls evaluateCluster decides. */
export function isClusterControl(control: Control): boolean {
  return control.scope === 'cluster' || isKubeProxyControl(control);
}

export function evaluateCluster(controls: readonly Control[], ctx: ClusterContext): Finding[] {
  return controls.filter(isClusterControl).map((control) => evaluateControl(control, ctx));
}

function evaluateControl(control: Control, ctx: ClusterContext): Finding {
  const f = ctx.facts;
  const rbac = { clusterRoles: f.clusterRoles, roles: f.roles, clusterRoleBindings: f.clusterRoleBindings, roleBindings: f.roleBindings };

  if (isKubeProxyControl(control) && control.fix === 'ensure') {
    const step = control.ensure[0] as KubeProxySettingStep;
    const expected = requiredValue(step, ctx);
    if (expected === undefined) return clusterFinding(control, { expected: step.configKey, failing: [], exempt: [], checked: 'nothing (no value required)' });
    return judged(control, { configMap: f.kubeProxyConfigMap, daemonSet: f.kubeProxyDaemonSet }, (i) =>
      evaluateKubeProxySetting(step, expected, i.configMap[0], i.daemonSet[0]),
    );
  }
  const podSecurity = POD_SECURITY_CONTROLS[ctx.benchmark][control.id];
  if (podSecurity !== undefined)
    return judged(control, { namespaces: f.namespaces, pods: f.pods }, (i) => evaluatePodSecurityControl(control, podSecurity, i.namespaces, i.pods, ctx));
  const grants = ROLE_GRANT_CONTROLS[control.id];
  if (grants !== undefined) return judged(control, rbac, (i) => evaluateRoleGrants(i, ctx, grants.tests, grants.expected));
  switch (control.id) {
    case '5.1.1':
      return judged(control, rbac, (i) => evaluateClusterAdminBindings(i, ctx));
    case '5.1.5':
      return judged(control, { serviceAccounts: f.serviceAccounts }, (i) => evaluateDefaultServiceAccounts(i.serviceAccounts, ctx));
    case '5.1.6':
      return judged(control, { pods: f.pods, serviceAccounts: f.serviceAccounts }, (i) => evaluatePodTokenMounts(i.pods, i.serviceAccounts, ctx));
    case '5.3.2':
      return judged(control, { namespaces: f.namespaces, networkPolicies: f.networkPolicies }, (i) =>
        evaluateNetworkPolicies(i.namespaces, i.networkPolicies, ctx),
      );
    case '5.4.1':
      return judged(control, { pods: f.pods }, (i) => evaluateSecretsInEnv(i.pods, ctx));
    case '5.6.4':
      return judged(control, { pods: f.pods, serviceAccounts: f.serviceAccounts }, (i) => evaluateDefaultNamespace(i.pods, i.serviceAccounts));
    default:
      return notEvaluated(control);
  }
}

/** The finding from the judged facts, or an error finding naming what could not be read. */
function judged<S extends Record<string, Gathered<unknown>>>(control: Control, sources: S, judge: (items: GatheredItems<S>) => ClusterVerdict): Finding {
  const read = readAll(sources);
  return read.ok ? clusterFinding(control, judge(read.items)) : unreadableFinding(control, read.missing);
}

/** Controls with nothing in the API to look at (system:masters certificates, the CNI, image provenance): a human reviews them. */
function notEvaluated(control: Control): Finding {
  return {
    controlId: control.id,
    node: undefined,
    title: control.title,
    kubeBench: undefined,
    status: 'manual',
    expected: control.fix === 'manual' ? control.manual.guidance : control.title,
    actual: 'needs a human review',
    fixable: false,
    notFixableReason: control.fix === 'manual' ? control.manual.reason : 'cis-fix does not evaluate this control from the API',
  };
}

function requiredValue(step: KubeProxySettingStep, ctx: ClusterContext): SettingValue | undefined {
  if (step.requirement.op !== 'equals') return undefined;
  const v = step.requirement.value;
  if (!isParamRef(v)) return v;
  const p = ctx.parameters[v.param];
  return typeof p === 'string' || typeof p === 'number' || typeof p === 'boolean' || Array.isArray(p) ? (p as SettingValue) : undefined;
}

/** A cluster control when the plan could not read the API: "not evaluated", saying why and what to set. */
export function notEvaluatedWithoutApi(control: Control, reason: string): Finding {
  return {
    controlId: control.id,
    node: undefined,
    status: 'manual',
    title: control.title,
    expected: 'checked through the Kubernetes API',
    actual: `not evaluated: ${reason}`,
    fixable: false,
    notFixableReason: `${reason}; set cluster.kubeconfig (and cluster.context) in the inventory to check it`,
    kubeBench: undefined,
    notEvaluated: true,
  };
}
