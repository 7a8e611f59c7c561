// The objects a kubeadm 1.33 cluster has right after `kubeadm init/join`
// (namespaces, default service accounts, Nodes, mirror pods of the static
// pods, kube-proxy, the bootstrap RBAC that matters), plus the section-5
// violations of the `drifted` scenario. Input: cluster.json written by the
// lab at `up` ({scenario, nodes: [{name, ip, roles, manifests: {file: text}}]}).
import { createHash, randomUUID } from 'node:crypto';
import YAML from 'yaml';

/** Objects are plain JSON. */
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

const RBAC = 'rbac.authorization.k8s.io';
const RBAC_V1 = `${RBAC}/v1`;
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };
const BOOTSTRAP = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

function meta(name, namespace, extra = {}) {
  return { name, ...(namespace ? { namespace } : {}), uid: randomUUID(), ...extra };
}

function hostIp(node) {
  return node.ip;
}

/** The mirror pod of a static pod manifest on `node` (undefined when not a Pod). */
export function mirrorPod(text, node, nodeUid, now = new Date().toISOString().replace(/\.\d+Z$/, 'Z')) {
  const m = YAML.parse(text);
  if (!m || m.kind !== 'Pod' || !m.metadata?.name) return undefined;
  const hash = createHash('md5').update(text).digest('hex');
  const spec = clone(m.spec ?? {});
  spec.nodeName = node.name;
  spec.restartPolicy = spec.restartPolicy ?? 'Always';
  spec.dnsPolicy = spec.dnsPolicy ?? 'ClusterFirst';
  spec.schedulerName = spec.schedulerName ?? 'default-scheduler';
  spec.terminationGracePeriodSeconds = spec.terminationGracePeriodSeconds ?? 30;
  spec.enableServiceLinks = spec.enableServiceLinks ?? true;
  spec.tolerations = spec.tolerations ?? [{ operator: 'Exists', effect: 'NoExecute' }];
  const containers = spec.containers ?? [];
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `${m.metadata.name}-${node.name}`, namespace: 'kube-system', uid: randomUUID(), creationTimestamp: now,
      labels: m.metadata.labels ?? {},
      annotations: {
        ...(m.metadata.annotations ?? {}),
        'kubernetes.io/config.hash': hash, 'kubernetes.io/config.mirror': hash,
        'kubernetes.io/config.seen': new Date().toISOString(), 'kubernetes.io/config.source': 'file',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: nodeUid ?? '', controller: true }],
    },
    spec,
    status: {
      phase: 'Running', hostIP: hostIp(node), hostIPs: [{ ip: hostIp(node) }], podIP: node.ip, podIPs: [{ ip: node.ip }],
      qosClass: 'Burstable', startTime: now,
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: now })),
      containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })),
    },
  };
}

function rule(apiGroups, resources, verbs, extra = {}) {
  return { apiGroups, resources, verbs, ...extra };
}

const RW = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const RO = ['get', 'list', 'watch'];

function bootstrapRbac() {
  const cr = (name, rules, extra = {}) => ({ resource: 'clusterroles', object: { apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: meta(name, undefined, { annotations: AUTOUPDATE, labels: { ...BOOTSTRAP, ...(extra.labels ?? {}) } }), ...(extra.aggregationRule ? { aggregationRule: extra.aggregationRule } : {}), rules } });
  const crb = (name, role, subjects, annotations = AUTOUPDATE, labels = BOOTSTRAP) => ({
    resource: 'clusterrolebindings',
    object: { apiVersion: RBAC_V1, kind: 'ClusterRoleBinding', metadata: meta(name, undefined, { ...(annotations ? { annotations } : {}), ...(labels ? { labels } : {}) }), roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: role }, subjects },
  });
  const group = (name) => ({ apiGroup: RBAC, kind: 'Group', name });
  const agg = (to) => ({ [`rbac.authorization.k8s.io/aggregate-to-${to}`]: 'true' });
  const viewRules = [
    rule([''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'], RO),
    rule([''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], RO),
    rule([''], ['namespaces'], RO),
    rule(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], RO),
    rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], RO),
  ];
  const editRules = [
    rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], RO),
    rule([''], ['serviceaccounts'], ['impersonate']),
    rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], RW),
    rule([''], ['pods/eviction'], ['create']),
    rule([''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], RW),
    rule([''], ['serviceaccounts/token'], ['create']),
    rule(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], RW),
    rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], RW),
    rule(['coordination.k8s.io'], ['leases'], [...RO, ...RW]),
  ];
  const adminRules = [
    rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
    rule([RBAC], ['rolebindings', 'roles'], [...RW, ...RO]),
  ];
  return [
    cr('cluster-admin', [rule(['*'], ['*'], ['*']), { nonResourceURLs: ['*'], verbs: ['*'] }]),
    // The aggregated roles: rules are the union of the aggregate-to-* roles (as the controller computes them).
    cr('admin', [...adminRules, ...editRules, ...viewRules], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: agg('admin') }] } }),
    cr('edit', [...editRules, ...viewRules], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: agg('edit') }] }, labels: agg('admin') }),
    cr('view', viewRules, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: agg('view') }] }, labels: agg('edit') }),
    cr('system:aggregate-to-admin', adminRules, { labels: agg('admin') }),
    cr('system:aggregate-to-edit', editRules, { labels: agg('edit') }),
    cr('system:aggregate-to-view', viewRules, { labels: agg('view') }),
    cr('system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
    cr('system:basic-user', [rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']), rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create'])]),
    cr('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
    cr('system:node', [rule([''], ['nodes'], ['create', 'get', 'list', 'watch', 'patch', 'update']), rule([''], ['pods'], ['get', 'list', 'watch', 'create', 'delete']), rule([''], ['pods/status', 'nodes/status'], ['patch', 'update']), rule(['coordination.k8s.io'], ['leases'], ['create', 'delete', 'get', 'patch', 'update'])]),
    cr('system:node-proxier', [rule([''], ['endpoints', 'services'], ['list', 'watch']), rule([''], ['nodes'], ['get', 'list', 'watch']), rule(['', 'events.k8s.io'], ['events'], ['create', 'patch', 'update']), rule(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch'])]),
    cr('system:kube-scheduler', [rule(['coordination.k8s.io'], ['leases'], ['create']), rule(['coordination.k8s.io'], ['leases'], ['get', 'update'], { resourceNames: ['kube-scheduler'] }), rule([''], ['nodes', 'pods', 'namespaces'], RO)]),
    cr('system:kube-controller-manager', [rule(['coordination.k8s.io'], ['leases'], ['create']), rule(['coordination.k8s.io'], ['leases'], ['get', 'update'], { resourceNames: ['kube-controller-manager'] }), rule(['*'], ['*'], ['list', 'watch'])]),
    crb('cluster-admin', 'cluster-admin', [group('system:masters')]),
    crb('kubeadm:cluster-admins', 'cluster-admin', [group('kubeadm:cluster-admins')], undefined, undefined),
    crb('system:discovery', 'system:discovery', [group('system:authenticated')]),
    crb('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
    crb('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
    crb('system:kube-scheduler', 'system:kube-scheduler', [{ apiGroup: RBAC, kind: 'User', name: 'system:kube-scheduler' }]),
    crb('system:kube-controller-manager', 'system:kube-controller-manager', [{ apiGroup: RBAC, kind: 'User', name: 'system:kube-controller-manager' }]),
    crb('kubeadm:node-proxier', 'system:node-proxier', [{ kind: 'ServiceAccount', name: 'kube-proxy', namespace: 'kube-system' }], undefined, undefined),
    crb('kubeadm:get-nodes', 'kubeadm:get-nodes', [group('system:bootstrappers:kubeadm:default-node-token')], undefined, undefined),
    { resource: 'clusterroles', object: { apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: meta('kubeadm:get-nodes'), rules: [rule([''], ['nodes'], ['get'])] } },
  ];
}

const KUBE_PROXY_CONFIG = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: ""
  interfaceNamePrefix: ""
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: ""
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForAlphaGates: false
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: ""`;

const KUBE_PROXY_KUBECONFIG = (server) => `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: ${server}
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token`;

function kubeProxyPodSpec() {
  return {
    containers: [{
      name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.33.4', imagePullPolicy: 'IfNotPresent',
      command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
      env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
      securityContext: { privileged: true },
      volumeMounts: [{ mountPath: '/var/lib/kube-proxy', name: 'kube-proxy' }, { mountPath: '/run/xtables.lock', name: 'xtables-lock' }, { mountPath: '/lib/modules', name: 'lib-modules', readOnly: true }],
    }],
    dnsPolicy: 'ClusterFirst', hostNetwork: true, nodeSelector: { 'kubernetes.io/os': 'linux' }, priorityClassName: 'system-node-critical',
    restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccount: 'kube-proxy', serviceAccountName: 'kube-proxy', terminationGracePeriodSeconds: 30,
    tolerations: [{ operator: 'Exists' }],
    volumes: [
      { name: 'kube-proxy', configMap: { name: 'kube-proxy', defaultMode: 420 } },
      { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
      { name: 'lib-modules', hostPath: { path: '/lib/modules', type: '' } },
    ],
  };
}

/** Section-5 violations of the `drifted` scenario (documented in test/lab/README.md). */
function driftedObjects(nodes, now) {
  const worker = nodes.find((n) => n.roles.includes('worker')) ?? nodes[0];
  const running = (ip) => ({ phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: worker.ip, qosClass: 'BestEffort', startTime: now });
  const pod = (name, ns, spec, ip) => ({ resource: 'pods', object: { apiVersion: 'v1', kind: 'Pod', metadata: meta(name, ns, { labels: { app: name } }), spec: { nodeName: worker.name, restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', serviceAccountName: 'default', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler', ...spec }, status: { ...running(ip), containerStatuses: spec.containers.map((c) => ({ name: c.name, image: c.image, imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })) } } });
  const user = (name) => ({ apiGroup: RBAC, kind: 'User', name });
  return [
    ...['apps', 'web'].flatMap((ns) => [
      { resource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns, undefined, { labels: { 'kubernetes.io/metadata.name': ns } }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } },
      { resource: 'serviceaccounts', object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', ns) } },
    ]),
    // 5.1.1 cluster-admin used outside break-glass
    { resource: 'clusterrolebindings', object: { apiVersion: RBAC_V1, kind: 'ClusterRoleBinding', metadata: meta('alice-admin'), roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [user('alice')] } },
    // 5.1.2 access to secrets
    { resource: 'clusterroles', object: { apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: meta('secret-reader'), rules: [rule([''], ['secrets'], ['get', 'list'])] } },
    { resource: 'clusterrolebindings', object: { apiVersion: RBAC_V1, kind: 'ClusterRoleBinding', metadata: meta('bob-secret-reader'), roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'secret-reader' }, subjects: [user('bob')] } },
    // 5.1.3 wildcards
    { resource: 'roles', object: { apiVersion: RBAC_V1, kind: 'Role', metadata: meta('apps-wildcard', 'apps'), rules: [rule(['*'], ['*'], ['*'])] } },
    { resource: 'rolebindings', object: { apiVersion: RBAC_V1, kind: 'RoleBinding', metadata: meta('carol-wildcard', 'apps'), roleRef: { apiGroup: RBAC, kind: 'Role', name: 'apps-wildcard' }, subjects: [user('carol')] } },
    // 5.1.4 create pods
    { resource: 'roles', object: { apiVersion: RBAC_V1, kind: 'Role', metadata: meta('pod-creator', 'web'), rules: [rule([''], ['pods'], ['create', 'get', 'list'])] } },
    { resource: 'rolebindings', object: { apiVersion: RBAC_V1, kind: 'RoleBinding', metadata: meta('dave-pod-creator', 'web'), roleRef: { apiGroup: RBAC, kind: 'Role', name: 'pod-creator' }, subjects: [user('dave')] } },
    // 5.2.x / baseline violation: privileged, hostPath
    pod('privileged-agent', 'web', {
      containers: [{ name: 'agent', image: 'busybox:1.36', command: ['sleep', 'infinity'], securityContext: { privileged: true }, volumeMounts: [{ name: 'host-root', mountPath: '/host' }] }],
      volumes: [{ name: 'host-root', hostPath: { path: '/', type: 'Directory' } }],
    }, '10.244.1.10'),
    // baseline-clean, not restricted
    pod('api', 'apps', { containers: [{ name: 'api', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }] }, '10.244.1.11'),
    // 5.4.1 secret in an environment variable
    pod('worker', 'apps', {
      containers: [{ name: 'worker', image: 'busybox:1.36', command: ['sleep', 'infinity'], env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } }], securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } } }],
    }, '10.244.1.12'),
    { resource: 'secrets', object: { apiVersion: 'v1', kind: 'Secret', metadata: meta('db-credentials', 'apps'), type: 'Opaque', data: { password: Buffer.from('lab-not-a-secret').toString('base64') } } },
    // 5.6.4 workload in the default namespace
    pod('legacy-app', 'default', { containers: [{ name: 'app', image: 'nginx:1.27' }] }, '10.244.1.13'),
  ];
}

/** [{resource, object}] to store at first start (resourceVersions are set by the caller). */
export function seedObjects(cluster, now) {
  const out = [];
  const add = (resource, object) => {
    object.metadata.creationTimestamp = object.metadata.creationTimestamp ?? now;
    out.push({ resource, object });
  };
  for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
    add('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns, undefined, { labels: { 'kubernetes.io/metadata.name': ns } }), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    add('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', ns) });
  }
  const nodeUids = new Map();
  for (const n of cluster.nodes) {
    const cp = n.roles.includes('control-plane');
    const labels = {
      'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux',
      ...(cp ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
    };
    const m = meta(n.name, undefined, { labels, annotations: { 'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock', 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } });
    nodeUids.set(n.name, m.uid);
    add('nodes', {
      apiVersion: 'v1', kind: 'Node', metadata: m,
      spec: { podCIDR: `10.244.${cluster.nodes.indexOf(n)}.0/24`, podCIDRs: [`10.244.${cluster.nodes.indexOf(n)}.0/24`], ...(cp ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}) },
      status: {
        addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
        conditions: [
          { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
          { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
          { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
          { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
        ].map((c) => ({ ...c, lastHeartbeatTime: now, lastTransitionTime: now })),
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: 'amd64', bootID: randomUUID(), containerRuntimeVersion: 'containerd://1.7.27', kernelVersion: cluster.kernelVersion ?? '6.1.0-lab',
          kubeProxyVersion: '', kubeletVersion: 'v1.33.4', machineID: createHash('md5').update(n.name).digest('hex'), operatingSystem: 'linux',
          osImage: 'Debian GNU/Linux 12 (bookworm)', systemUUID: randomUUID(),
        },
      },
    });
    add('leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta(n.name, 'kube-node-lease', { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: n.name, uid: m.uid }] }), spec: { holderIdentity: n.name, leaseDurationSeconds: 40, renewTime: new Date().toISOString() } });
    for (const text of Object.values(n.manifests ?? {})) {
      try {
        const p = mirrorPod(text, n, m.uid, now);
        if (p) add('pods', p);
      } catch { /* not a pod */ }
    }
  }
  const cp1 = cluster.nodes.find((n) => n.roles.includes('control-plane')) ?? cluster.nodes[0];
  for (const name of ['kube-controller-manager', 'kube-scheduler']) {
    add('leases', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta(name, 'kube-system'), spec: { holderIdentity: `${cp1.name}_${randomUUID()}`, leaseDurationSeconds: 15, leaseTransitions: 0, acquireTime: new Date().toISOString(), renewTime: new Date().toISOString() } });
  }
  // kube-proxy as kubeadm's addon phase creates it
  add('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('kube-proxy', 'kube-system') });
  add('configmaps', {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('kube-proxy', 'kube-system', { labels: { app: 'kube-proxy' }, annotations: { 'kubeadm.kubernetes.io/component-config.hash': `sha256:${createHash('sha256').update(KUBE_PROXY_CONFIG).digest('hex')}` } }),
    data: { 'config.conf': `${KUBE_PROXY_CONFIG}\n`, 'kubeconfig.conf': `${KUBE_PROXY_KUBECONFIG(`https://${cp1.ip}:6443`)}\n` },
  });
  const ds = meta('kube-proxy', 'kube-system', { labels: { 'k8s-app': 'kube-proxy' }, generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } });
  const count = cluster.nodes.length;
  add('daemonsets', {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: ds,
    spec: {
      revisionHistoryLimit: 10, selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
      template: { metadata: { labels: { 'k8s-app': 'kube-proxy' } }, spec: kubeProxyPodSpec() },
      updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
    },
    status: { currentNumberScheduled: count, desiredNumberScheduled: count, numberAvailable: count, numberMisscheduled: 0, numberReady: count, observedGeneration: 1, updatedNumberScheduled: count },
  });
  for (const n of cluster.nodes) {
    const suffix = createHash('sha1').update(`kube-proxy/${n.name}`).digest('hex').replace(/[^a-z]/g, '').slice(0, 5).padEnd(5, 'x');
    add('pods', {
      apiVersion: 'v1', kind: 'Pod',
      metadata: meta(`kube-proxy-${suffix}`, 'kube-system', { generateName: 'kube-proxy-', labels: { 'controller-revision-hash': '7bb84c4984', 'k8s-app': 'kube-proxy', 'pod-template-generation': '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'kube-proxy', uid: ds.uid, controller: true, blockOwnerDeletion: true }] }),
      spec: { ...kubeProxyPodSpec(), nodeName: n.name },
      status: { phase: 'Running', hostIP: n.ip, podIP: n.ip, podIPs: [{ ip: n.ip }], qosClass: 'BestEffort', startTime: now, containerStatuses: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.33.4', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } }] },
    });
  }
  add('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('kubeadm-config', 'kube-system'), data: { ClusterConfiguration: `apiServer: {}\napiVersion: kubeadm.k8s.io/v1beta4\ncertificatesDir: /etc/kubernetes/pki\nclusterName: kubernetes\ncontrolPlaneEndpoint: ${cp1.ip}:6443\nkind: ClusterConfiguration\nkubernetesVersion: v1.33.4\nnetworking:\n  dnsDomain: cluster.local\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/12\n` } });
  for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) {
    add('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('kube-root-ca.crt', ns), data: { 'ca.crt': cluster.caCrt ?? '' } });
  }
  for (const o of bootstrapRbac()) add(o.resource, o.object);
  if (cluster.scenario === 'drifted') {
    for (const o of driftedObjects(cluster.nodes, now)) {
      add(o.resource, o.object);
      if (o.resource === 'namespaces') add('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('kube-root-ca.crt', o.object.metadata.name), data: { 'ca.crt': cluster.caCrt ?? '' } });
    }
  }
  return out;
}
