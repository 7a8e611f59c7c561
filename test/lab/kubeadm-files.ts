/**
 * The text of the files kubeadm v1.33 (with the pkgs.k8s.io kubelet package)
 * leaves on a node, for a cluster initialised with
 *   networking: { serviceSubnet: 10.96.0.0/12, podSubnet: 10.244.0.0/16, dnsDomain: cluster.local }
 *   kubernetesVersion: v1.33.4, etcd image 3.5.21-0, encryptionAlgorithm: ECDSA-P256
 * Flags are in kubeadm's order (sorted by name), the YAML is laid out the way
 * sigs.k8s.io/yaml marshals a Pod (keys sorted, lists not indented), so the
 * lab's manifests are byte-for-byte what a real control-plane node carries
 * apart from addresses, names and certificates.
 */
export const KUBERNETES_VERSION = 'v1.33.4';
export const ETCD_IMAGE = 'registry.k8s.io/etcd:3.5.21-0';
export const SERVICE_SUBNET = '10.96.0.0/12';
export const POD_SUBNET = '10.244.0.0/16';
export const CLUSTER_DNS = '10.96.0.10';

export interface ControlPlaneNode {
  name: string;
  ip: string;
}

/** The three sets of CA-certificate volumes kubeadm adds on Debian (all these directories exist there). */
const CA_VOLUMES = {
  mounts: `    - mountPath: /etc/ssl/certs
      name: ca-certs
      readOnly: true
    - mountPath: /etc/ca-certificates
      name: etc-ca-certificates
      readOnly: true
`,
  mountsTail: `    - mountPath: /usr/local/share/ca-certificates
      name: usr-local-share-ca-certificates
      readOnly: true
    - mountPath: /usr/share/ca-certificates
      name: usr-share-ca-certificates
      readOnly: true
`,
  volumes: `  - hostPath:
      path: /etc/ssl/certs
      type: DirectoryOrCreate
    name: ca-certs
  - hostPath:
      path: /etc/ca-certificates
      type: DirectoryOrCreate
    name: etc-ca-certificates
`,
  volumesTail: `  - hostPath:
      path: /usr/local/share/ca-certificates
      type: DirectoryOrCreate
    name: usr-local-share-ca-certificates
  - hostPath:
      path: /usr/share/ca-certificates
      type: DirectoryOrCreate
    name: usr-share-ca-certificates
`,
};

const POD_TAIL = `  hostNetwork: true
  priority: 2000001000
  priorityClassName: system-node-critical
  securityContext:
    seccompProfile:
      type: RuntimeDefault
`;

function commandBlock(words: readonly string[]): string {
  return words.map((w) => `    - ${w}\n`).join('');
}

function probe(kind: 'liveness' | 'readiness' | 'startup', host: string, path: string, port: number, scheme: 'HTTP' | 'HTTPS'): string {
  const http = `      httpGet:
        host: ${host}
        path: ${path}
        port: ${port}
        scheme: ${scheme}
`;
  switch (kind) {
    case 'liveness':
      return `    livenessProbe:
      failureThreshold: 8
${http}      initialDelaySeconds: 10
      periodSeconds: 10
      timeoutSeconds: 15
`;
    case 'readiness':
      return `    readinessProbe:
      failureThreshold: 3
${http}      periodSeconds: 1
      timeoutSeconds: 15
`;
    case 'startup':
      return `    startupProbe:
      failureThreshold: 24
${http}      initialDelaySeconds: 10
      periodSeconds: 10
      timeoutSeconds: 15
`;
  }
}

export function kubeApiserverArgs(node: ControlPlaneNode): string[] {
  return [
    'kube-apiserver',
    `--advertise-address=${node.ip}`,
    '--allow-privileged=true',
    '--authorization-mode=Node,RBAC',
    '--client-ca-file=/etc/kubernetes/pki/ca.crt',
    '--enable-admission-plugins=NodeRestriction',
    '--enable-bootstrap-token-auth=true',
    '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
    '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
    '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
    '--etcd-servers=https://127.0.0.1:2379',
    '--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt',
    '--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key',
    '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
    '--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt',
    '--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key',
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-username-headers=X-Remote-User',
    '--secure-port=6443',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    '--service-account-key-file=/etc/kubernetes/pki/sa.pub',
    '--service-account-signing-key-file=/etc/kubernetes/pki/sa.key',
    `--service-cluster-ip-range=${SERVICE_SUBNET}`,
    '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
    '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
  ];
}

export function kubeApiserverManifest(node: ControlPlaneNode, args: readonly string[] = kubeApiserverArgs(node)): string {
  return `apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint: ${node.ip}:6443
  creationTimestamp: null
  labels:
    component: kube-apiserver
    tier: control-plane
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
${commandBlock(args)}    image: registry.k8s.io/kube-apiserver:${KUBERNETES_VERSION}
    imagePullPolicy: IfNotPresent
${probe('liveness', node.ip, '/livez', 6443, 'HTTPS')}    name: kube-apiserver
${probe('readiness', node.ip, '/readyz', 6443, 'HTTPS')}    resources:
      requests:
        cpu: 250m
${probe('startup', node.ip, '/livez', 6443, 'HTTPS')}    volumeMounts:
${CA_VOLUMES.mounts}    - mountPath: /etc/kubernetes/pki
      name: k8s-certs
      readOnly: true
${CA_VOLUMES.mountsTail}${POD_TAIL}  volumes:
${CA_VOLUMES.volumes}  - hostPath:
      path: /etc/kubernetes/pki
      type: DirectoryOrCreate
    name: k8s-certs
${CA_VOLUMES.volumesTail}status: {}
`;
}

export function kubeControllerManagerArgs(): string[] {
  return [
    'kube-controller-manager',
    '--allocate-node-cidrs=true',
    '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
    '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
    '--bind-address=127.0.0.1',
    '--client-ca-file=/etc/kubernetes/pki/ca.crt',
    `--cluster-cidr=${POD_SUBNET}`,
    '--cluster-name=kubernetes',
    '--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt',
    '--cluster-signing-key-file=/etc/kubernetes/pki/ca.key',
    '--controllers=*,bootstrapsigner,tokencleaner',
    '--kubeconfig=/etc/kubernetes/controller-manager.conf',
    '--leader-elect=true',
    '--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt',
    '--root-ca-file=/etc/kubernetes/pki/ca.crt',
    '--service-account-private-key-file=/etc/kubernetes/pki/sa.key',
    `--service-cluster-ip-range=${SERVICE_SUBNET}`,
    '--use-service-account-credentials=true',
  ];
}

export function kubeControllerManagerManifest(args: readonly string[] = kubeControllerManagerArgs()): string {
  return `apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: null
  labels:
    component: kube-controller-manager
    tier: control-plane
  name: kube-controller-manager
  namespace: kube-system
spec:
  containers:
  - command:
${commandBlock(args)}    image: registry.k8s.io/kube-controller-manager:${KUBERNETES_VERSION}
    imagePullPolicy: IfNotPresent
${probe('liveness', '127.0.0.1', '/healthz', 10257, 'HTTPS')}    name: kube-controller-manager
    resources:
      requests:
        cpu: 200m
${probe('startup', '127.0.0.1', '/healthz', 10257, 'HTTPS')}    volumeMounts:
${CA_VOLUMES.mounts}    - mountPath: /usr/libexec/kubernetes/kubelet-plugins/volume/exec
      name: flexvolume-dir
    - mountPath: /etc/kubernetes/pki
      name: k8s-certs
      readOnly: true
    - mountPath: /etc/kubernetes/controller-manager.conf
      name: kubeconfig
      readOnly: true
${CA_VOLUMES.mountsTail}${POD_TAIL}  volumes:
${CA_VOLUMES.volumes}  - hostPath:
      path: /usr/libexec/kubernetes/kubelet-plugins/volume/exec
      type: DirectoryOrCreate
    name: flexvolume-dir
  - hostPath:
      path: /etc/kubernetes/pki
      type: DirectoryOrCreate
    name: k8s-certs
  - hostPath:
      path: /etc/kubernetes/controller-manager.conf
      type: FileOrCreate
    name: kubeconfig
${CA_VOLUMES.volumesTail}status: {}
`;
}

export function kubeSchedulerArgs(): string[] {
  return [
    'kube-scheduler',
    '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf',
    '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
    '--bind-address=127.0.0.1',
    '--kubeconfig=/etc/kubernetes/scheduler.conf',
    '--leader-elect=true',
  ];
}

export function kubeSchedulerManifest(args: readonly string[] = kubeSchedulerArgs()): string {
  return `apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: null
  labels:
    component: kube-scheduler
    tier: control-plane
  name: kube-scheduler
  namespace: kube-system
spec:
  containers:
  - command:
${commandBlock(args)}    image: registry.k8s.io/kube-scheduler:${KUBERNETES_VERSION}
    imagePullPolicy: IfNotPresent
${probe('liveness', '127.0.0.1', '/livez', 10259, 'HTTPS')}    name: kube-scheduler
${probe('readiness', '127.0.0.1', '/readyz', 10259, 'HTTPS')}    resources:
      requests:
        cpu: 100m
${probe('startup', '127.0.0.1', '/livez', 10259, 'HTTPS')}    volumeMounts:
    - mountPath: /etc/kubernetes/scheduler.conf
      name: kubeconfig
      readOnly: true
${POD_TAIL}  volumes:
  - hostPath:
      path: /etc/kubernetes/scheduler.conf
      type: FileOrCreate
    name: kubeconfig
status: {}
`;
}

/**
 * etcd's command. `members` is the initial cluster as kubeadm writes it: just
 * this node for `kubeadm init`; the existing members plus this node (and
 * --initial-cluster-state=existing) for a control-plane `kubeadm join`.
 * etcd 3.4 (Debian's etcd-server) accepts every one of these flags, so the lab
 * runs them unfiltered.
 */
export function etcdArgs(node: ControlPlaneNode, members: readonly ControlPlaneNode[]): string[] {
  const joining = members.length > 1;
  const args = [
    'etcd',
    `--advertise-client-urls=https://${node.ip}:2379`,
    '--cert-file=/etc/kubernetes/pki/etcd/server.crt',
    '--client-cert-auth=true',
    '--data-dir=/var/lib/etcd',
    '--experimental-initial-corrupt-check=true',
    '--experimental-watch-progress-notify-interval=5s',
    `--initial-advertise-peer-urls=https://${node.ip}:2380`,
    `--initial-cluster=${members.map((m) => `${m.name}=https://${m.ip}:2380`).join(',')}`,
  ];
  if (joining) args.push('--initial-cluster-state=existing');
  args.push(
    '--key-file=/etc/kubernetes/pki/etcd/server.key',
    `--listen-client-urls=https://127.0.0.1:2379,https://${node.ip}:2379`,
    '--listen-metrics-urls=http://127.0.0.1:2381',
    `--listen-peer-urls=https://${node.ip}:2380`,
    `--name=${node.name}`,
    '--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt',
    '--peer-client-cert-auth=true',
    '--peer-key-file=/etc/kubernetes/pki/etcd/peer.key',
    '--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
    '--snapshot-count=10000',
    '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
  );
  return args;
}

export function etcdManifest(node: ControlPlaneNode, args: readonly string[]): string {
  return `apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubeadm.kubernetes.io/etcd.advertise-client-urls: https://${node.ip}:2379
  creationTimestamp: null
  labels:
    component: etcd
    tier: control-plane
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
${commandBlock(args)}    image: ${ETCD_IMAGE}
    imagePullPolicy: IfNotPresent
${probe('liveness', '127.0.0.1', '/livez', 2381, 'HTTP')}    name: etcd
${probe('readiness', '127.0.0.1', '/readyz', 2381, 'HTTP')}    resources:
      requests:
        cpu: 100m
        memory: 100Mi
${probe('startup', '127.0.0.1', '/readyz', 2381, 'HTTP')}    volumeMounts:
    - mountPath: /var/lib/etcd
      name: etcd-data
    - mountPath: /etc/kubernetes/pki/etcd
      name: etcd-certs
${POD_TAIL}  volumes:
  - hostPath:
      path: /etc/kubernetes/pki/etcd
      type: DirectoryOrCreate
    name: etcd-certs
  - hostPath:
      path: /var/lib/etcd
      type: DirectoryOrCreate
    name: etcd-data
status: {}
`;
}

export interface KubeconfigUser {
  name: string;
  /** Embedded client certificate and key (PEM). */
  embedded?: { crt: string; key: string };
  /** Or file references, as kubelet.conf after TLS bootstrap. */
  files?: { crt: string; key: string };
}

export function kubeconfig(server: string, caPem: string, user: KubeconfigUser, clusterName = 'kubernetes'): string {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const contextName = `${user.name}@${clusterName}`;
  let userBlock: string;
  if (user.embedded) {
    userBlock = `    client-certificate-data: ${b64(user.embedded.crt)}
    client-key-data: ${b64(user.embedded.key)}
`;
  } else if (user.files) {
    userBlock = `    client-certificate: ${user.files.crt}
    client-key: ${user.files.key}
`;
  } else {
    throw new Error('kubeconfig user needs embedded or file credentials');
  }
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(caPem)}
    server: ${server}
  name: ${clusterName}
contexts:
- context:
    cluster: ${clusterName}
    user: ${user.name}
  name: ${contextName}
current-context: ${contextName}
kind: Config
preferences: {}
users:
- name: ${user.name}
  user:
${userBlock}`;
}

/** kubelet.conf as the kubelet writes it after TLS bootstrap (on nodes that joined). */
export function kubeletBootstrappedKubeconfig(server: string, caPem: string, clientPem: string): string {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${Buffer.from(caPem, 'utf8').toString('base64')}
    server: ${server}
  name: default-cluster
contexts:
- context:
    cluster: default-cluster
    namespace: default
    user: default-auth
  name: default-context
current-context: default-context
kind: Config
preferences: {}
users:
- name: default-auth
  user:
    client-certificate: ${clientPem}
    client-key: ${clientPem}
`;
}

/** /var/lib/kubelet/config.yaml as kubeadm 1.33 writes it (the KubeletConfiguration with defaults elided). */
export function kubeletConfig(): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- ${CLUSTER_DNS}
clusterDomain: cluster.local
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
crashLoopBackOff: {}
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
resolvConf: /run/systemd/resolve/resolv.conf
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`;
}

export function kubeadmFlagsEnv(extraArgs: readonly string[] = []): string {
  const args = [
    '--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock',
    '--pod-infra-container-image=registry.k8s.io/pause:3.10',
    ...extraArgs,
  ];
  return `KUBELET_KUBEADM_ARGS="${args.join(' ')}"\n`;
}

/** /usr/lib/systemd/system/kubelet.service from the pkgs.k8s.io kubelet package. */
export const KUBELET_SERVICE = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

/** /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf from the pkgs.k8s.io kubeadm package. */
export const KUBEADM_DROPIN = `# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# This is a file that the user can use for overrides of the kubelet args as a last resort. Preferably, the user should use
# the .NodeRegistration.KubeletExtraArgs object in the configuration files instead. KUBELET_EXTRA_ARGS should be sourced from this file.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

/** /etc/default/kubelet as the pkgs.k8s.io kubelet package installs it. */
export const ETC_DEFAULT_KUBELET = 'KUBELET_EXTRA_ARGS=\n';
