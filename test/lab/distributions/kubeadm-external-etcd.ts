import { readFileSync } from 'node:fs';
import { addKubeadmFiles, ETCD_MANIFEST, MANIFESTS } from '../kubeadm-node.js';
import { addDir, addFile, fileText, setAttrs, setFileText, type NodeTree } from '../node-tree.js';
import { applyScenario, type Scenario } from '../scenario.js';
import type { LabDistribution } from './types.js';

/**
 * kubeadm with EXTERNAL etcd (kubeadm's "external etcd" topology), etcd run
 * the way Debian's etcd-server package runs it: the package's own unit
 * /lib/systemd/system/etcd.service (from the host's lower layer: `User=etcd`,
 * `Type=notify`, `EnvironmentFile=-/etc/default/%p`, `ExecStart=/usr/bin/etcd
 * $DAEMON_ARGS`), configured by ETCD_* variables in /etc/default/etcd, plus a
 * drop-in that puts flags on etcd's command line
 * (/etc/systemd/system/etcd.service.d/10-flags.conf, what `systemctl edit`
 * leaves). etcd runs on cp-1 beside the control plane (as kubespray's
 * `etcd_deployment_type: host` does), with its own TLS material under
 * /etc/etcd/pki owned by the etcd user; cp-1 keeps kubeadm's static pods
 * without etcd.yaml, and kube-apiserver's --etcd-servers names the etcd
 * service's address. The lab kubelet runs etcd.service (external-etcd-sim.mjs).
 * Like Debian's and kubespray's defaults, etcd has no plain-HTTP metrics
 * listener (ETCD_LISTEN_METRICS_URLS): its /health is only on the TLS client
 * URLs, so cis-fix's health gate asks https://127.0.0.1:2379/health with
 * kube-apiserver's etcd client certificate.
 */

export const ETCD_ENV_FILE = '/etc/default/etcd';
export const ETCD_DROP_IN = '/etc/systemd/system/etcd.service.d/10-flags.conf';
export const ETCD_PKI = '/etc/etcd/pki';

/** Debian's /etc/default/etcd header, as the etcd-server package ships it. */
const DEBIAN_HEADER = `## etcd(1) daemon options
## See "/usr/share/doc/etcd-server/op-guide/configuration.md.gz"
## for available options.
##
## Use environment to override, for example: ETCD_NAME=default
`;

function environmentFile(name: string, ip: string, scenario: Scenario): string {
  const drifted = scenario === 'drifted';
  return `${DEBIAN_HEADER}
# Member ${name} of the cluster's external etcd (kubeadm: etcd.external.endpoints).
ETCD_NAME="${name}"
ETCD_DATA_DIR="/var/lib/etcd"
ETCD_LISTEN_CLIENT_URLS="https://127.0.0.1:2379,https://${ip}:2379"
ETCD_ADVERTISE_CLIENT_URLS="https://${ip}:2379"
ETCD_LISTEN_PEER_URLS="https://${ip}:2380"
ETCD_INITIAL_ADVERTISE_PEER_URLS="https://${ip}:2380"
ETCD_INITIAL_CLUSTER="${name}=https://${ip}:2380"
ETCD_INITIAL_CLUSTER_STATE="new"

## Client TLS
ETCD_CERT_FILE="${ETCD_PKI}/server.crt"
ETCD_KEY_FILE="${ETCD_PKI}/server.key"
ETCD_TRUSTED_CA_FILE="${ETCD_PKI}/ca.crt"
# Clients must present a certificate signed by the trusted CA.
ETCD_CLIENT_CERT_AUTH="${drifted ? 'false' : 'true'}"

## Peer TLS
ETCD_PEER_CERT_FILE="${ETCD_PKI}/peer.crt"
ETCD_PEER_KEY_FILE="${ETCD_PKI}/peer.key"
ETCD_PEER_TRUSTED_CA_FILE="${ETCD_PKI}/ca.crt"
${drifted ? 'ETCD_PEER_AUTO_TLS="true"\n' : ''}`;
}

function dropIn(scenario: Scenario): string {
  const flags =
    scenario === 'drifted'
      ? '--experimental-initial-corrupt-check=true --auto-tls=true'
      : '--experimental-initial-corrupt-check=true --peer-client-cert-auth=true';
  return `# Flags on etcd's command line (they win over ETCD_* variables).
[Service]
ExecStart=
ExecStart=/usr/bin/etcd $DAEMON_ARGS ${flags}
`;
}

/**
 * Scenario `variant`: etcd as a RHEL/Fedora `etcd` package runs it. The
 * package's unit (/usr/lib/systemd/system/etcd.service: `Type=notify`,
 * `EnvironmentFile=-/etc/etcd/etcd.conf`, `User=etcd`, ExecStart through
 * `/bin/bash -c "GOMAXPROCS=$(nproc) /usr/bin/etcd"`), /etc/etcd/etcd.conf in
 * the package's style (`#[Section]` headers, every other option commented
 * out with its default), the data in /var/lib/etcd/default.etcd, and the
 * override.conf `systemctl edit etcd` leaves, which replaces ExecStart to put
 * a flag on etcd's command line. Drifted in section 2's spirit through the
 * forms systemd's EnvironmentFile accepts: ETCD_CLIENT_CERT_AUTH only as a
 * commented line (unset: etcd's default false), `ETCD_AUTO_TLS=true`
 * unquoted, `ETCD_PEER_AUTO_TLS='true'` in single quotes, and
 * `--peer-client-cert-auth=false` in override.conf beside a commented
 * `#ETCD_PEER_CLIENT_CERT_AUTH="true"` (the flag is the only source: etcd
 * exits when a flag and its variable are both set, even to "").
 */
export const RHEL_ETCD_CONF = '/etc/etcd/etcd.conf';
export const RHEL_ETCD_UNIT = '/usr/lib/systemd/system/etcd.service';
export const RHEL_ETCD_OVERRIDE = '/etc/systemd/system/etcd.service.d/override.conf';
export const RHEL_ETCD_DATA_DIR = '/var/lib/etcd/default.etcd';

const RHEL_UNIT = `[Unit]
Description=Etcd Server
After=network.target
After=network-online.target
Wants=network-online.target

[Service]
Type=notify
WorkingDirectory=/var/lib/etcd/
EnvironmentFile=-/etc/etcd/etcd.conf
User=etcd
# set GOMAXPROCS to number of processors
ExecStart=/bin/bash -c "GOMAXPROCS=$(nproc) /usr/bin/etcd"
Restart=on-failure
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`;

function rhelEtcdConf(name: string, ip: string): string {
  return `#[Member]
#ETCD_CORS=""
ETCD_DATA_DIR="${RHEL_ETCD_DATA_DIR}"
#ETCD_WAL_DIR=""
ETCD_LISTEN_PEER_URLS="https://${ip}:2380"
ETCD_LISTEN_CLIENT_URLS="https://127.0.0.1:2379,https://${ip}:2379"
#ETCD_MAX_SNAPSHOTS="5"
#ETCD_MAX_WALS="5"
ETCD_NAME="${name}"
#ETCD_SNAPSHOT_COUNT="100000"
#ETCD_HEARTBEAT_INTERVAL="100"
#ETCD_ELECTION_TIMEOUT="1000"
#ETCD_QUOTA_BACKEND_BYTES="0"
#ETCD_LISTEN_METRICS_URLS=""
#
#[Clustering]
ETCD_INITIAL_ADVERTISE_PEER_URLS="https://${ip}:2380"
ETCD_ADVERTISE_CLIENT_URLS="https://${ip}:2379"
#ETCD_DISCOVERY=""
ETCD_INITIAL_CLUSTER="${name}=https://${ip}:2380"
#ETCD_INITIAL_CLUSTER_TOKEN="etcd-cluster"
ETCD_INITIAL_CLUSTER_STATE="new"
#ETCD_STRICT_RECONFIG_CHECK="true"
#
#[Security]
ETCD_CERT_FILE="${ETCD_PKI}/server.crt"
ETCD_KEY_FILE="${ETCD_PKI}/server.key"
#ETCD_CLIENT_CERT_AUTH="true"
ETCD_TRUSTED_CA_FILE="${ETCD_PKI}/ca.crt"
ETCD_AUTO_TLS=true
ETCD_PEER_CERT_FILE=${ETCD_PKI}/peer.crt
ETCD_PEER_KEY_FILE=${ETCD_PKI}/peer.key
#ETCD_PEER_CLIENT_CERT_AUTH="true"
ETCD_PEER_TRUSTED_CA_FILE="${ETCD_PKI}/ca.crt"
ETCD_PEER_AUTO_TLS='true'
#ETCD_CIPHER_SUITES=""
#
#[Logging]
#ETCD_DEBUG="false"
#ETCD_LOG_PACKAGE_LEVELS=""
#ETCD_LOG_OUTPUT="default"
`;
}

const RHEL_OVERRIDE = `### Editing /etc/systemd/system/etcd.service.d/override.conf
### Anything between here and the comment below will become the new contents of the file

[Service]
ExecStart=
ExecStart=/usr/bin/etcd --peer-client-cert-auth=false

### Lines below this comment will be discarded
`;

/** The host's etcd account (Debian's etcd-server creates it; the lab installs that package). */
function hostEtcdAccount(): { passwd: string; group: string; uid: number; gid: number } {
  const line = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('etcd:'));
  const passwd = line('/etc/passwd');
  const group = line('/etc/group');
  if (!passwd || !group) throw new Error("the host has no etcd user: install Debian's etcd-server (the lab needs it anyway)");
  return { passwd, group, uid: Number(passwd.split(':')[2]), gid: Number(group.split(':')[2]) };
}

function addEtcdAccount(tree: NodeTree): { uid: number; gid: number } {
  const acc = hostEtcdAccount();
  setFileText(tree, '/etc/passwd', `${fileText(tree, '/etc/passwd')}${acc.passwd}\n`);
  setFileText(tree, '/etc/group', `${fileText(tree, '/etc/group')}${acc.group}\n`);
  setFileText(tree, '/etc/shadow', `${fileText(tree, '/etc/shadow')}etcd:!:19000::::::\n`);
  setFileText(tree, '/etc/gshadow', `${fileText(tree, '/etc/gshadow')}etcd:!::\n`);
  return { uid: acc.uid, gid: acc.gid };
}

export const kubeadmExternalEtcd: LabDistribution = {
  name: 'kubeadm-external-etcd',
  summary: 'kubeadm v1.33 with external etcd: etcd.service (Debian etcd-server) configured by ETCD_* in /etc/default/etcd and a flags drop-in',
  version: { gitVersion: 'v1.33.4' },
  providerControlPlane: false,
  manifestsDir: MANIFESTS,
  async addNodeFiles(tree, input, pki) {
    await addKubeadmFiles(tree, input, pki);
    applyScenario(tree, input.role, input.scenario);
    if (input.role !== 'control-plane') {
      // Workers run no etcd: the package's enablement (the host's wants symlink) is not theirs.
      tree.set('/etc/systemd/system/multi-user.target.wants/etcd.service', { kind: 'whiteout' });
      return;
    }
    if (!input.initNode) throw new Error('kubeadm-external-etcd: one control plane (the external etcd has one member)');
    const etcd = addEtcdAccount(tree);
    // kubeadm with external etcd writes no etcd manifest and keeps only the etcd CA and its client pair.
    tree.delete(ETCD_MANIFEST);
    const pkiEtcd = '/etc/kubernetes/pki/etcd';
    const moved = new Map<string, string>();
    for (const base of ['server', 'peer']) {
      moved.set(`${base}.crt`, fileText(tree, `${pkiEtcd}/${base}.crt`));
      moved.set(`${base}.key`, fileText(tree, `${pkiEtcd}/${base}.key`));
      for (const ext of ['crt', 'key']) tree.delete(`${pkiEtcd}/${base}.${ext}`);
    }
    for (const gone of ['ca.key', 'healthcheck-client.crt', 'healthcheck-client.key']) tree.delete(`${pkiEtcd}/${gone}`);
    // etcd's own TLS material, readable by the etcd user only.
    addDir(tree, '/etc/etcd', 0o755);
    addDir(tree, ETCD_PKI, 0o700, etcd);
    addFile(tree, `${ETCD_PKI}/ca.crt`, pki.pem.etcdCa.crt, 0o644, etcd);
    for (const [file, pem] of moved) addFile(tree, `${ETCD_PKI}/${file}`, pem, file.endsWith('.key') ? 0o600 : 0o644, etcd);
    addDir(tree, '/etc/systemd/system/etcd.service.d', 0o755);
    if (input.scenario === 'variant') {
      // The RHEL package's files instead of Debian's (whose /etc/default/etcd the host has: hidden).
      tree.set(ETCD_ENV_FILE, { kind: 'whiteout' });
      addFile(tree, RHEL_ETCD_UNIT, RHEL_UNIT, 0o644);
      addFile(tree, RHEL_ETCD_CONF, rhelEtcdConf(input.name, input.ip), 0o644);
      addFile(tree, RHEL_ETCD_OVERRIDE, RHEL_OVERRIDE, 0o644);
      // The package makes /var/lib/etcd 0700 etcd:etcd; etcd creates its data dir 0700 inside: drifted to 0755.
      setAttrs(tree, '/var/lib/etcd', { mode: 0o700, uid: etcd.uid, gid: etcd.gid });
      addDir(tree, RHEL_ETCD_DATA_DIR, 0o755, etcd);
    } else {
      addFile(tree, ETCD_ENV_FILE, environmentFile(input.name, input.ip, input.scenario), 0o644);
      addFile(tree, ETCD_DROP_IN, dropIn(input.scenario), 0o644);
      // The data directory belongs to the service's user (the drifted mode 0755 of the kubeadm scenario stays).
      setAttrs(tree, '/var/lib/etcd', { uid: etcd.uid, gid: etcd.gid });
    }
    const apiserver = `${MANIFESTS}/kube-apiserver.yaml`;
    const manifest = fileText(tree, apiserver);
    if (!manifest.includes('--etcd-servers=https://127.0.0.1:2379')) throw new Error('kubeadm-external-etcd: unexpected kube-apiserver manifest');
    setFileText(tree, apiserver, manifest.replace('--etcd-servers=https://127.0.0.1:2379', `--etcd-servers=https://${input.ip}:2379`));
  },
  expectedPods: ({ role }) => (role === 'control-plane' ? ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] : []),
  joinsStackedEtcd: false,
  supervisor: 'external-etcd-sim.mjs',
};
