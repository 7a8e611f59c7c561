/**
 * gatherClusterFacts: everything the cluster-scoped controls need, read from
 * the API in one parallel round (one list per resource). A resource the
 * identity may not list (403) is recorded as `forbidden` for that resource
 * only — the controls reading it are then "not evaluated: forbidden" — and
 * does not stop the others. Secrets are never read.
 */
import { CisFixError } from '../model/errors.js';
import type { ClusterClient, KubeObject } from '../transport/cluster-client.js';
import type { ListableResource } from '../transport/cluster-resources.js';
import { ClusterForbiddenError, ClusterNotFoundError, ClusterUnreachableError } from '../model/cluster-errors.js';
import {
  pickBinding,
  pickKubeProxyConfigMap,
  pickKubeProxyDaemonSet,
  pickNamespace,
  pickNetworkPolicy,
  pickNode,
  pickPod,
  pickRole,
  pickServiceAccount,
} from './cluster/pick-objects.js';
import type { ClusterFacts, Gathered } from './cluster/types.js';

export type { ClusterFacts } from './cluster/types.js';

/**
 * Reads the cluster. Throws only when the API cannot be reached at all
 * (ClusterUnreachableError from `version()`); per-resource failures are data.
 */
export async function gatherClusterFacts(client: ClusterClient): Promise<ClusterFacts> {
  const version = await client.version();
  const list = <T>(resource: ListableResource, pick: (o: KubeObject) => T): Promise<Gathered<T>> =>
    settle(() => client.list(resource).then((items) => items.map(pick)));
  const one = <T>(ref: { apiVersion: string; kind: string; namespace: string; name: string }, pick: (o: KubeObject) => T): Promise<Gathered<T>> =>
    settle(async () => {
      try {
        return [pick(await client.get(ref))];
      } catch (err) {
        if (err instanceof ClusterNotFoundError) return [];
        throw err;
      }
    });
  const [
    namespaces,
    serviceAccounts,
    pods,
    nodes,
    clusterRoles,
    clusterRoleBindings,
    roles,
    roleBindings,
    networkPolicies,
    kubeProxyConfigMap,
    kubeProxyDaemonSet,
  ] = await Promise.all([
    list('namespaces', pickNamespace),
    list('serviceaccounts', pickServiceAccount),
    list('pods', pickPod),
    list('nodes', pickNode),
    list('clusterroles', pickRole),
    list('clusterrolebindings', pickBinding),
    list('roles', pickRole),
    list('rolebindings', pickBinding),
    list('networkpolicies', pickNetworkPolicy),
    // By name, not a list of every ConfigMap: only kube-proxy's configuration is needed (4.3.1).
    one({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy' }, pickKubeProxyConfigMap),
    one({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'kube-system', name: 'kube-proxy' }, pickKubeProxyDaemonSet),
  ]);
  return {
    server: client.server,
    version,
    namespaces,
    serviceAccounts,
    pods,
    nodes,
    clusterRoles,
    clusterRoleBindings,
    roles,
    roleBindings,
    networkPolicies,
    kubeProxyConfigMap,
    kubeProxyDaemonSet,
  };
}

/** A 403 (or another API answer about this resource) becomes data; losing the server altogether does not. */
async function settle<T>(read: () => Promise<T[]>): Promise<Gathered<T>> {
  try {
    return { ok: true, items: await read() };
  } catch (err) {
    if (err instanceof ClusterForbiddenError) return { ok: false, reason: 'forbidden', message: err.message };
    if (err instanceof ClusterUnreachableError) throw err;
    if (err instanceof CisFixError) return { ok: false, reason: 'error', message: err.message };
    throw err;
  }
}
