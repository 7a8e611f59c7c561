/**
 * A kubeadm cluster as the API returns it (raw objects), turned into
 * ClusterFacts through the real pickers. Tests change one thing at a time
 * with `with…` helpers.
 */
import type { ClusterContext } from '../../../../src/evaluate/cluster/cluster-context.js';
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
} from '../../../../src/facts/cluster/pick-objects.js';
import type { ClusterFacts } from '../../../../src/facts/cluster/types.js';
import type { KubeObject } from '../../../../src/transport/cluster-client.js';
import type { BenchmarkId, ParameterValue } from '../../../../src/playbook/types.js';

let rv = 100;
function meta(name: string, namespace?: string, extra: Record<string, unknown> = {}) {
  return { name, ...(namespace ? { namespace } : {}), resourceVersion: String(rv++), uid: `uid-${name}`, ...extra };
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(name, undefined, { labels: { 'kubernetes.io/metadata.name': name, ...labels } }),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function serviceAccount(namespace: string, name = 'default', automount?: boolean): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(name, namespace),
    ...(automount !== undefined ? { automountServiceAccountToken: automount } : {}),
  };
}

export function pod(namespace: string, name: string, spec: Record<string, unknown>, extraMeta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(name, namespace, extraMeta),
    spec: { serviceAccountName: 'default', containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec },
    status: { phase: 'Running' },
  };
}

export function clusterRole(
  name: string,
  rules: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
  annotations: Record<string, string> = {},
): KubeObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name, undefined, { annotations }), rules, ...extra };
}

export function role(namespace: string, name: string, rules: Record<string, unknown>[]): KubeObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(name, namespace), rules };
}

export function clusterRoleBinding(name: string, roleName: string, subjects: Record<string, unknown>[], annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta(name, undefined, { annotations }),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects,
  };
}

export function roleBinding(
  namespace: string,
  name: string,
  roleKind: 'Role' | 'ClusterRole',
  roleName: string,
  subjects: Record<string, unknown>[],
): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(name, namespace),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName },
    subjects,
  };
}

const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

export const KUBE_PROXY_CONFIG = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
clientConnection:
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
clusterCIDR: 10.244.0.0/16
kind: KubeProxyConfiguration
# metrics for the node's Prometheus
metricsBindAddress: 0.0.0.0:10249
mode: ""
`;

export interface RawCluster {
  namespaces: KubeObject[];
  serviceAccounts: KubeObject[];
  pods: KubeObject[];
  nodes: KubeObject[];
  clusterRoles: KubeObject[];
  clusterRoleBindings: KubeObject[];
  roles: KubeObject[];
  roleBindings: KubeObject[];
  networkPolicies: KubeObject[];
  kubeProxyConfigMap: KubeObject[];
  kubeProxyDaemonSet: KubeObject[];
}

/** kubeadm 1.33 after init, plus an application namespace `web` with one privileged pod and a compliant one. */
export function kubeadmCluster(): RawCluster {
  const namespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'web'];
  return {
    namespaces: namespaces.map((n) => namespace(n)),
    serviceAccounts: [...namespaces.map((n) => serviceAccount(n)), serviceAccount('kube-system', 'kube-proxy'), serviceAccount('web', 'api')],
    pods: [
      pod(
        'kube-system',
        'kube-proxy-7xk2p',
        {
          serviceAccountName: 'kube-proxy',
          hostNetwork: true,
          containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.33.1', securityContext: { privileged: true } }],
          volumes: [
            { name: 'kube-proxy', configMap: { name: 'kube-proxy' } },
            { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
          ],
        },
        { ownerReferences: [{ kind: 'DaemonSet', name: 'kube-proxy' }] },
      ),
      pod(
        'kube-system',
        'etcd-cp-1',
        { hostNetwork: true, volumes: [{ name: 'etcd-data', hostPath: { path: '/var/lib/etcd', type: 'DirectoryOrCreate' } }] },
        { annotations: { 'kubernetes.io/config.mirror': 'abc' } },
      ),
      pod('web', 'priv-pod', { containers: [{ name: 'app', image: 'busybox', securityContext: { privileged: true } }] }),
      pod('web', 'api-5d8f', {
        serviceAccountName: 'api',
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'api', image: 'api:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      }),
      pod('default', 'nginx', {
        containers: [{ name: 'nginx', image: 'nginx', env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }],
      }),
    ],
    nodes: [
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: meta('cp-1', undefined, { labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'cp-1' } }),
        status: {
          addresses: [
            { type: 'InternalIP', address: '10.0.0.10' },
            { type: 'Hostname', address: 'cp-1' },
          ],
          nodeInfo: { kubeletVersion: 'v1.33.1' },
        },
      },
    ],
    clusterRoles: [
      clusterRole(
        'cluster-admin',
        [
          { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
          { nonResourceURLs: ['*'], verbs: ['*'] },
        ],
        {},
        AUTOUPDATE,
      ),
      clusterRole(
        'admin',
        [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'create'] }],
        { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }] } },
        AUTOUPDATE,
      ),
      clusterRole(
        'system:controller:replicaset-controller',
        [{ apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'list', 'patch', 'watch'] }],
        {},
        AUTOUPDATE,
      ),
      clusterRole('secret-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }]),
      clusterRole('view-pods', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]),
    ],
    clusterRoleBindings: [
      clusterRoleBinding('cluster-admin', 'cluster-admin', [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }], AUTOUPDATE),
      clusterRoleBinding('kubeadm:cluster-admins', 'cluster-admin', [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'kubeadm:cluster-admins' }]),
      clusterRoleBinding('alice-admin', 'cluster-admin', [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' },
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' },
      ]),
      clusterRoleBinding(
        'system:controller:replicaset-controller',
        'system:controller:replicaset-controller',
        [{ kind: 'ServiceAccount', name: 'replicaset-controller', namespace: 'kube-system' }],
        AUTOUPDATE,
      ),
    ],
    roles: [role('web', 'deployer', [{ apiGroups: ['apps'], resources: ['*'], verbs: ['*'] }])],
    roleBindings: [roleBinding('web', 'ci-admin', 'ClusterRole', 'admin', [{ kind: 'ServiceAccount', name: 'ci', namespace: 'web' }])],
    networkPolicies: [],
    kubeProxyConfigMap: [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta('kube-proxy', 'kube-system'),
        data: { 'config.conf': KUBE_PROXY_CONFIG, 'kubeconfig.conf': 'apiVersion: v1\nkind: Config\n' },
      },
    ],
    kubeProxyDaemonSet: [
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: meta('kube-proxy', 'kube-system'),
        spec: {
          template: {
            metadata: { labels: { 'k8s-app': 'kube-proxy' } },
            spec: {
              containers: [
                { name: 'kube-proxy', command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'] },
              ],
            },
          },
        },
      },
    ],
  };
}

export function factsOf(raw: RawCluster): ClusterFacts {
  const ok = <T>(items: T[]) => ({ ok: true as const, items });
  return {
    server: 'https://10.0.0.10:6443',
    version: { major: '1', minor: '33', gitVersion: 'v1.33.1' },
    namespaces: ok(raw.namespaces.map(pickNamespace)),
    serviceAccounts: ok(raw.serviceAccounts.map(pickServiceAccount)),
    pods: ok(raw.pods.map(pickPod)),
    nodes: ok(raw.nodes.map(pickNode)),
    clusterRoles: ok(raw.clusterRoles.map(pickRole)),
    clusterRoleBindings: ok(raw.clusterRoleBindings.map(pickBinding)),
    roles: ok(raw.roles.map(pickRole)),
    roleBindings: ok(raw.roleBindings.map(pickBinding)),
    networkPolicies: ok(raw.networkPolicies.map(pickNetworkPolicy)),
    kubeProxyConfigMap: ok(raw.kubeProxyConfigMap.map(pickKubeProxyConfigMap)),
    kubeProxyDaemonSet: ok(raw.kubeProxyDaemonSet.map(pickKubeProxyDaemonSet)),
  };
}

export function contextOf(raw: RawCluster, parameters: Record<string, ParameterValue> = {}, benchmark: BenchmarkId = 'cis-1.12'): ClusterContext {
  return { benchmark, facts: factsOf(raw), parameters };
}

/** The playbook defaults that matter for section 5 (as resolveParameters would give them). */
export const DEFAULT_PARAMETERS: Record<string, ParameterValue> = {
  podSecurityLevels: { '*': 'baseline' },
  podSecurityWarnLevel: 'restricted',
  podSecurityAuditLevel: 'restricted',
};
