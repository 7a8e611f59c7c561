import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { kubeconfig } from '../kubeadm-files.js';
import { NODE_CODE_DIR } from '../lab-layout.js';
import { OPS } from '../node-base.js';
import { addDir, addFile, setAttrs, type NodeTree } from '../node-tree.js';
import { createCert, pairAt, readPair } from '../pki.js';
import type { LabDistribution } from './types.js';

/**
 * A k3s v1.33 node as the install script (get.k3s.io) and a first start
 * leave it: one `k3s` service (k3s.service on a server, k3s-agent.service
 * on an agent) configured by /etc/rancher/k3s/config.yaml, k3s's data under
 * /var/lib/rancher/k3s, no static pods and no separate etcd (the default
 * datastore is SQLite through kine). The node runs node/k3s-sim.mjs instead
 * of the lab kubelet: it starts one `k3s server` process from the config
 * and logs the embedded components' command lines into the journal that
 * the node's journalctl (node/k3s-journalctl.sh) prints, where kube-bench
 * reads them.
 */

export const K3S_CONFIG = '/etc/rancher/k3s/config.yaml';
const DATA = '/var/lib/rancher/k3s';
const TLS = `${DATA}/server/tls`;
const CRED = `${DATA}/server/cred`;
const AGENT = `${DATA}/agent`;
export const K3S_ADMIN_KUBECONFIG = '/etc/rancher/k3s/k3s.yaml';
export const K3S_POD_MANIFESTS = `${AGENT}/pod-manifests`;

/** k3s.service as the install script writes it (INSTALL_K3S_EXEC empty). */
function unitFile(agent: boolean): string {
  const name = agent ? 'k3s-agent' : 'k3s';
  return `[Unit]
Description=Lightweight Kubernetes
Documentation=https://k3s.io
Wants=network-online.target
After=network-online.target

[Install]
WantedBy=multi-user.target

[Service]
Type=${agent ? 'exec' : 'notify'}
EnvironmentFile=-/etc/default/%N
EnvironmentFile=-/etc/sysconfig/%N
EnvironmentFile=-/etc/systemd/system/${name}.service.env
KillMode=process
Delegate=yes
User=root
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
TimeoutStartSec=0
Restart=always
RestartSec=5s
ExecStart=/usr/local/bin/k3s \\
    ${agent ? 'agent' : 'server'} \\

`;
}

/** Stock config.yaml: what an operator typically writes, no *-arg keys (k3s's defaults run). */
const STOCK_SERVER_CONFIG = `# k3s server configuration (https://docs.k3s.io/installation/configuration#configuration-file)
write-kubeconfig-mode: "0600"
node-label:
  - "lab.cis-fix.io/distribution=k3s"
`;

/**
 * The drifted server's config.yaml: *-arg values that fail k3s-cis-1.9
 * (test/lab/README.md, "Distribution k3s"), with the operator's comments.
 */
const DRIFTED_SERVER_CONFIG = `# k3s server configuration (https://docs.k3s.io/installation/configuration#configuration-file)
write-kubeconfig-mode: "0600"
node-label:
  - "lab.cis-fix.io/distribution=k3s"
# Debugging session, 2026-11: left in place.
kube-apiserver-arg:
  - "anonymous-auth=true" # probes without credentials
  - "authorization-mode=Node,RBAC,AlwaysAllow"
  - "profiling=true"
kube-controller-manager-arg:
  - "profiling=true"
kube-scheduler-arg:
  - "profiling=true"
  - "bind-address=0.0.0.0"
kubelet-arg:
  - "read-only-port=10255" # legacy metrics scraper
  - "make-iptables-util-chains=false"
`;

const STOCK_AGENT_CONFIG = `# k3s agent configuration
node-label:
  - "lab.cis-fix.io/distribution=k3s"
`;

const DRIFTED_AGENT_CONFIG = `${STOCK_AGENT_CONFIG}kubelet-arg:
  - "read-only-port=10255" # legacy metrics scraper
  - "anonymous-auth=true"
  - "rotate-certificates=false"
kube-proxy-arg:
  - "metrics-bind-address=0.0.0.0:10249" # cluster-wide Prometheus scrape
`;

/**
 * The `variant` scenario: the drifted scenario's *-arg drifts as a fleet
 * managed by configuration management writes them. config.yaml holds the
 * join token inline (k3s's documented layout, so cis-fix reads it only
 * redacted and never edits it) and, on the server, a kube-apiserver-arg list
 * that a later drop-in replaces whole (dead). The drifts are in
 * config.yaml.d drop-ins merged in byte order of the names (`9-…` after
 * `30-…`): a later key replaces, `key+:` appends (to nothing, on the agent;
 * to a scalar, on the server: k3s reads a lone string as a one-element list).
 */
function variantFiles(server: boolean, apiEndpoint: string): { config: string; dropIns: Record<string, string> } {
  if (!server) {
    return {
      config: `# k3s agent, written by the k3s_agent role.
server: https://${apiEndpoint}:6443
token: K10lab-variant::node:lab-agent-token
node-label:
  - "lab.cis-fix.io/distribution=k3s"
`,
      dropIns: {
        '50-kubelet.yaml': `# Pool-wide kubelet tuning (OPS-2210).
kubelet-arg+:
- read-only-port=10255   # legacy metrics scraper
- "anonymous-auth=true"
- rotate-certificates=false
`,
        '60-proxy.yml': `kube-proxy-arg: ["metrics-bind-address=0.0.0.0:10249"]
`,
      },
    };
  }
  return {
    config: `# k3s server, written by the k3s_server role; overrides in config.yaml.d/.
write-kubeconfig-mode: "0600"
token: K10lab-variant::server:lab-server-token
node-label:
  - "lab.cis-fix.io/distribution=k3s"
# Superseded by config.yaml.d/20-apiserver.yaml (a later file's list replaces this one).
kube-apiserver-arg:
  - "authorization-mode=AlwaysAllow"
  - "profiling=true"
`,
    dropIns: {
      '10-kubelet.yaml': `kubelet-arg:
  - --read-only-port=10255
  - "make-iptables-util-chains=false"
`,
      '20-apiserver.yaml': `kube-apiserver-arg:
  - anonymous-auth=true # probes without credentials
  - "authorization-mode=Node,RBAC,AlwaysAllow"
  - profiling=true
`,
      '30-debug.yaml': `# Debugging session, 2026-11.
kube-controller-manager-arg+:
  - profiling=true
kube-scheduler-arg: "bind-address=0.0.0.0"
`,
      // Sorts after 30-debug.yaml (byte order): appends to its scalar.
      '9-scheduler.yaml': `kube-scheduler-arg+:
  - "profiling=true"
`,
      // Not read by k3s (only *.yaml / *.yml are).
      'README.txt': `kube-apiserver-arg:\n  - anonymous-auth=true\n`,
    },
  };
}

function fileRefKubeconfig(server: string, caPem: string, name: string, crt: string, key: string): string {
  return kubeconfig(server, caPem, { name, files: { crt, key } }, 'local');
}

export const k3s: LabDistribution = {
  name: 'k3s',
  summary: 'k3s v1.33 (+k3s1): one k3s service configured by /etc/rancher/k3s/config.yaml, flags in its journal, SQLite datastore',
  version: { gitVersion: 'v1.33.4+k3s1' },
  providerControlPlane: false,
  manifestsDir: K3S_POD_MANIFESTS,
  adminKubeconfig: K3S_ADMIN_KUBECONFIG,
  async addNodeFiles(tree, input, pki) {
    const server = input.role === 'control-plane';
    // The variant has the drifted scenario's file drifts; its config files are its own.
    const drifted = input.scenario !== 'stock';
    await mkdir(input.scratch, { recursive: true });
    const sign = async (base: string, req: Parameters<typeof createCert>[2]) => {
      const pair = pairAt(input.scratch, base);
      await createCert(pair, pki.ca, req);
      return readPair(pair);
    };
    const crt = (p: string, pem: string) => addFile(tree, p, pem, 0o644);
    const key = (p: string, pem: string) => addFile(tree, p, pem, 0o600);
    const ca = pki.pem.ca;

    // --- the install script: binary, unit, its environment file, journalctl ------
    tree.set('/usr/local/bin/k3s', { kind: 'copy', from: input.sleeper, mode: 0o755, uid: 0, gid: 0 });
    addDir(tree, DATA, 0o755);
    addDir(tree, `${DATA}/data`, 0o755);
    addDir(tree, `${DATA}/data/lab`, 0o755);
    addDir(tree, `${DATA}/data/lab/bin`, 0o755);
    // The process k3s runs shows as k3s-server (k3s-agent on an agent): a sleeper of that name.
    tree.set(`${DATA}/data/lab/bin/${server ? 'k3s-server' : 'k3s-agent'}`, { kind: 'copy', from: input.sleeper, mode: 0o755, uid: 0, gid: 0 });
    const unit = server ? 'k3s' : 'k3s-agent';
    addFile(tree, `/etc/systemd/system/${unit}.service`, unitFile(!server), 0o644);
    addFile(
      tree,
      `/etc/systemd/system/${unit}.service.env`,
      server || input.scenario === 'variant' ? '' : `K3S_TOKEN=K10lab${'0'.repeat(48)}::server:lab\nK3S_URL=https://${input.apiEndpoint}:6443\n`,
      0o600,
    );
    const journalctl = path.join(NODE_CODE_DIR, 'k3s-journalctl.sh');
    for (const p of ['/usr/local/sbin/journalctl', '/usr/bin/journalctl']) tree.set(p, { kind: 'copy', from: journalctl, mode: 0o755, uid: 0, gid: 0 });
    addDir(tree, '/var/log/journal', 0o755);
    // flannel's host-local IPAM state, as k3s's bundled CNI leaves it after the first pods (files 0644, kube-bench 1.1.9).
    addDir(tree, '/var/lib/cni', 0o755);
    addDir(tree, '/var/lib/cni/networks', 0o755);
    addDir(tree, '/var/lib/cni/networks/cbr0', 0o755);
    addFile(tree, '/var/lib/cni/networks/cbr0/10.42.0.2', 'lab-pod-sandbox-0001\neth0', 0o644);
    addFile(tree, '/var/lib/cni/networks/cbr0/last_reserved_ip.0', '10.42.0.2', 0o644);
    addFile(tree, '/var/lib/cni/networks/cbr0/lock', '', 0o600);

    // --- /etc/rancher/k3s ------------------------------------------------------------
    addDir(tree, '/etc/rancher', 0o755);
    addDir(tree, '/etc/rancher/k3s', 0o755);
    if (input.scenario === 'variant') {
      const variant = variantFiles(server, input.apiEndpoint);
      addFile(tree, K3S_CONFIG, variant.config, 0o600);
      addDir(tree, `${K3S_CONFIG}.d`, 0o755);
      for (const [name, text] of Object.entries(variant.dropIns)) addFile(tree, `${K3S_CONFIG}.d/${name}`, text, 0o600);
    } else {
      addFile(tree, K3S_CONFIG, server ? (drifted ? DRIFTED_SERVER_CONFIG : STOCK_SERVER_CONFIG) : drifted ? DRIFTED_AGENT_CONFIG : STOCK_AGENT_CONFIG, 0o600);
    }

    // --- the agent part (a server runs one too) --------------------------------------
    const [kubeletServing, kubeletClient] = await Promise.all([
      sign('serving-kubelet', { cn: input.name, sans: [`DNS:${input.name}`, `IP:${input.ip}`, 'DNS:localhost', 'IP:127.0.0.1'], usage: 'server' }),
      sign('client-kubelet', { cn: `system:node:${input.name}`, organizations: ['system:nodes'], usage: 'client' }),
    ]);
    addDir(tree, AGENT, 0o755);
    addDir(tree, K3S_POD_MANIFESTS, 0o755);
    addDir(tree, `${AGENT}/etc`, 0o755);
    crt(`${AGENT}/client-ca.crt`, ca.crt);
    crt(`${AGENT}/server-ca.crt`, ca.crt);
    crt(`${AGENT}/serving-kubelet.crt`, kubeletServing.crt);
    key(`${AGENT}/serving-kubelet.key`, kubeletServing.key);
    crt(`${AGENT}/client-kubelet.crt`, kubeletClient.crt);
    key(`${AGENT}/client-kubelet.key`, kubeletClient.key);
    crt(`${AGENT}/client-kube-proxy.crt`, kubeletClient.crt);
    key(`${AGENT}/client-kube-proxy.key`, kubeletClient.key);
    const local = 'https://127.0.0.1:6443';
    key(`${AGENT}/kubelet.kubeconfig`, fileRefKubeconfig(local, ca.crt, 'default', `${AGENT}/client-kubelet.crt`, `${AGENT}/client-kubelet.key`));
    key(`${AGENT}/kubeproxy.kubeconfig`, fileRefKubeconfig(local, ca.crt, 'default', `${AGENT}/client-kube-proxy.crt`, `${AGENT}/client-kube-proxy.key`));

    if (server) {
      // --- the server: TLS (one lab CA stands for k3s's client, server and request-header CAs) ---
      const [apiserver, admin] = await Promise.all([
        sign('serving-kube-apiserver', {
          cn: 'kube-apiserver',
          sans: [
            'DNS:kubernetes',
            'DNS:kubernetes.default',
            'DNS:kubernetes.default.svc',
            'DNS:localhost',
            `DNS:${input.name}`,
            'IP:10.43.0.1',
            'IP:127.0.0.1',
            `IP:${input.ip}`,
          ],
          usage: 'server',
        }),
        sign('client-admin', { cn: 'system:admin', organizations: ['system:masters'], usage: 'client' }),
      ]);
      addDir(tree, `${DATA}/server`, 0o700);
      addDir(tree, TLS, 0o700);
      addDir(tree, `${TLS}/temporary-certs`, 0o700);
      for (const base of ['client-ca', 'server-ca', 'request-header-ca']) {
        crt(`${TLS}/${base}.crt`, ca.crt);
        key(`${TLS}/${base}.key`, ca.key);
      }
      crt(`${TLS}/client-ca.nochain.crt`, ca.crt);
      crt(`${TLS}/serving-kube-apiserver.crt`, apiserver.crt);
      key(`${TLS}/serving-kube-apiserver.key`, apiserver.key);
      for (const base of ['client-admin', 'client-controller', 'client-scheduler', 'client-kube-apiserver', 'client-auth-proxy', 'client-supervisor']) {
        crt(`${TLS}/${base}.crt`, admin.crt);
        key(`${TLS}/${base}.key`, admin.key);
      }
      key(`${TLS}/service.key`, pki.pem.saKey);
      key(`${TLS}/service.current.key`, pki.pem.saKey);
      addDir(tree, CRED, 0o700);
      for (const [file, user] of [
        ['admin', 'client-admin'],
        ['controller', 'client-controller'],
        ['scheduler', 'client-scheduler'],
        ['api-server', 'client-kube-apiserver'],
        ['supervisor', 'client-supervisor'],
      ] as const) {
        key(`${CRED}/${file}.kubeconfig`, fileRefKubeconfig(local, ca.crt, 'user', `${TLS}/${user}.crt`, `${TLS}/${user}.key`));
      }
      addDir(tree, `${DATA}/server/db`, 0o700);
      addDir(tree, `${DATA}/server/etc`, 0o700);
      key(
        `${DATA}/server/etc/egress-selector-config.yaml`,
        'apiVersion: apiserver.k8s.io/v1beta1\nkind: EgressSelectorConfiguration\negressSelections:\n- name: cluster\n  connection:\n    proxyProtocol: HTTPConnect\n    transport:\n      uds:\n        udsName: /var/lib/rancher/k3s/server/egress.sock\n',
      );
      // The admin kubeconfig k3s writes (write-kubeconfig-mode), with embedded credentials.
      key(K3S_ADMIN_KUBECONFIG, kubeconfig(`https://${input.ip}:6443`, ca.crt, { name: 'default', embedded: admin }, 'default'));
      if (drifted) applyServerDrifts(tree);
    }
    if (drifted) setAttrs(tree, `${AGENT}/kubelet.kubeconfig`, { mode: 0o644 });
    await rm(input.scratch, { recursive: true, force: true });
  },
  // The embedded components, reported by k3s-sim.mjs as pods once k3s runs.
  expectedPods: ({ role }) => (role === 'control-plane' ? ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet'] : ['kubelet']),
  joinsStackedEtcd: false,
  supervisor: 'k3s-sim.mjs',
};

const OWNED_BY_OPS = { uid: OPS.uid, gid: OPS.gid };

/** File drifts of the drifted server (the config.yaml drifts are in DRIFTED_SERVER_CONFIG). */
function applyServerDrifts(tree: NodeTree): void {
  setAttrs(tree, `${CRED}/admin.kubeconfig`, { mode: 0o644, ...OWNED_BY_OPS }); // 1.1.13, 1.1.14
  setAttrs(tree, `${CRED}/scheduler.kubeconfig`, { mode: 0o644 }); // 1.1.15
  setAttrs(tree, `${CRED}/controller.kubeconfig`, OWNED_BY_OPS); // 1.1.18
  setAttrs(tree, `${TLS}/serving-kube-apiserver.key`, { mode: 0o644 }); // 1.1.21
  setAttrs(tree, `${TLS}/client-admin.key`, { mode: 0o640 }); // 1.1.21
}
