/**
 * Which API objects an `api-object` step patches, and their current state as
 * JSON (only the fields the patches touch). Pure.
 *
 * System namespaces (and the objects in them) are selected only when the
 * user names them: as an explicit key of the selecting parameter, or in
 * includeSystemNamespaces. `"*"` in a string-map never reaches them.
 */
import { isSystemNamespace, namespaceInScope, type ClusterContext } from '../../../evaluate/cluster/cluster-context.js';
import type { Gathered, NamespaceFacts, ServiceAccountFacts } from '../../../facts/cluster/types.js';
import type { ApiObjectRef, JsonObject } from '../../../model/api-object-change.js';
import type { ApiObjectStep } from '../../../playbook/types.js';

export interface SelectedObject {
  readonly ref: ApiObjectRef;
  readonly resourceVersion: string;
  /** The fields patches may touch, as the API has them now. */
  readonly current: JsonObject;
  readonly labels: Readonly<Record<string, string>>;
  /** Named explicitly by the selecting parameter (not through "*"). */
  readonly explicit: boolean;
}

export type Selection = { readonly objects: readonly SelectedObject[]; readonly problems: readonly string[]; readonly parameter?: string };

function items<T>(g: Gathered<T>): readonly T[] | string {
  return g.ok ? g.items : `cannot read them: ${g.reason === 'forbidden' ? 'forbidden' : g.message}`;
}

/** The names a step selects: explicit ones, and whether "*" (every other non-system one) is included. */
function selectedNames(
  step: ApiObjectStep,
  ctx: ClusterContext,
): { readonly names: readonly string[]; readonly wildcard: boolean } | { readonly missing: string } {
  if (step.selector.names) return { names: step.selector.names, wildcard: false };
  const name = step.selector.namesFromParameter;
  if (name === undefined) return { names: [], wildcard: true };
  const value = ctx.parameters[name];
  if (value === undefined) return { missing: name };
  if (Array.isArray(value)) return { names: value.filter((v) => v !== '*'), wildcard: value.includes('*') };
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    return { names: keys.filter((k) => k !== '*'), wildcard: keys.includes('*') };
  }
  return { names: [String(value)], wildcard: false };
}

function namespacesOf(step: ApiObjectStep, all: readonly NamespaceFacts[], ctx: ClusterContext): string[] {
  const wanted = step.selector.namespaces;
  const names = wanted === undefined || wanted === 'all' ? all.map((n) => n.name) : wanted;
  return names.filter((n) => !step.selector.excludeNamespaces.includes(n) && namespaceInScope(n, ctx.parameters));
}

export function selectObjects(step: ApiObjectStep, ctx: ClusterContext): Selection {
  const chosen = selectedNames(step, ctx);
  if ('missing' in chosen) return { objects: [], problems: [`set parameter ${chosen.missing} to choose the objects`], parameter: chosen.missing };
  const picks = (name: string, system: boolean) => chosen.names.includes(name) || (chosen.wildcard && !system);
  switch (step.objectKind) {
    case 'Namespace': {
      const namespaces = items(ctx.facts.namespaces);
      if (typeof namespaces === 'string') return { objects: [], problems: [`namespaces: ${namespaces}`] };
      const unknown = chosen.names.filter((n) => !namespaces.some((ns) => ns.name === n));
      const objects = namespaces
        .filter((ns) => !step.selector.excludeNamespaces.includes(ns.name))
        .filter((ns) => picks(ns.name, isSystemNamespace(ns.name) && !namespaceInScope(ns.name, ctx.parameters)))
        .map((ns) => ({
          ref: { apiVersion: 'v1', kind: 'Namespace', namespace: undefined, name: ns.name },
          resourceVersion: ns.resourceVersion,
          current: { metadata: { labels: ns.labels } },
          labels: ns.labels,
          explicit: chosen.names.includes(ns.name),
        }));
      return { objects, problems: unknown.map((n) => `namespace ${n} (named by the parameter) does not exist`) };
    }
    case 'ServiceAccount': {
      const accounts = items(ctx.facts.serviceAccounts);
      const namespaces = items(ctx.facts.namespaces);
      if (typeof accounts === 'string') return { objects: [], problems: [`serviceaccounts: ${accounts}`] };
      if (typeof namespaces === 'string') return { objects: [], problems: [`namespaces: ${namespaces}`] };
      const inScope = new Set(namespacesOf(step, namespaces, ctx));
      const objects = accounts
        .filter((sa: ServiceAccountFacts) => inScope.has(sa.namespace) && picks(sa.name, false))
        .map((sa) => ({
          ref: { apiVersion: 'v1', kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name },
          resourceVersion: sa.resourceVersion,
          current: (sa.automountServiceAccountToken === undefined ? {} : { automountServiceAccountToken: sa.automountServiceAccountToken }) as JsonObject,
          labels: sa.labels,
          explicit: chosen.names.includes(sa.name),
        }));
      return { objects, problems: [] };
    }
    default:
      return { objects: [], problems: [`this version of cis-fix does not patch ${step.objectKind} objects`] };
  }
}
