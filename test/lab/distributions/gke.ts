import { addKubeadmFiles, MANIFESTS } from '../kubeadm-node.js';
import { OPS } from '../node-base.js';
import { addDir, addFile, makeOpaque, setAttrs, type NodeTree } from '../node-tree.js';
import type { DistributionNodeInput, LabDistribution } from './types.js';

/**
 * A GKE cluster as the customer sees it: Google runs the control plane (the
 * lab's cp-1 stays a kubeadm node that hosts the lab API server, left out of
 * the inventories), and the workers look like GKE nodes (Container-Optimized
 * OS) after configure-helper.sh: the kubelet's KubeletConfiguration is YAML
 * in /home/kubernetes/kubelet-config.yaml, its flags come from
 * /etc/default/kubelet (KUBELET_OPTS), its binary is /home/kubernetes/bin/kubelet,
 * and its kubeconfig (which kube-bench's gke-1.9.0 also takes for kube-proxy's)
 * is /var/lib/kubelet/kubeconfig.
 */
export const GKE_KUBELET_CONFIG = '/home/kubernetes/kubelet-config.yaml';
export const GKE_KUBECONFIG = '/var/lib/kubelet/kubeconfig';
export const GKE_UNIT = '/etc/systemd/system/kubelet.service';
export const GKE_DEFAULT_KUBELET = '/etc/default/kubelet';
export const GKE_CA = '/etc/srv/kubernetes/pki/ca-certificates.crt';
const KUBELET_BIN = '/home/kubernetes/bin/kubelet';
const CLIENT_PEM = '/var/lib/kubelet/pki/kubelet-client-current.pem';

const KUBELET_CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: ${GKE_CA}
authorization:
  mode: Webhook
cgroupRoot: /
clusterDNS:
- 10.52.0.10
clusterDomain: cluster.local
enableDebuggingHandlers: true
evictionHard:
  memory.available: 100Mi
  nodefs.available: 10%
  nodefs.inodesFree: 5%
  pid.available: 10%
featureGates:
  RotateKubeletServerCertificate: true
kind: KubeletConfiguration
kubeReserved:
  cpu: 1060m
  ephemeral-storage: 41Gi
  memory: 1019Mi
readOnlyPort: 10255
serverTLSBootstrap: true
staticPodPath: /etc/kubernetes/manifests
`;

const KUBELET_UNIT = `[Unit]
Description=Kubernetes kubelet
Requires=network-online.target
After=network-online.target

[Service]
Restart=always
RestartSec=10
EnvironmentFile=${GKE_DEFAULT_KUBELET}
ExecStart=${KUBELET_BIN} $KUBELET_OPTS

[Install]
WantedBy=multi-user.target
`;

const defaultKubelet = () =>
  `KUBELET_OPTS="--v=2 --cloud-provider=external --cert-dir=/var/lib/kubelet/pki/ --kubeconfig=${GKE_KUBECONFIG} ` +
  '--max-pods=110 --node-labels=cloud.google.com/gke-nodepool=default-pool,cloud.google.com/gke-os-distribution=cos ' +
  '--volume-plugin-dir=/home/kubernetes/flexvolume --container-runtime-endpoint=unix:///run/containerd/containerd.sock ' +
  `--runtime-cgroups=/system.slice/containerd.service --registry-qps=10 --registry-burst=20 --config ${GKE_KUBELET_CONFIG}"\n`;

const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
users:
- name: kubelet
  user:
    client-certificate: ${CLIENT_PEM}
    client-key: ${CLIENT_PEM}
clusters:
- name: local
  cluster:
    server: ${server}
    certificate-authority: ${GKE_CA}
contexts:
- context:
    cluster: local
    user: kubelet
  name: service-account-context
current-context: service-account-context
`;

/** The drifted worker: the file drifts gke-1.9.0 checks (3.1.x; kube-bench's gke-1.9.0 has no kubelet-setting checks). */
export const GKE_DRIFTS: readonly { readonly what: string; readonly cis: readonly string[]; readonly apply: (tree: NodeTree) => void }[] = [
  {
    what: `${GKE_KUBECONFIG} mode 0666, owner ops:ops`,
    cis: ['3.1.1', '3.1.2'],
    apply: (t) => setAttrs(t, GKE_KUBECONFIG, { mode: 0o666, uid: OPS.uid, gid: OPS.gid }),
  },
  {
    what: `${GKE_KUBELET_CONFIG} mode 0666, owner ops:ops`,
    cis: ['3.1.3', '3.1.4'],
    apply: (t) => setAttrs(t, GKE_KUBELET_CONFIG, { mode: 0o666, uid: OPS.uid, gid: OPS.gid }),
  },
];

async function addGkeWorkerFiles(tree: NodeTree, input: DistributionNodeInput, caPem: string): Promise<void> {
  addDir(tree, '/etc/srv/kubernetes/pki', 0o755);
  addFile(tree, GKE_CA, caPem, 0o644);
  addDir(tree, '/etc/kubernetes', 0o755);
  addDir(tree, MANIFESTS, 0o755);
  await makeOpaque(tree, '/etc/kubernetes');
  addDir(tree, '/home/kubernetes', 0o755);
  addDir(tree, '/home/kubernetes/bin', 0o755);
  addFile(tree, GKE_KUBELET_CONFIG, KUBELET_CONFIG, 0o644);
  tree.set(KUBELET_BIN, { kind: 'copy', from: input.sleeper, mode: 0o755, uid: 0, gid: 0 });
  addDir(tree, '/var/lib/kubelet', 0o755);
  // The kubelet's rotated client certificate would be in pki/; the lab kubelet never talks to the API, so there is none.
  addDir(tree, '/var/lib/kubelet/pki', 0o755);
  await makeOpaque(tree, '/var/lib/kubelet');
  addFile(tree, GKE_KUBECONFIG, kubeconfig(`https://${input.apiEndpoint}`), 0o644);
  addFile(tree, GKE_UNIT, KUBELET_UNIT, 0o644);
  addFile(tree, GKE_DEFAULT_KUBELET, defaultKubelet(), 0o644);
  if (input.scenario === 'drifted') for (const drift of GKE_DRIFTS) drift.apply(tree);
}

export const gke: LabDistribution = {
  name: 'gke',
  summary: 'GKE: provider control plane (cp-1, left out of the inventories); workers as a GKE COS node (YAML /home/kubernetes/kubelet-config.yaml)',
  version: { major: '1', minor: '33', gitVersion: 'v1.33.4-gke.1000', platform: 'linux/amd64' },
  providerControlPlane: true,
  manifestsDir: MANIFESTS,
  async addNodeFiles(tree, input, pki) {
    // The provider's control plane is Google's business: kubeadm's stock files, never drifted.
    if (input.role === 'control-plane') await addKubeadmFiles(tree, input, pki);
    else await addGkeWorkerFiles(tree, input, pki.pem.ca.crt);
  },
  expectedPods: ({ role, cpIndex }) =>
    role === 'control-plane' ? ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', ...(cpIndex === 1 ? ['etcd'] : [])] : [],
  joinsStackedEtcd: true,
  supervisor: 'kubelet-sim.mjs',
};
