/**
 * 5.3.2: a default-deny-ingress NetworkPolicy in each namespace the user
 * lists (parameter defaultDenyNetworkPolicyNamespaces) that has no policy
 * yet. Ingress only: denying egress would cut the pods off from DNS. Pure.
 */
import type { NamespaceFacts, NetworkPolicyFacts } from '../../../facts/cluster/types.js';
import { apiObjectChangeId, describeApiObject, type ApiObjectCreate, type ApiObjectRef, type JsonObject } from '../../../model/api-object-change.js';

export const DEFAULT_DENY_NAME = 'cis-fix-default-deny';

export function defaultDenyPolicy(namespace: string): JsonObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: DEFAULT_DENY_NAME, namespace, labels: { 'app.kubernetes.io/managed-by': 'cis-fix' } },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
}

export function planDefaultDenyPolicies(
  listed: readonly string[],
  namespaces: readonly NamespaceFacts[],
  policies: readonly NetworkPolicyFacts[],
): { readonly changes: ApiObjectCreate[]; readonly problems: string[] } {
  const changes: ApiObjectCreate[] = [];
  const problems: string[] = [];
  for (const ns of listed) {
    if (!namespaces.some((n) => n.name === ns)) {
      problems.push(`namespace ${ns} (in defaultDenyNetworkPolicyNamespaces) does not exist`);
      continue;
    }
    if (policies.some((p) => p.namespace === ns)) continue;
    const ref: ApiObjectRef = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: ns, name: DEFAULT_DENY_NAME };
    const content = defaultDenyPolicy(ns);
    changes.push({
      kind: 'api-object',
      id: apiObjectChangeId(ref),
      node: undefined,
      controlIds: ['5.3.2'],
      target: describeApiObject(ref),
      object: ref,
      action: 'create',
      precondition: { absent: true },
      content,
      after: [],
      diff: `--- /dev/null\n+++ ${describeApiObject(ref)}\n+spec.podSelector: {}\n+spec.policyTypes: ["Ingress"]\n`,
      notes: [`every pod in ${ns} stops accepting traffic that no other NetworkPolicy allows`],
      dryRunWarnings: [],
    });
  }
  return { changes, problems };
}
