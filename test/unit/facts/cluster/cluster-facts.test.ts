import { gatherClusterFacts } from '../../../../src/facts/cluster-facts.js';
import { pickKubeProxyConfigMap, pickPod } from '../../../../src/facts/cluster/pick-objects.js';
import { ClusterForbiddenError, ClusterNotFoundError, ClusterUnreachableError, describeRef, type ObjectRef } from '../../../../src/model/cluster-errors.js';
import type { ClusterClient, KubeObject } from '../../../../src/transport/cluster-client.js';
import type { ListableResource } from '../../../../src/transport/cluster-resources.js';
import { kubeadmCluster, pod } from '../../evaluate/cluster/cluster-fixtures.js';

/** An in-memory ClusterClient over the fixture cluster; records what was asked. */
function fakeClient(opts: { forbidden?: ListableResource[]; noKubeProxy?: boolean } = {}): ClusterClient & { asked: string[] } {
  const raw = kubeadmCluster();
  const byResource: Record<ListableResource, KubeObject[]> = {
    namespaces: raw.namespaces,
    serviceaccounts: raw.serviceAccounts,
    pods: raw.pods,
    nodes: raw.nodes,
    configmaps: raw.kubeProxyConfigMap,
    daemonsets: raw.kubeProxyDaemonSet,
    clusterroles: raw.clusterRoles,
    clusterrolebindings: raw.clusterRoleBindings,
    roles: raw.roles,
    rolebindings: raw.roleBindings,
    networkpolicies: raw.networkPolicies,
  };
  const asked: string[] = [];
  const unused = () => Promise.reject(new Error('not used by gatherClusterFacts'));
  return {
    asked,
    server: 'https://10.0.0.10:6443',
    context: 'admin@lab',
    version: async () => ({ major: '1', minor: '33', gitVersion: 'v1.33.1' }),
    list: async (resource) => {
      asked.push(`list ${resource}`);
      if (opts.forbidden?.includes(resource)) throw new ClusterForbiddenError('list', `${resource} (all namespaces)`, 'User "x" cannot list');
      return byResource[resource];
    },
    get: async (ref: ObjectRef) => {
      asked.push(`get ${describeRef(ref)}`);
      const found = opts.noKubeProxy
        ? undefined
        : [...raw.kubeProxyConfigMap, ...raw.kubeProxyDaemonSet].find((o) => o.kind === ref.kind && o.metadata.name === ref.name);
      if (!found) throw new ClusterNotFoundError(describeRef(ref), 'not found');
      return found;
    },
    patch: unused,
    create: unused,
    replace: unused,
    delete: unused,
    getLease: unused,
    createLease: unused,
    replaceLease: unused,
  };
}

describe('gatherClusterFacts', () => {
  it('lists each resource once, reads kube-proxy by name, and never asks for Secrets or other ConfigMaps', async () => {
    const client = fakeClient();
    const facts = await gatherClusterFacts(client);
    expect([...client.asked].sort()).toEqual(
      [
        'list namespaces',
        'list serviceaccounts',
        'list pods',
        'list nodes',
        'list clusterroles',
        'list clusterrolebindings',
        'list roles',
        'list rolebindings',
        'list networkpolicies',
        'get ConfigMap kube-system/kube-proxy',
        'get DaemonSet kube-system/kube-proxy',
      ].sort(),
    );
    expect(facts.version?.gitVersion).toBe('v1.33.1');
    expect(facts.nodes).toEqual({ ok: true, items: [{ name: 'cp-1', internalIP: '10.0.0.10', roles: ['control-plane'], kubeletVersion: 'v1.33.1' }] });
  });

  it('records a 403 for that resource only', async () => {
    const facts = await gatherClusterFacts(fakeClient({ forbidden: ['clusterrolebindings'] }));
    expect(facts.clusterRoleBindings).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(facts.clusterRoles.ok).toBe(true);
  });

  it('treats a missing kube-proxy as no items, not an error', async () => {
    const facts = await gatherClusterFacts(fakeClient({ noKubeProxy: true }));
    expect(facts.kubeProxyConfigMap).toEqual({ ok: true, items: [] });
  });

  it('fails as a whole only when the server cannot be reached', async () => {
    const client = { ...fakeClient(), version: () => Promise.reject(new ClusterUnreachableError('https://10.0.0.10:6443', 'ECONNREFUSED')) };
    await expect(gatherClusterFacts(client)).rejects.toBeInstanceOf(ClusterUnreachableError);
  });
});

describe('picking facts from API objects', () => {
  it('keeps only config.conf of the kube-proxy ConfigMap', () => {
    const cm = pickKubeProxyConfigMap(kubeadmCluster().kubeProxyConfigMap[0] as KubeObject);
    expect(cm.configConf).toContain('KubeProxyConfiguration');
    expect(JSON.stringify(cm)).not.toContain('kind: Config');
  });

  it('records secret references of env and envFrom by name, and the effective service account', () => {
    const p = pickPod(
      pod('apps', 'w', {
        serviceAccountName: undefined,
        serviceAccount: 'legacy',
        containers: [
          {
            name: 'w',
            image: 'x',
            env: [
              { name: 'A', value: 'plain' },
              { name: 'B', valueFrom: { secretKeyRef: { name: 's1', key: 'k' } } },
            ],
            envFrom: [{ secretRef: { name: 's2' } }, { configMapRef: { name: 'c' } }],
          },
        ],
      }),
    );
    expect(p.serviceAccountName).toBe('legacy');
    expect(p.containers[0]?.secretEnv).toEqual([
      { secret: 's1', via: 'env B' },
      { secret: 's2', via: 'envFrom' },
    ]);
    expect(JSON.stringify(p)).not.toContain('plain');
  });

  it('survives malformed objects with explicit defaults', () => {
    const p = pickPod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'odd', namespace: 'x' },
      spec: { containers: 'nope', hostNetwork: 'yes' },
    } as unknown as KubeObject);
    expect(p).toMatchObject({ name: 'odd', serviceAccountName: 'default', hostNetwork: false, containers: [], volumes: [] });
  });
});
