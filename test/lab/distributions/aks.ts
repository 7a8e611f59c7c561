import { addKubeadmFiles, MANIFESTS } from '../kubeadm-node.js';
import { OPS } from '../node-base.js';
import { addDir, addFile, fileText, makeOpaque, setAttrs, setFileText, type NodeTree } from '../node-tree.js';
import type { DistributionNodeInput, LabDistribution } from './types.js';

/**
 * An AKS cluster as the customer sees it: Azure runs the control plane (the
 * lab's cp-1 stays a kubeadm node that hosts the lab API server, left out of
 * the inventories; AKS's /version is plain, so `auto` recognises AKS only on
 * a node), and the workers look like AKS Ubuntu nodes as AgentBaker leaves
 * them: the kubelet's security settings are flags in /etc/default/kubelet
 * (KUBELET_FLAGS), its --config is the JSON /etc/default/kubeletconfig.json
 * (from the 10-componentconfig.conf drop-in), and /etc/kubernetes/azure.json
 * is the cloud config (managed identity: no secret), which kube-bench's
 * aks-1.8 takes as $kubeletconf.
 */
export const AKS_AZURE_JSON = '/etc/kubernetes/azure.json';
export const AKS_KUBELET_CONFIG = '/etc/default/kubeletconfig.json';
export const AKS_KUBECONFIG = '/var/lib/kubelet/kubeconfig';
export const AKS_DEFAULT_KUBELET = '/etc/default/kubelet';
export const AKS_UNIT = '/etc/systemd/system/kubelet.service';
export const AKS_CONFIG_DROP_IN = '/etc/systemd/system/kubelet.service.d/10-componentconfig.conf';
export const AKS_CA = '/etc/kubernetes/certs/ca.crt';

const asJson = (data: unknown) => `${JSON.stringify(data, null, 4)}\n`;

const azureJson = () =>
  asJson({
    cloud: 'AzurePublicCloud',
    tenantId: '00000000-0000-0000-0000-000000000000',
    subscriptionId: '00000000-0000-0000-0000-000000000000',
    aadClientId: 'msi',
    aadClientSecret: 'msi',
    resourceGroup: 'MC_lab_lab_westeurope',
    location: 'westeurope',
    vmType: 'vmss',
    subnetName: 'aks-subnet',
    securityGroupName: 'aks-agentpool-00000000-nsg',
    vnetName: 'aks-vnet-00000000',
    vnetResourceGroup: '',
    routeTableName: 'aks-agentpool-00000000-routetable',
    primaryScaleSetName: 'aks-nodepool1-00000000-vmss',
    cloudProviderBackoff: true,
    useManagedIdentityExtension: true,
    userAssignedIdentityID: '00000000-0000-0000-0000-000000000000',
    useInstanceMetadata: true,
    loadBalancerSku: 'Standard',
    excludeMasterFromStandardLB: true,
  });

const kubeletConfigJson = () =>
  asJson({
    kind: 'KubeletConfiguration',
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    staticPodPath: '/etc/kubernetes/manifests',
    address: '0.0.0.0',
    readOnlyPort: 0,
    tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'],
    rotateCertificates: true,
    serverTLSBootstrap: true,
    authentication: { x509: { clientCAFile: AKS_CA }, webhook: { enabled: true }, anonymous: {} },
    authorization: { mode: 'Webhook', webhook: {} },
    eventRecordQPS: 0,
    clusterDomain: 'cluster.local',
    clusterDNS: ['10.0.0.10'],
    streamingConnectionIdleTimeout: '4h0m0s',
    nodeStatusUpdateFrequency: '10s',
    imageGCHighThresholdPercent: 85,
    imageGCLowThresholdPercent: 80,
    cgroupsPerQOS: true,
    maxPods: 110,
    podPidsLimit: -1,
    resolvConf: '/run/systemd/resolve/resolv.conf',
    evictionHard: { 'memory.available': '750Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%' },
    protectKernelDefaults: true,
    featureGates: { RotateKubeletServerCertificate: true },
    kubeReserved: { cpu: '100m', memory: '1638Mi' },
    enforceNodeAllocatable: ['pods'],
  });

const KUBELET_UNIT = `[Unit]
Description=Kubelet
ConditionPathExists=/usr/local/bin/kubelet
Wants=network-online.target containerd.service
After=network-online.target containerd.service

[Service]
Restart=always
RestartSec=2
EnvironmentFile=${AKS_DEFAULT_KUBELET}
SuccessExitStatus=143
ExecStartPre=/bin/mkdir -p /var/lib/kubelet
ExecStartPre=/bin/mkdir -p /var/lib/cni
ExecStart=/usr/local/bin/kubelet \\
        --enable-server \\
        --node-labels="\${KUBELET_NODE_LABELS}" \\
        --v=2 \\
        --volume-plugin-dir=/etc/kubernetes/volumeplugins \\
        $KUBELET_TLS_BOOTSTRAP_FLAGS \\
        $KUBELET_CONFIG_FILE_FLAGS \\
        $KUBELET_CONTAINERD_FLAGS \\
        $KUBELET_FLAGS

[Install]
WantedBy=multi-user.target
`;

const CONFIG_DROP_IN = `[Service]\nEnvironment="KUBELET_CONFIG_FILE_FLAGS=--config ${AKS_KUBELET_CONFIG}"\n`;

const defaultKubelet = () =>
  [
    `KUBELET_FLAGS=--anonymous-auth=false --authentication-token-webhook=true --authorization-mode=Webhook --client-ca-file=${AKS_CA} ` +
      `--cloud-provider=external --kubeconfig=${AKS_KUBECONFIG} --pod-infra-container-image=mcr.microsoft.com/oss/kubernetes/pause:3.6 ` +
      '--read-only-port=0 --rotate-certificates=true --streaming-connection-idle-timeout=4h --event-qps=0 ' +
      '--protect-kernel-defaults=true --feature-gates=RotateKubeletServerCertificate=true',
    'KUBELET_REGISTER_SCHEDULABLE=true',
    'NETWORK_POLICY=',
    'KUBELET_NODE_LABELS=kubernetes.azure.com/agentpool=nodepool1,kubernetes.azure.com/mode=system,kubernetes.azure.com/os-sku=Ubuntu',
    'KUBELET_CONTAINERD_FLAGS=--runtime-request-timeout=15m --container-runtime-endpoint=unix:///run/containerd/containerd.sock',
    '',
  ].join('\n');

const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: ${AKS_CA}
    server: ${server}
  name: default-cluster
contexts:
- context:
    cluster: default-cluster
    namespace: default
    user: default-auth
  name: default-context
current-context: default-context
preferences: {}
users:
- name: default-auth
  user:
    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem
    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem
`;

/** Each drifted flag of KUBELET_FLAGS in /etc/default/kubelet: the stock word, what it becomes ('' drops it), the controls it breaks. */
export const AKS_FLAG_DRIFTS: readonly { readonly stock: string; readonly drifted: string; readonly cis: readonly string[] }[] = [
  // kube-bench's 3.2.2 reads --anonymous-auth, so AlwaysAllow alone fails only cis-fix's stricter judgement of 3.2.2.
  { stock: '--anonymous-auth=false', drifted: '--anonymous-auth=true', cis: ['3.2.1'] },
  { stock: '--authorization-mode=Webhook', drifted: '--authorization-mode=AlwaysAllow', cis: [] },
  { stock: `--client-ca-file=${AKS_CA}`, drifted: '', cis: ['3.2.3'] },
  { stock: '--read-only-port=0', drifted: '--read-only-port=10255', cis: ['3.2.4'] },
  { stock: '--rotate-certificates=true', drifted: '--rotate-certificates=false --make-iptables-util-chains=false', cis: ['3.2.8', '3.2.6'] },
  { stock: '--streaming-connection-idle-timeout=4h', drifted: '--streaming-connection-idle-timeout=0', cis: ['3.2.5'] },
  { stock: '--feature-gates=RotateKubeletServerCertificate=true', drifted: '--feature-gates=RotateKubeletServerCertificate=false', cis: ['3.2.9'] },
];

/** The drifted worker: the file drifts aks-1.8 checks (3.1.x) and the kubelet flags kube-bench reads (3.2.x). */
export const AKS_DRIFTS: readonly { readonly what: string; readonly cis: readonly string[]; readonly apply: (tree: NodeTree) => void }[] = [
  {
    what: `${AKS_KUBECONFIG} mode 0666, owner ops:ops`,
    cis: ['3.1.1', '3.1.2'],
    apply: (t) => setAttrs(t, AKS_KUBECONFIG, { mode: 0o666, uid: OPS.uid, gid: OPS.gid }),
  },
  {
    what: `${AKS_AZURE_JSON} mode 0666, owner ops:ops`,
    cis: ['3.1.3', '3.1.4'],
    apply: (t) => setAttrs(t, AKS_AZURE_JSON, { mode: 0o666, uid: OPS.uid, gid: OPS.gid }),
  },
  {
    what: `${AKS_DEFAULT_KUBELET}: KUBELET_FLAGS ${AKS_FLAG_DRIFTS.map((d) => (d.drifted === '' ? `without ${d.stock}` : d.drifted)).join(', ')}`,
    cis: AKS_FLAG_DRIFTS.flatMap((d) => d.cis),
    apply: (t) => {
      let text = fileText(t, AKS_DEFAULT_KUBELET);
      for (const d of AKS_FLAG_DRIFTS) text = text.replace(d.drifted === '' ? ` ${d.stock}` : d.stock, d.drifted);
      setFileText(t, AKS_DEFAULT_KUBELET, text);
    },
  },
  {
    // The port opened in both places: the flag wins, and a fix of the flag alone would leave the config file saying 10255.
    what: `${AKS_KUBELET_CONFIG}: readOnlyPort 10255`,
    cis: ['3.2.4'],
    apply: (t) => setFileText(t, AKS_KUBELET_CONFIG, fileText(t, AKS_KUBELET_CONFIG).replace('"readOnlyPort": 0,', '"readOnlyPort": 10255,')),
  },
];

/** The worker's kubelet files (path -> text) for a scenario, without PKI or binaries: for unit tests of the planner on this layout. */
export function aksWorkerTexts(scenario: 'stock' | 'drifted'): Record<string, string> {
  const tree: NodeTree = new Map();
  addFile(tree, AKS_AZURE_JSON, azureJson(), 0o600);
  addFile(tree, AKS_KUBELET_CONFIG, kubeletConfigJson(), 0o644);
  addFile(tree, AKS_DEFAULT_KUBELET, defaultKubelet(), 0o644);
  addFile(tree, AKS_KUBECONFIG, kubeconfig('https://198.18.0.10:443'), 0o600);
  addFile(tree, AKS_UNIT, KUBELET_UNIT, 0o644);
  addFile(tree, AKS_CONFIG_DROP_IN, CONFIG_DROP_IN, 0o644);
  if (scenario === 'drifted') for (const drift of AKS_DRIFTS) drift.apply(tree);
  return Object.fromEntries([...tree.keys()].map((p) => [p, fileText(tree, p)]));
}

async function addAksWorkerFiles(tree: NodeTree, input: DistributionNodeInput, caPem: string): Promise<void> {
  addDir(tree, '/etc/kubernetes', 0o755);
  addDir(tree, '/etc/kubernetes/certs', 0o755);
  addDir(tree, MANIFESTS, 0o755);
  await makeOpaque(tree, '/etc/kubernetes');
  addFile(tree, AKS_CA, caPem, 0o644);
  addFile(tree, AKS_AZURE_JSON, azureJson(), 0o600);
  addFile(tree, AKS_KUBELET_CONFIG, kubeletConfigJson(), 0o644);
  addFile(tree, AKS_DEFAULT_KUBELET, defaultKubelet(), 0o644);
  addDir(tree, '/var/lib/kubelet', 0o755);
  addDir(tree, '/var/lib/kubelet/pki', 0o755);
  await makeOpaque(tree, '/var/lib/kubelet');
  addFile(tree, AKS_KUBECONFIG, kubeconfig(`https://${input.apiEndpoint}:443`), 0o600);
  addFile(tree, AKS_UNIT, KUBELET_UNIT, 0o644);
  addDir(tree, '/etc/systemd/system/kubelet.service.d', 0o755);
  addFile(tree, AKS_CONFIG_DROP_IN, CONFIG_DROP_IN, 0o644);
  tree.set('/usr/local/bin/kubelet', { kind: 'copy', from: input.sleeper, mode: 0o755, uid: 0, gid: 0 });
  if (input.scenario === 'drifted') for (const drift of AKS_DRIFTS) drift.apply(tree);
}

export const aks: LabDistribution = {
  name: 'aks',
  summary:
    'AKS: provider control plane (cp-1, left out of the inventories; plain /version); workers as an AKS Ubuntu node (flags, kubeletconfig.json, azure.json)',
  version: { gitVersion: 'v1.33.4', platform: 'linux/amd64' },
  providerControlPlane: true,
  manifestsDir: MANIFESTS,
  async addNodeFiles(tree, input, pki) {
    // The provider's control plane is Azure's business: kubeadm's stock files, never drifted.
    if (input.role === 'control-plane') await addKubeadmFiles(tree, input, pki);
    else await addAksWorkerFiles(tree, input, pki.pem.ca.crt);
  },
  expectedPods: ({ role, cpIndex }) =>
    role === 'control-plane' ? ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', ...(cpIndex === 1 ? ['etcd'] : [])] : [],
  joinsStackedEtcd: true,
  supervisor: 'kubelet-sim.mjs',
};
