/**
 * What the cluster-scoped evaluators know: the facts read from the API, the
 * benchmark (section 5 numbering differs between cis-1.11 and cis-1.12) and
 * the parameter values in force (inventory over playbook defaults).
 */
import type { ClusterFacts, Gathered } from '../../facts/cluster/types.js';
import type { BenchmarkId, ParameterValue } from '../../playbook/types.js';

export interface ClusterContext {
  readonly benchmark: BenchmarkId;
  readonly facts: ClusterFacts;
  readonly parameters: Readonly<Record<string, ParameterValue>>;
}

/**
 * Namespaces the control plane and kubeadm's add-ons live in. They are
 * reported but never counted against a control, nor changed, unless the
 * user names them (parameter includeSystemNamespaces, or an explicit key of
 * podSecurityLevels): kube-proxy and the static pods need host access there.
 */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

export function isSystemNamespace(namespace: string): boolean {
  return SYSTEM_NAMESPACES.includes(namespace);
}

/** True when the user's parameters bring this system namespace into scope (always true for other namespaces). */
export function namespaceInScope(namespace: string, parameters: ClusterContext['parameters']): boolean {
  if (!isSystemNamespace(namespace)) return true;
  const included = parameters['includeSystemNamespaces'];
  return Array.isArray(included) && included.includes(namespace);
}

/** The items of each gathered resource, or the names of the resources that could not be read (and why). */
export type GatheredItems<T extends Record<string, Gathered<unknown>>> = { readonly [K in keyof T]: T[K] extends Gathered<infer U> ? readonly U[] : never };

export function readAll<T extends Record<string, Gathered<unknown>>>(
  sources: T,
): { readonly ok: true; readonly items: GatheredItems<T> } | { readonly ok: false; readonly missing: string } {
  const missing = Object.entries(sources)
    .filter(([, g]) => !g.ok)
    .map(([name, g]) => `${name}: ${g.ok ? '' : g.reason === 'forbidden' ? 'forbidden' : g.message}`);
  if (missing.length) return { ok: false, missing: missing.join('; ') };
  return { ok: true, items: Object.fromEntries(Object.entries(sources).map(([k, g]) => [k, g.ok ? g.items : []])) as never };
}
