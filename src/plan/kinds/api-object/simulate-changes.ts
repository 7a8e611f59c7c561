/**
 * The cluster facts as they will be after the planned api-object changes,
 * so each control is judged on the planned state by the same evaluator that
 * judged the current one (a control is fixable iff it passes afterwards).
 * Pure.
 */
import type { BindingFacts, ClusterFacts, Gathered, KubeProxyConfigMapFacts, NamespaceFacts, ServiceAccountFacts } from '../../../facts/cluster/types.js';
import type { ApiObjectChange, JsonObject } from '../../../model/api-object-change.js';
import { applyMergePatch } from '../../api-object/merge-patch.js';

function mapItems<T>(g: Gathered<T>, f: (item: T) => T): Gathered<T> {
  return g.ok ? { ok: true, items: g.items.map(f) } : g;
}

function sameObject(change: ApiObjectChange, kind: string, namespace: string | undefined, name: string): boolean {
  return change.object.kind === kind && change.object.namespace === namespace && change.object.name === name;
}

export function simulateChanges(facts: ClusterFacts, changes: readonly ApiObjectChange[]): ClusterFacts {
  const patchesFor = (kind: string, namespace: string | undefined, name: string): JsonObject[] =>
    changes.filter((c) => c.action === 'patch' && sameObject(c, kind, namespace, name)).map((c) => (c.action === 'patch' ? c.patch : {}));
  const patched = <T>(
    kind: string,
    item: T & { namespace: string | undefined; name: string },
    view: (t: T) => JsonObject,
    back: (t: T, json: Record<string, unknown>) => T,
  ): T => {
    const patches = patchesFor(kind, item.namespace, item.name);
    if (!patches.length) return item;
    const json = patches.reduce<unknown>((acc, p) => applyMergePatch(acc, p), view(item)) as Record<string, unknown>;
    return back(item, json);
  };

  const namespaces = mapItems(facts.namespaces, (ns: NamespaceFacts) =>
    patched(
      'Namespace',
      ns,
      (n) => ({ metadata: { labels: n.labels } }),
      (n, j) => ({ ...n, labels: ((j['metadata'] as Record<string, unknown> | undefined)?.['labels'] ?? {}) as Record<string, string> }),
    ),
  );
  const serviceAccounts = mapItems(facts.serviceAccounts, (sa: ServiceAccountFacts) =>
    patched(
      'ServiceAccount',
      sa,
      (s): JsonObject => (s.automountServiceAccountToken === undefined ? {} : { automountServiceAccountToken: s.automountServiceAccountToken }),
      (s, j) => ({
        ...s,
        automountServiceAccountToken: typeof j['automountServiceAccountToken'] === 'boolean' ? j['automountServiceAccountToken'] : undefined,
      }),
    ),
  );
  const bindings = (kind: 'ClusterRoleBinding' | 'RoleBinding') => (b: BindingFacts) =>
    patched(
      kind,
      b,
      (x) => ({ subjects: x.subjects.map((s) => ({ kind: s.kind, name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) })) }),
      (x, j) => ({
        ...x,
        subjects: ((j['subjects'] ?? []) as { kind: string; name: string; namespace?: string }[]).map((s) => ({
          kind: s.kind,
          name: s.name,
          namespace: s.namespace,
        })),
      }),
    );
  const configMap = mapItems(facts.kubeProxyConfigMap, (cm: KubeProxyConfigMapFacts) =>
    patched(
      'ConfigMap',
      cm,
      (c) => ({ data: { 'config.conf': c.configConf ?? null } }),
      (c, j) => ({ ...c, configConf: (j['data'] as Record<string, string> | undefined)?.['config.conf'] }),
    ),
  );
  const created = changes.filter((c) => c.action === 'create' && c.object.kind === 'NetworkPolicy');
  const networkPolicies: ClusterFacts['networkPolicies'] = facts.networkPolicies.ok
    ? {
        ok: true,
        items: [
          ...facts.networkPolicies.items,
          ...created.map((c) => ({ name: c.object.name, namespace: c.object.namespace ?? '', resourceVersion: '', labels: {}, annotations: {} })),
        ],
      }
    : facts.networkPolicies;
  return {
    ...facts,
    namespaces,
    serviceAccounts,
    clusterRoleBindings: mapItems(facts.clusterRoleBindings, bindings('ClusterRoleBinding')),
    roleBindings: mapItems(facts.roleBindings, bindings('RoleBinding')),
    kubeProxyConfigMap: configMap,
    networkPolicies,
  };
}
