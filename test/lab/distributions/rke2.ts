import { addKubeadmFiles } from '../kubeadm-node.js';
import { OPS } from '../node-base.js';
import { addDir, addFile, fileText, type NodeTree } from '../node-tree.js';
import type { DistributionNodeInput, LabDistribution } from './types.js';

/**
 * RKE2 v1.33 (tarball install): cp-1 runs rke2-server, the workers
 * rke2-agent. The node-side supervisor (node/rke2-sim.mjs) generates the
 * static-pod manifests and the kubelet's command line from
 * /etc/rancher/rke2/config.yaml (+ config.yaml.d) at every start of the
 * service, as RKE2 does. The files here are RKE2's, with its modes: the PKI
 * (made by the kubeadm helper, moved to RKE2's names), kubeconfigs, units,
 * and config.yaml. One server only (no etcd join).
 */

export const RKE2_DATA = '/var/lib/rancher/rke2';
export const RKE2_CONFIG = '/etc/rancher/rke2/config.yaml';
export const RKE2_MANIFESTS = `${RKE2_DATA}/agent/pod-manifests`;
const TLS = `${RKE2_DATA}/server/tls`;

/** kubeadm's file (in the scratch tree) → RKE2's paths for it, mode. */
const SERVER_FILES: readonly (readonly [string, readonly string[], number])[] = [
  ['/etc/kubernetes/pki/ca.crt', [`${TLS}/server-ca.crt`, `${TLS}/client-ca.crt`, `${TLS}/client-ca.nochain.crt`, `${TLS}/request-header-ca.crt`], 0o644],
  ['/etc/kubernetes/pki/ca.key', [`${TLS}/server-ca.key`, `${TLS}/client-ca.key`], 0o600],
  ['/etc/kubernetes/pki/apiserver.crt', [`${TLS}/serving-kube-apiserver.crt`], 0o644],
  ['/etc/kubernetes/pki/apiserver.key', [`${TLS}/serving-kube-apiserver.key`], 0o600],
  ['/etc/kubernetes/pki/apiserver-kubelet-client.crt', [`${TLS}/client-kube-apiserver.crt`], 0o644],
  ['/etc/kubernetes/pki/apiserver-kubelet-client.key', [`${TLS}/client-kube-apiserver.key`], 0o600],
  ['/etc/kubernetes/pki/apiserver-etcd-client.crt', [`${TLS}/etcd/client.crt`], 0o644],
  ['/etc/kubernetes/pki/apiserver-etcd-client.key', [`${TLS}/etcd/client.key`], 0o600],
  ['/etc/kubernetes/pki/etcd/ca.crt', [`${TLS}/etcd/server-ca.crt`, `${TLS}/etcd/peer-ca.crt`], 0o644],
  ['/etc/kubernetes/pki/etcd/ca.key', [`${TLS}/etcd/server-ca.key`, `${TLS}/etcd/peer-ca.key`], 0o600],
  ['/etc/kubernetes/pki/etcd/server.crt', [`${TLS}/etcd/server-client.crt`], 0o644],
  ['/etc/kubernetes/pki/etcd/server.key', [`${TLS}/etcd/server-client.key`], 0o600],
  ['/etc/kubernetes/pki/etcd/peer.crt', [`${TLS}/etcd/peer-server-client.crt`], 0o644],
  ['/etc/kubernetes/pki/etcd/peer.key', [`${TLS}/etcd/peer-server-client.key`], 0o600],
  ['/etc/kubernetes/pki/sa.key', [`${TLS}/service.key`, `${TLS}/service.current.key`], 0o600],
  ['/etc/kubernetes/admin.conf', ['/etc/rancher/rke2/rke2.yaml', `${RKE2_DATA}/server/cred/admin.kubeconfig`], 0o600],
  ['/etc/kubernetes/controller-manager.conf', [`${RKE2_DATA}/server/cred/controller.kubeconfig`], 0o600],
  ['/etc/kubernetes/scheduler.conf', [`${RKE2_DATA}/server/cred/scheduler.kubeconfig`], 0o600],
];

const AGENT_FILES: readonly (readonly [string, readonly string[], number])[] = [
  ['/etc/kubernetes/pki/ca.crt', [`${RKE2_DATA}/agent/client-ca.crt`, `${RKE2_DATA}/agent/server-ca.crt`], 0o644],
  ['/etc/kubernetes/kubelet.conf', [`${RKE2_DATA}/agent/kubelet.kubeconfig`, `${RKE2_DATA}/agent/kubeproxy.kubeconfig`], 0o600],
  ['/var/lib/kubelet/pki/kubelet.crt', [`${RKE2_DATA}/agent/serving-kubelet.crt`], 0o644],
  ['/var/lib/kubelet/pki/kubelet.key', [`${RKE2_DATA}/agent/serving-kubelet.key`], 0o600],
];

function unit(kind: 'server' | 'agent'): string {
  return `[Unit]
Description=Rancher Kubernetes Engine v2 (${kind})
Documentation=https://github.com/rancher/rke2#readme
Wants=network-online.target
After=network-online.target
Conflicts=rke2-${kind === 'server' ? 'agent' : 'server'}.service

[Install]
WantedBy=multi-user.target

[Service]
Type=notify
EnvironmentFile=-/etc/default/%N
EnvironmentFile=-/etc/sysconfig/%N
EnvironmentFile=-/usr/local/lib/systemd/system/%N.env
KillMode=process
Delegate=yes
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
TimeoutStartSec=0
Restart=always
RestartSec=5s
ExecStart=/usr/local/bin/rke2 ${kind}
`;
}

/** config.yaml as an operator writes it (comments kept by cis-fix), with the drifted scenario's *-arg values. */
export function rke2Config(input: DistributionNodeInput): string {
  const server = input.role === 'control-plane';
  if (input.scenario === 'variant') return variantConfig(input, server);
  const lines = [
    '# RKE2 configuration for this node (written at install time; see',
    '# https://docs.rke2.io/install/configuration).',
    `node-name: ${input.name}`,
    `node-ip: ${input.ip}`,
  ];
  if (server) lines.push('write-kubeconfig-mode: "0600"', '# The cluster keeps the default service CIDR.', 'service-cidr: 10.43.0.0/16');
  else
    lines.push(`server: https://${input.apiEndpoint}:9345`, '# The join token is in a file, never in this one.', 'token-file: /etc/rancher/rke2/agent-token');
  if (input.scenario === 'drifted') {
    if (server) {
      lines.push(
        '',
        '# Left over from a debugging session (OPS-1234): remove once done.',
        'kube-apiserver-arg:',
        '  - "profiling=true"   # pprof for the latency investigation',
        '  - "authorization-mode=AlwaysAllow"',
        'kube-scheduler-arg:',
        '  - "profiling=true"',
        '  - "bind-address=0.0.0.0"',
        '# etcd debugging: RKE2 merges these into its generated etcd config file.',
        'etcd-arg:',
        '  - "client-cert-auth=false"',
        '  - "auto-tls=true"',
      );
    }
    lines.push('kubelet-arg:', '  - "anonymous-auth=true"', '  - "read-only-port=10255"   # for the legacy metrics scraper');
  }
  return `${lines.join('\n')}\n`;
}

/** A drop-in that appends to a list (drifted servers): `key+` as RKE2 documents it. */
const DRIFT_DROP_IN = `# Controller-manager debugging, appended to whatever config.yaml sets.
kube-controller-manager-arg+:
  - profiling=true
`;

/**
 * The `variant` scenario: the drifted scenario's *-arg drifts laid out as a
 * fleet managed by configuration management lays them out. config.yaml holds
 * the join token inline (RKE2's documented agent and HA-server layout), so
 * cis-fix can read it only redacted and never edit it; every override is a
 * config.yaml.d drop-in, merged in byte order of the names (`9-…` after
 * `20-…`), a later file's key replacing an earlier one's list whole, `key+:`
 * appending (also to nothing). The server's config.yaml still names
 * kube-apiserver-arg values that a drop-in supersedes (dead); its kubelet-arg
 * comes only from drop-ins; the agent's config.yaml has no kubelet-arg at
 * all. List elements are written quoted, bare, with `--`, and as a flow list;
 * a `.yaml.disabled` file beside them is not read by RKE2.
 */
function variantConfig(input: DistributionNodeInput, server: boolean): string {
  const token = server ? 'K10lab-variant::server:lab-server-token' : 'K10lab-variant::node:lab-agent-token';
  if (!server) {
    return `# rke2-agent, written by the rke2_agent role: node-specific values only.
server: https://${input.apiEndpoint}:9345
token: ${token}
node-name: ${input.name}
node-ip: ${input.ip}
`;
  }
  return `# rke2-server, written by the rke2_server role. Component overrides live in
# config.yaml.d/ (read after this file, in file-name order).
node-name: ${input.name}
node-ip: ${input.ip}
token: ${token}
write-kubeconfig-mode: "0600"
# Superseded by config.yaml.d/20-apiserver.yaml, whose list replaces this one.
kube-apiserver-arg:
  - "authorization-mode=AlwaysAllow"
  - "anonymous-auth=true"
`;
}

/** The variant's drop-ins (config.yaml.d/<name> → content), per role. */
function variantDropIns(server: boolean): Record<string, string> {
  if (!server) {
    return {
      // `+` with nothing before it: RKE2 takes the list as it is.
      '50-kubelet.yaml': `# Pool-wide kubelet tuning (ticket OPS-2210).
kubelet-arg+:
- anonymous-auth=true
- "read-only-port=10255"   # legacy metrics scraper
`,
    };
  }
  return {
    '10-kubelet.yaml': `kubelet-arg:
  - anonymous-auth=true
  - read-only-port=10255
`,
    '20-apiserver.yaml': `# API server flags for this cluster.
kube-apiserver-arg:
  - --profiling=true
  - "authorization-mode=Node,RBAC,AlwaysAllow"
  - audit-log-maxage=30
`,
    '30-debug.yml': `# Debugging (OPS-1234), appended to the lists above.
kube-controller-manager-arg+:
  - profiling=true
etcd-arg+:
  - "client-cert-auth=false"
  - "auto-tls=true"
`,
    // Sorts after 30-debug.yml: byte order, not numeric.
    '9-scheduler.yaml': `kube-scheduler-arg: ["profiling=true", "bind-address=0.0.0.0"]
`,
    // Not read by RKE2 (only *.yaml / *.yml are): its drift never reaches the API server.
    '40-old.yaml.disabled': `kube-apiserver-arg+:
  - "anonymous-auth=true"
`,
  };
}

/** Files whose mode the drifted scenario loosens (CIS rke2-cis-1.8). */
const MODE_DRIFTS: readonly { path: string; mode: number; owner?: boolean; server: boolean }[] = [
  { path: `${RKE2_DATA}/server/db/etcd`, mode: 0o755, server: true }, // 1.1.11
  { path: `${RKE2_DATA}/server/cred/admin.kubeconfig`, mode: 0o644, owner: true, server: true }, // 1.1.13, 1.1.14
  { path: `${RKE2_DATA}/agent/kubelet.kubeconfig`, mode: 0o644, server: false }, // 4.1.5
];

async function addRke2Files(tree: NodeTree, input: DistributionNodeInput, pki: Parameters<LabDistribution['addNodeFiles']>[2]): Promise<void> {
  const server = input.role === 'control-plane';
  if (server && !input.initNode) throw new Error('the rke2 lab runs one server (cp-1); use --control-planes 1');
  // kubeadm's PKI and kubeconfigs, made in a scratch tree and moved to RKE2's names.
  const scratch: NodeTree = new Map();
  await addKubeadmFiles(scratch, input, pki);
  const copy = (from: string, to: readonly string[], mode: number) => {
    for (const p of to) addFile(tree, p, fileText(scratch, from), mode);
  };

  addDir(tree, '/etc/rancher', 0o755);
  addDir(tree, '/etc/rancher/rke2', 0o755);
  addDir(tree, RKE2_DATA, 0o755);
  addDir(tree, `${RKE2_DATA}/agent`, 0o755);
  addDir(tree, RKE2_MANIFESTS, 0o755);
  addDir(tree, `${RKE2_DATA}/agent/etc`, 0o755);
  for (const [from, to, mode] of AGENT_FILES) copy(from, to, mode);
  addFile(tree, RKE2_CONFIG, rke2Config(input), 0o600);
  tree.set('/usr/bin/kubelet', { kind: 'copy', from: input.sleeper, mode: 0o755, uid: 0, gid: 0 });
  tree.set('/usr/local/bin/rke2', { kind: 'copy', from: input.sleeper, mode: 0o755, uid: 0, gid: 0 });
  addDir(tree, '/usr/local/lib/systemd/system', 0o755);
  addFile(tree, '/usr/local/lib/systemd/system/rke2-server.service', unit('server'), 0o644);
  addFile(tree, '/usr/local/lib/systemd/system/rke2-agent.service', unit('agent'), 0o644);
  if (server) {
    for (const d of [
      'server',
      'server/tls',
      'server/tls/etcd',
      'server/tls/temporary-certs',
      'server/cred',
      'server/db',
      'server/db/etcd',
      'server/logs',
      'server/etc',
    ]) {
      addDir(tree, `${RKE2_DATA}/${d}`, 0o700);
    }
    for (const [from, to, mode] of SERVER_FILES) copy(from, to, mode);
    addFile(tree, `${RKE2_DATA}/server/cred/encryption-config.json`, encryptionConfig(), 0o600);
    addFile(
      tree,
      '/etc/rancher/rke2/audit-policy.yaml',
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nmetadata:\n  creationTimestamp: null\nrules:\n- level: None\n',
      0o600,
    );
    addFile(tree, '/etc/rancher/rke2/rke2-pss.yaml', PSS_CONFIG, 0o600);
    for (const bin of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      tree.set(`/usr/local/bin/${bin}`, { kind: 'copy', from: input.sleeper, mode: 0o755, uid: 0, gid: 0 });
    }
    if (input.scenario === 'drifted') {
      addDir(tree, `${RKE2_CONFIG}.d`, 0o755);
      addFile(tree, `${RKE2_CONFIG}.d/50-debug.yaml`, DRIFT_DROP_IN, 0o600);
    }
  } else if (input.scenario !== 'variant') {
    addFile(tree, '/etc/rancher/rke2/agent-token', 'K10lab::node:lab-agent-token\n', 0o600);
  }
  if (input.scenario === 'variant') {
    addDir(tree, `${RKE2_CONFIG}.d`, 0o755);
    for (const [name, text] of Object.entries(variantDropIns(server))) addFile(tree, `${RKE2_CONFIG}.d/${name}`, text, 0o600);
  }
  if (input.scenario !== 'stock') {
    for (const drift of MODE_DRIFTS) {
      if (drift.server && !server) continue;
      const e = tree.get(drift.path);
      if (!e || e.kind === 'symlink' || e.kind === 'whiteout') throw new Error(`rke2 drift: no ${drift.path}`);
      e.mode = drift.mode;
      if (drift.owner) {
        e.uid = OPS.uid;
        e.gid = OPS.gid;
      }
    }
  }
}

function encryptionConfig(): string {
  // A fixed lab key: the lab's own secret, never read by cis-fix.
  return `${JSON.stringify({
    kind: 'EncryptionConfiguration',
    apiVersion: 'apiserver.config.k8s.io/v1',
    resources: [
      {
        resources: ['secrets'],
        providers: [{ aescbc: { keys: [{ name: 'aescbckey', secret: 'bGFiLWxhYi1sYWItbGFiLWxhYi1sYWItbGFiLWxhYi0=' }] } }, { identity: {} }],
      },
    ],
  })}\n`;
}

const PSS_CONFIG = `apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1beta1
    kind: PodSecurityConfiguration
    defaults:
      enforce: "privileged"
      enforce-version: "latest"
    exemptions:
      usernames: []
      runtimeClasses: []
      namespaces: []
`;

export const rke2: LabDistribution = {
  name: 'rke2',
  summary:
    'RKE2 v1.33: rke2-server on cp-1 (static pods generated from /etc/rancher/rke2/config.yaml into /var/lib/rancher/rke2/agent/pod-manifests, etcd with --config-file), rke2-agent on workers',
  version: { gitVersion: 'v1.33.4+rke2r1' },
  providerControlPlane: false,
  manifestsDir: RKE2_MANIFESTS,
  addNodeFiles: addRke2Files,
  expectedPods: ({ role }) => (role === 'control-plane' ? ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] : []),
  joinsStackedEtcd: false,
  supervisor: 'rke2-sim.mjs',
  adminKubeconfig: '/etc/rancher/rke2/rke2.yaml',
};
