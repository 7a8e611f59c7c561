/**
 * Section 5.2 (Pod Security Standards): one finding per control, naming the
 * namespaces that do not enforce the level the control needs and the
 * running pods that level would reject, with the reason
 * (`web/priv-pod: privileged (container app)`). The two benchmarks number
 * these controls differently (cis-1.11 has an extra "added capabilities"
 * control at 5.2.9), hence one table per benchmark. Pure.
 *
 * Running pods are never evicted by Pod Security admission: a pod listed in
 * a namespace that already enforces the level was admitted before and is
 * rejected when it is re-created; its owner must change it.
 */
import type { NamespaceFacts, PodFacts } from '../../facts/cluster/types.js';
import type { BenchmarkId, Control } from '../../playbook/types.js';
import type { ClusterVerdict } from './cluster-finding.js';
import { isSystemNamespace, namespaceInScope, type ClusterContext } from './cluster-context.js';
import { isPodSecurityLevel, levelAtLeast, podViolations, type PodSecurityCheck, type PodSecurityLevel } from './pod-security.js';

/** `policy`: 5.2.1, some enforced level at all; otherwise the rules whose violations the control is about. */
export type PodSecurityControlRule = 'policy' | readonly PodSecurityCheck[];

const COMMON: Readonly<Record<string, PodSecurityControlRule>> = {
  '5.2.1': 'policy',
  '5.2.2': ['privileged'],
  '5.2.3': ['hostPID'],
  '5.2.4': ['hostIPC'],
  '5.2.5': ['hostNetwork'],
  '5.2.6': ['allowPrivilegeEscalation'],
  '5.2.7': ['runAsNonRoot', 'runAsUser'],
  // NET_RAW is granted by the runtimes by default: only dropping ALL (restricted) removes it.
  '5.2.8': ['capabilitiesDropAll', 'capabilitiesAddRestricted'],
};

export const POD_SECURITY_CONTROLS: Readonly<Record<BenchmarkId, Readonly<Record<string, PodSecurityControlRule>>>> = {
  'cis-1.12': {
    ...COMMON,
    '5.2.9': ['capabilitiesDropAll', 'capabilitiesAddRestricted'],
    '5.2.10': ['hostProcess'],
    '5.2.11': ['hostPath'],
    '5.2.12': ['hostPorts'],
  },
  'cis-1.11': {
    ...COMMON,
    '5.2.9': ['capabilitiesBaseline', 'capabilitiesAddRestricted'],
    '5.2.10': ['capabilitiesDropAll', 'capabilitiesAddRestricted'],
    '5.2.11': ['hostProcess'],
    '5.2.12': ['hostPath'],
    '5.2.13': ['hostPorts'],
  },
  // The distribution benchmarks' Pod Security controls are not mapped yet: they are reported as not evaluated.
  'rke2-cis-1.8': {},
  'k3s-cis-1.9': {},
  'eks-1.8.0': {},
  'gke-1.9.0': {},
  'aks-1.8': {},
};

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** The least level the control's playbook steps ask for (podSecurityMinimum); baseline when none says. */
export function neededLevel(control: Control): Exclude<PodSecurityLevel, 'privileged'> {
  if (control.fix !== 'ensure') return 'baseline';
  return control.ensure.some((s) => s.kind === 'api-object' && s.podSecurityMinimum === 'restricted') ? 'restricted' : 'baseline';
}

/** A system namespace is in scope when podSecurityLevels names it explicitly (not through "*") or includeSystemNamespaces lists it. */
export function podSecurityInScope(namespace: string, ctx: ClusterContext): boolean {
  const levels = ctx.parameters['podSecurityLevels'];
  const named = levels !== null && typeof levels === 'object' && !Array.isArray(levels) && Object.prototype.hasOwnProperty.call(levels, namespace);
  return named || namespaceInScope(namespace, ctx.parameters);
}

export function enforcedLevel(ns: NamespaceFacts): { readonly level: PodSecurityLevel | undefined; readonly raw: string | undefined } {
  const raw = ns.labels[ENFORCE_LABEL];
  return { level: isPodSecurityLevel(raw) ? raw : undefined, raw };
}

export function evaluatePodSecurityControl(
  control: Control,
  rule: PodSecurityControlRule,
  namespaces: readonly NamespaceFacts[],
  pods: readonly PodFacts[],
  ctx: ClusterContext,
): ClusterVerdict {
  const level = neededLevel(control);
  const failing: string[] = [];
  const exempt: string[] = [];
  for (const ns of namespaces) {
    const { level: enforced, raw } = enforcedLevel(ns);
    const needed = rule === 'policy' ? 'baseline' : level;
    if (levelAtLeast(enforced, needed)) continue;
    const what =
      raw === undefined
        ? `${ns.name}: no ${ENFORCE_LABEL} label`
        : enforced === undefined
          ? `${ns.name}: ${ENFORCE_LABEL}=${raw} is not a level`
          : `${ns.name}: enforces ${enforced} (${needed} needed)`;
    if (podSecurityInScope(ns.name, ctx)) failing.push(what);
    else exempt.push(`${what} (system namespace)`);
  }
  if (rule !== 'policy') {
    for (const pod of pods) {
      const reasons = podViolations(pod).filter((v) => rule.includes(v.check));
      if (!reasons.length) continue;
      const what = `${pod.namespace}/${pod.name}: ${reasons.map((r) => r.detail).join(', ')}`;
      if (podSecurityInScope(pod.namespace, ctx)) failing.push(what);
      else exempt.push(`${what} (${isSystemNamespace(pod.namespace) ? 'system namespace' : 'not in scope'})`);
    }
  }
  const expected =
    rule === 'policy'
      ? `every namespace enforces a Pod Security level (${ENFORCE_LABEL}: baseline or restricted)`
      : `every namespace enforces Pod Security ${level} or stricter, and no running pod breaks its ${rule.join('/')} rule`;
  return { expected, failing, exempt, checked: `${namespaces.length} namespace(s), ${pods.length} pod(s)` };
}
