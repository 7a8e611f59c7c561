/** 5.3.2: every namespace has at least one NetworkPolicy. Pure. */
import type { NamespaceFacts, NetworkPolicyFacts } from '../../facts/cluster/types.js';
import type { ClusterVerdict } from './cluster-finding.js';
import { namespaceInScope, type ClusterContext } from './cluster-context.js';

export function evaluateNetworkPolicies(namespaces: readonly NamespaceFacts[], policies: readonly NetworkPolicyFacts[], ctx: ClusterContext): ClusterVerdict {
  const covered = new Set(policies.map((p) => p.namespace));
  const bare = namespaces.filter((ns) => !covered.has(ns.name));
  return {
    expected: 'at least one NetworkPolicy in every namespace',
    failing: bare.filter((ns) => namespaceInScope(ns.name, ctx.parameters)).map((ns) => `${ns.name}: no NetworkPolicy`),
    exempt: bare.filter((ns) => !namespaceInScope(ns.name, ctx.parameters)).map((ns) => `${ns.name}: no NetworkPolicy (system namespace)`),
    checked: `${namespaces.length} namespace(s)`,
  };
}
