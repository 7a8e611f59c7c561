/**
 * 5.1.5 (default service accounts not actively used) and 5.1.6 (tokens
 * mounted only where necessary). Pure.
 */
import type { PodFacts, ServiceAccountFacts } from '../../facts/cluster/types.js';
import type { ClusterVerdict } from './cluster-finding.js';
import { namespaceInScope, type ClusterContext } from './cluster-context.js';

/** 5.1.5: every namespace's `default` ServiceAccount sets automountServiceAccountToken: false (absent counts as true, as the API mounts it). */
export function evaluateDefaultServiceAccounts(serviceAccounts: readonly ServiceAccountFacts[], ctx: ClusterContext): ClusterVerdict {
  const defaults = serviceAccounts.filter((sa) => sa.name === 'default');
  const failing: string[] = [];
  const exempt: string[] = [];
  for (const sa of defaults) {
    if (sa.automountServiceAccountToken === false) continue;
    const what = `${sa.namespace}/default: automountServiceAccountToken ${sa.automountServiceAccountToken === true ? 'true' : 'not set (true)'}`;
    (namespaceInScope(sa.namespace, ctx.parameters) ? failing : exempt).push(
      namespaceInScope(sa.namespace, ctx.parameters) ? what : `${what} (system namespace)`,
    );
  }
  return {
    expected: 'automountServiceAccountToken: false on every default ServiceAccount',
    failing,
    exempt,
    checked: `${defaults.length} default ServiceAccount(s)`,
  };
}

/**
 * Whether a pod gets a token: the pod's field wins; unset, its
 * ServiceAccount's; unset too, true. Mirror pods of static pods never get one.
 */
export function mountsToken(pod: PodFacts, serviceAccounts: readonly ServiceAccountFacts[]): boolean {
  if (pod.mirror) return false;
  if (pod.automountServiceAccountToken !== undefined) return pod.automountServiceAccountToken;
  const sa = serviceAccounts.find((s) => s.namespace === pod.namespace && s.name === pod.serviceAccountName);
  return sa?.automountServiceAccountToken ?? true;
}

/**
 * 5.1.6: pods that mount a token. Only pods running as their namespace's
 * `default` ServiceAccount fail: a pod with its own ServiceAccount was given
 * one to call the API (which is what the token is for); the CIS text asks to
 * mount tokens only where necessary, and cis-fix cannot know more than that.
 */
export function evaluatePodTokenMounts(pods: readonly PodFacts[], serviceAccounts: readonly ServiceAccountFacts[], ctx: ClusterContext): ClusterVerdict {
  const failing: string[] = [];
  const exempt: string[] = [];
  for (const pod of pods) {
    if (!mountsToken(pod, serviceAccounts) || pod.serviceAccountName !== 'default') continue;
    const what = `${pod.namespace}/${pod.name}: mounts the default ServiceAccount's token`;
    if (namespaceInScope(pod.namespace, ctx.parameters)) failing.push(what);
    else exempt.push(`${what} (system namespace)`);
  }
  return {
    expected: 'no pod mounts a service account token it does not need (none through the default ServiceAccount)',
    failing,
    exempt,
    checked: `${pods.length} pod(s)`,
  };
}
