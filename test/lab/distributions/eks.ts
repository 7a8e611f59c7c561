import { addKubeadmFiles, MANIFESTS } from '../kubeadm-node.js';
import { OPS } from '../node-base.js';
import { addDir, addFile, fileText, makeOpaque, setAttrs, setFileText, type NodeTree } from '../node-tree.js';
import type { DistributionNodeInput, LabDistribution } from './types.js';

/**
 * An EKS cluster as the customer sees it: AWS runs the control plane (the
 * lab's cp-1 stays a kubeadm node that hosts the lab API server, left out of
 * the inventories), and the workers look like nodes of the EKS optimized
 * Amazon Linux 2 AMI after /etc/eks/bootstrap.sh
 * (github.com/awslabs/amazon-eks-ami, templates/al2): the kubelet reads a
 * pretty-printed JSON KubeletConfiguration, its kubeconfig authenticates with
 * aws-iam-authenticator (no key material on the node), and the unit and its
 * drop-ins live in /etc/systemd/system.
 */
export const EKS_KUBELET_CONFIG = '/etc/kubernetes/kubelet/kubelet-config.json';
export const EKS_KUBECONFIG = '/var/lib/kubelet/kubeconfig';
export const EKS_UNIT = '/etc/systemd/system/kubelet.service';
export const EKS_DROP_IN_DIR = '/etc/systemd/system/kubelet.service.d';
export const EKS_ARGS_DROP_IN = `${EKS_DROP_IN_DIR}/10-kubelet-args.conf`;
export const EKS_EXTRA_ARGS_DROP_IN = `${EKS_DROP_IN_DIR}/30-kubelet-extra-args.conf`;
export const EKS_CA = '/etc/kubernetes/pki/ca.crt';

const CIPHERS = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
];

/** The AMI's kubelet-config.json as bootstrap.sh leaves it (its jq edits add DNS, reservations and maxPods at the end). */
function kubeletConfig(): Record<string, unknown> {
  return {
    kind: 'KubeletConfiguration',
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    address: '0.0.0.0',
    authentication: {
      anonymous: { enabled: false },
      webhook: { cacheTTL: '2m0s', enabled: true },
      x509: { clientCAFile: EKS_CA },
    },
    authorization: { mode: 'Webhook', webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' } },
    clusterDomain: 'cluster.local',
    hairpinMode: 'hairpin-veth',
    readOnlyPort: 0,
    cgroupDriver: 'systemd',
    cgroupRoot: '/',
    featureGates: { RotateKubeletServerCertificate: true },
    protectKernelDefaults: true,
    serializeImagePulls: false,
    serverTLSBootstrap: true,
    tlsCipherSuites: CIPHERS,
    registryPullQPS: 20,
    registryBurst: 40,
    clusterDNS: ['10.100.0.10'],
    kubeAPIQPS: 10,
    kubeAPIBurst: 20,
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%' },
    kubeReserved: { cpu: '70m', 'ephemeral-storage': '1Gi', memory: '442Mi' },
    systemReservedCgroup: '/system',
    kubeReservedCgroup: '/runtime',
    maxPods: 17,
  };
}

/** jq's output: 2-space indentation, one array element per line, a final newline. */
const asJq = (data: unknown) => `${JSON.stringify(data, null, 2)}\n`;

const KUBELET_UNIT = `[Unit]
Description=Kubernetes Kubelet
Documentation=https://github.com/kubernetes/kubernetes
After=containerd.service sandbox-image.service
Requires=containerd.service sandbox-image.service

[Service]
Slice=runtime.slice
ExecStartPre=/sbin/iptables -P FORWARD ACCEPT -w 5
ExecStart=/usr/bin/kubelet \\
    --config ${EKS_KUBELET_CONFIG} \\
    --kubeconfig ${EKS_KUBECONFIG} \\
    --container-runtime-endpoint unix:///run/containerd/containerd.sock \\
    --image-credential-provider-config /etc/eks/image-credential-provider/config.json \\
    --image-credential-provider-bin-dir /etc/eks/image-credential-provider \\
    $KUBELET_ARGS \\
    $KUBELET_EXTRA_ARGS

Restart=on-failure
RestartForceExitStatus=SIGPIPE
RestartSec=5
KillMode=process
CPUAccounting=true
MemoryAccounting=true

[Install]
WantedBy=multi-user.target
`;

const argsDropIn = (ip: string) =>
  `[Service]\nEnvironment='KUBELET_ARGS=--node-ip=${ip} --pod-infra-container-image=602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/pause:3.5 --v=2'\n`;
const extraArgsDropIn = (extra: string) => `[Service]\nEnvironment='KUBELET_EXTRA_ARGS=${extra}'\n`;
const NODE_LABELS = '--node-labels=eks.amazonaws.com/nodegroup=lab-workers,eks.amazonaws.com/capacityType=ON_DEMAND';

const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: ${EKS_CA}
    server: ${server}
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubelet
  name: kubelet
current-context: kubelet
users:
- name: kubelet
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: /usr/bin/aws-iam-authenticator
      args:
        - "token"
        - "-i"
        - "lab"
        - --region
        - "eu-west-1"
`;

/**
 * The drifted worker: hand edits that fail eks-1.8.0 3.1.x and 3.2.x while
 * the kubelet still starts. 3.2.7 (eventRecordQPS) is not drifted: the only
 * values kube-bench fails (negative, not a number) are ones a kubelet
 * refuses to start with. A zero streaming timeout is a flag: in the config
 * file the kubelet replaces a zero by its default of 4h, so only the flag
 * really disables it. test/lab/README.md documents the same list.
 */
export const EKS_DRIFTS: readonly { readonly what: string; readonly cis: readonly string[]; readonly apply: (tree: NodeTree) => void }[] = [
  {
    what: `${EKS_KUBECONFIG} mode 0666, owner ops:ops`,
    cis: ['3.1.1', '3.1.2'],
    apply: (t) => setAttrs(t, EKS_KUBECONFIG, { mode: 0o666, uid: OPS.uid, gid: OPS.gid }),
  },
  {
    what: `${EKS_KUBELET_CONFIG} mode 0666, owner ops:ops`,
    cis: ['3.1.3', '3.1.4'],
    apply: (t) => setAttrs(t, EKS_KUBELET_CONFIG, { mode: 0o666, uid: OPS.uid, gid: OPS.gid }),
  },
  {
    what:
      'kubelet-config.json: authentication.anonymous.enabled true, authentication.x509 removed, authorization.mode AlwaysAllow, ' +
      'makeIPTablesUtilChains false, rotateCertificates false, featureGates.RotateKubeletServerCertificate false',
    cis: ['3.2.1', '3.2.2', '3.2.3', '3.2.6', '3.2.8', '3.2.9'],
    apply: (t) => {
      const data = JSON.parse(fileText(t, EKS_KUBELET_CONFIG)) as {
        authentication: { anonymous: { enabled: boolean }; x509?: unknown };
        authorization: { mode: string };
        featureGates: Record<string, boolean>;
      } & Record<string, unknown>;
      data.authentication.anonymous.enabled = true;
      delete data.authentication.x509;
      data.authorization.mode = 'AlwaysAllow';
      data.featureGates.RotateKubeletServerCertificate = false;
      Object.assign(data, { makeIPTablesUtilChains: false, rotateCertificates: false });
      setFileText(t, EKS_KUBELET_CONFIG, asJq(data));
    },
  },
  {
    what: `${EKS_EXTRA_ARGS_DROP_IN}: --read-only-port=10255 --streaming-connection-idle-timeout=0 in KUBELET_EXTRA_ARGS ` + '(flags win over the config file)',
    cis: ['3.2.4', '3.2.5'],
    apply: (t) => setFileText(t, EKS_EXTRA_ARGS_DROP_IN, extraArgsDropIn(`${NODE_LABELS} --read-only-port=10255 --streaming-connection-idle-timeout=0`)),
  },
];

/**
 * Scenario `variant`: a worker of the EKS optimized Amazon Linux 2023 AMI
 * after `nodeadm init` (github.com/awslabs/amazon-eks-ami, nodeadm), drifted
 * in the same controls' spirit but laid out differently from AL2:
 * - the config file is /etc/kubernetes/kubelet/config.json (a later entry of
 *   kube-bench's $kubeletconf candidates), written by Go's
 *   json.MarshalIndent: 4-space indentation, other key order, no final newline;
 * - nodeadm's flags come from the EnvironmentFile /etc/eks/kubelet/environment
 *   (NODEADM_KUBELET_ARGS, generated: never edited), the unit names the config
 *   and kubeconfig with `--flag value`;
 * - the drift: keys kube-bench reads are missing (readOnlyPort, featureGates,
 *   authentication.x509), authorization.mode AlwaysAllow and
 *   makeIPTablesUtilChains false in the JSON, and an operator's drop-in
 *   90-debug.conf whose KUBELET_EXTRA_ARGS (double-quoted, after a comment)
 *   turns anonymous auth on, opens the read-only port with the
 *   space-separated `--read-only-port 10255`, disables certificate rotation
 *   and turns RotateKubeletServerCertificate off among other gates, its
 *   value continued on a second line (systemd's trailing backslash); the
 *   kubeconfig 0660 root:ops, the config file 0664 ops:root.
 */
export const AL2023_KUBELET_CONFIG = '/etc/kubernetes/kubelet/config.json';
export const AL2023_ENVIRONMENT = '/etc/eks/kubelet/environment';
export const AL2023_DEBUG_DROP_IN = `${EKS_DROP_IN_DIR}/90-debug.conf`;

/** nodeadm's config.json: Go's encoding/json of its KubeletConfiguration struct (the struct's field order, not AL2's). */
function al2023KubeletConfig(): Record<string, unknown> {
  return {
    kind: 'KubeletConfiguration',
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    address: '0.0.0.0',
    authentication: { anonymous: { enabled: false }, webhook: { cacheTTL: '2m0s', enabled: true }, x509: { clientCAFile: EKS_CA } },
    authorization: { mode: 'Webhook', webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' } },
    cgroupDriver: 'systemd',
    cgroupRoot: '/',
    clusterDNS: ['10.100.0.10'],
    clusterDomain: 'cluster.local',
    containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%' },
    featureGates: { RotateKubeletServerCertificate: true },
    hairpinMode: 'hairpin-veth',
    kubeReserved: { cpu: '70m', 'ephemeral-storage': '1Gi', memory: '442Mi' },
    logging: { verbosity: 2 },
    maxPods: 17,
    protectKernelDefaults: true,
    providerID: 'aws:///eu-west-1a/i-0123456789abcdef0',
    readOnlyPort: 0,
    serializeImagePulls: false,
    serverTLSBootstrap: true,
    shutdownGracePeriod: '2m30s',
    shutdownGracePeriodCriticalPods: '30s',
    systemReservedCgroup: '/system',
    tlsCipherSuites: CIPHERS,
  };
}

/** Go's json.MarshalIndent(v, "", "    "), written without a final newline. */
const asGoJson = (data: unknown) => JSON.stringify(data, null, 4);

const AL2023_UNIT = `[Unit]
Description=Kubernetes Kubelet
Documentation=https://github.com/kubernetes/kubernetes
After=containerd.service
Requires=containerd.service

[Service]
Slice=runtime.slice
EnvironmentFile=${AL2023_ENVIRONMENT}
ExecStartPre=/sbin/iptables -P FORWARD ACCEPT -w 5
ExecStart=/usr/bin/kubelet \\
    --config ${AL2023_KUBELET_CONFIG} \\
    --kubeconfig ${EKS_KUBECONFIG} \\
    --container-runtime-endpoint unix:///run/containerd/containerd.sock \\
    $NODEADM_KUBELET_ARGS \\
    $KUBELET_EXTRA_ARGS

Restart=on-failure
RestartForceExitStatus=SIGPIPE
RestartSec=5
KillMode=process
CPUAccounting=true
MemoryAccounting=true

[Install]
WantedBy=multi-user.target
`;

const al2023Environment = (ip: string) =>
  `NODEADM_KUBELET_ARGS="--cloud-provider=external --hostname-override=ip-${ip.replaceAll('.', '-')}.eu-west-1.compute.internal ` +
  `--image-credential-provider-bin-dir=/etc/eks/image-credential-provider ` +
  `--image-credential-provider-config=/etc/eks/image-credential-provider/config.json --node-ip=${ip} ` +
  `--node-labels=eks.amazonaws.com/nodegroup=lab-workers,eks.amazonaws.com/capacityType=ON_DEMAND ` +
  `--pod-infra-container-image=602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/pause:3.5 --v=2"\n`;

const AL2023_DEBUG_DROP_IN_TEXT = `[Service]
# OPS-4711: kubelet debugging on the lab node group, remove after the incident
Environment="KUBELET_EXTRA_ARGS=--anonymous-auth=true --read-only-port 10255 --rotate-certificates=false \\
--feature-gates=InPlacePodVerticalScaling=true,RotateKubeletServerCertificate=false"
`;

export const EKS_VARIANT_DRIFTS: readonly { readonly what: string; readonly cis: readonly string[]; readonly apply: (tree: NodeTree) => void }[] = [
  {
    what: `${EKS_KUBECONFIG} mode 0660, owner root:ops`,
    cis: ['3.1.1', '3.1.2'],
    apply: (t) => setAttrs(t, EKS_KUBECONFIG, { mode: 0o660, gid: OPS.gid }),
  },
  {
    what: `${AL2023_KUBELET_CONFIG} mode 0664, owner ops:root`,
    cis: ['3.1.3', '3.1.4'],
    apply: (t) => setAttrs(t, AL2023_KUBELET_CONFIG, { mode: 0o664, uid: OPS.uid }),
  },
  {
    what: 'config.json: readOnlyPort, featureGates and authentication.x509 removed, authorization.mode AlwaysAllow, makeIPTablesUtilChains false',
    cis: ['3.2.2', '3.2.3', '3.2.4', '3.2.6', '3.2.9'],
    apply: (t) => {
      const data = JSON.parse(fileText(t, AL2023_KUBELET_CONFIG)) as {
        authentication: { x509?: unknown };
        authorization: { mode: string };
      } & Record<string, unknown>;
      delete data.authentication.x509;
      delete data.readOnlyPort;
      delete data.featureGates;
      data.authorization.mode = 'AlwaysAllow';
      data.makeIPTablesUtilChains = false;
      setFileText(t, AL2023_KUBELET_CONFIG, asGoJson(data));
    },
  },
  {
    what:
      `${AL2023_DEBUG_DROP_IN}: KUBELET_EXTRA_ARGS=--anonymous-auth=true --read-only-port 10255 --rotate-certificates=false ` +
      "--feature-gates=InPlacePodVerticalScaling=true,RotateKubeletServerCertificate=false (an operator's drop-in, continued on a second line)",
    cis: ['3.2.1', '3.2.4', '3.2.8', '3.2.9'],
    apply: (t) => addFile(t, AL2023_DEBUG_DROP_IN, AL2023_DEBUG_DROP_IN_TEXT, 0o644),
  },
];

function addAl2023KubeletFiles(tree: NodeTree, ip: string, server: string): void {
  addFile(tree, AL2023_KUBELET_CONFIG, asGoJson(al2023KubeletConfig()), 0o644);
  addFile(tree, EKS_KUBECONFIG, kubeconfig(server), 0o644);
  addFile(tree, EKS_UNIT, AL2023_UNIT, 0o644);
  addFile(tree, AL2023_ENVIRONMENT, al2023Environment(ip), 0o644);
  for (const drift of EKS_VARIANT_DRIFTS) drift.apply(tree);
}

/** The worker's kubelet files (path -> text) for a scenario, without PKI or binaries: for unit tests of the planner on this layout. */
export function eksWorkerTexts(scenario: 'stock' | 'drifted' | 'variant', ip = '198.18.0.11'): Record<string, string> {
  const tree: NodeTree = new Map();
  if (scenario === 'variant') {
    addAl2023KubeletFiles(tree, ip, 'https://198.18.0.10:6443');
    return Object.fromEntries([...tree.keys()].map((p) => [p, fileText(tree, p)]));
  }
  addFile(tree, EKS_KUBELET_CONFIG, asJq(kubeletConfig()), 0o644);
  addFile(tree, EKS_KUBECONFIG, kubeconfig('https://198.18.0.10:6443'), 0o644);
  addFile(tree, EKS_UNIT, KUBELET_UNIT, 0o644);
  addFile(tree, EKS_ARGS_DROP_IN, argsDropIn(ip), 0o644);
  addFile(tree, EKS_EXTRA_ARGS_DROP_IN, extraArgsDropIn(NODE_LABELS), 0o644);
  if (scenario === 'drifted') for (const drift of EKS_DRIFTS) drift.apply(tree);
  return Object.fromEntries([...tree.keys()].map((p) => [p, fileText(tree, p)]));
}

async function addEksWorkerFiles(tree: NodeTree, input: DistributionNodeInput, caPem: string): Promise<void> {
  addDir(tree, '/etc/kubernetes', 0o755);
  addDir(tree, '/etc/kubernetes/kubelet', 0o755);
  addDir(tree, '/etc/kubernetes/pki', 0o755);
  await makeOpaque(tree, '/etc/kubernetes');
  addFile(tree, EKS_CA, caPem, 0o644);
  addDir(tree, '/var/lib/kubelet', 0o755);
  await makeOpaque(tree, '/var/lib/kubelet');
  tree.set('/usr/bin/kubelet', { kind: 'copy', from: input.sleeper, mode: 0o755, uid: 0, gid: 0 });
  if (input.scenario === 'variant') {
    addDir(tree, '/etc/eks', 0o755);
    addDir(tree, '/etc/eks/kubelet', 0o755);
    addDir(tree, EKS_DROP_IN_DIR, 0o755);
    addAl2023KubeletFiles(tree, input.ip, `https://${input.apiEndpoint}:6443`);
    return;
  }
  addFile(tree, EKS_KUBELET_CONFIG, asJq(kubeletConfig()), 0o644);
  addFile(tree, EKS_KUBECONFIG, kubeconfig(`https://${input.apiEndpoint}:6443`), 0o644);
  addFile(tree, EKS_UNIT, KUBELET_UNIT, 0o644);
  addDir(tree, EKS_DROP_IN_DIR, 0o755);
  addFile(tree, EKS_ARGS_DROP_IN, argsDropIn(input.ip), 0o644);
  addFile(tree, EKS_EXTRA_ARGS_DROP_IN, extraArgsDropIn(NODE_LABELS), 0o644);
  if (input.scenario === 'drifted') for (const drift of EKS_DRIFTS) drift.apply(tree);
}

export const eks: LabDistribution = {
  name: 'eks',
  summary: 'EKS: provider control plane (cp-1, left out of the inventories); workers as the EKS optimized AL2 AMI leaves them (kubelet-config.json)',
  version: { major: '1', minor: '33+', gitVersion: 'v1.33.4-eks-1a2b3c4', platform: 'linux/amd64' },
  providerControlPlane: true,
  manifestsDir: MANIFESTS,
  async addNodeFiles(tree, input, pki) {
    // The provider's control plane is AWS's business: kubeadm's stock files, never drifted.
    if (input.role === 'control-plane') await addKubeadmFiles(tree, input, pki);
    else await addEksWorkerFiles(tree, input, pki.pem.ca.crt);
  },
  expectedPods: ({ role, cpIndex }) =>
    role === 'control-plane' ? ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', ...(cpIndex === 1 ? ['etcd'] : [])] : [],
  joinsStackedEtcd: true,
  supervisor: 'kubelet-sim.mjs',
};
