/**
 * NodeFacts of a node whose etcd runs under systemd (kubeadm's external
 * etcd, Debian's etcd-server layout as the lab's kubeadm-external-etcd
 * distribution has it), built in memory: the package's unit, a flags
 * drop-in, /etc/default/etcd, and an etcd process started from them (argv,
 * and the ETCD_* lines of its environment as kube-bench's audit_env prints
 * them). Resolution runs the real facts and evaluation code.
 */

import { createHash } from 'node:crypto';
import { ETCD_DROP_IN_DIRS, ETCD_ENV_FILES, ETCD_UNIT_FILES } from '../../../../../src/facts/candidate-paths.js';
import { resolveKubeletService } from '../../../../../src/facts/kubelet-service.js';
import { resolvePaths } from '../../../../../src/facts/resolve-paths.js';
import type { ComponentProcess, DirectoryListing, NodeFacts, PathFacts } from '../../../../../src/facts/types.js';
import { ETCD_UNIT, etcdServiceSource } from '../../../../../src/evaluate/etcd-service/etcd-service-source.js';

export const UNIT = '/usr/lib/systemd/system/etcd.service';
export const DROP_IN = '/etc/systemd/system/etcd.service.d/10-flags.conf';
export const ENV_FILE = '/etc/default/etcd';
export const MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';

/** Debian bookworm's etcd-server unit, byte for byte. */
export const DEBIAN_UNIT = `[Unit]
Description=etcd - highly-available key value store
Documentation=https://etcd.io/docs
Documentation=man:etcd
After=network.target
Wants=network-online.target

[Service]
Environment=DAEMON_ARGS=
Environment=ETCD_NAME=%H
Environment=ETCD_DATA_DIR=/var/lib/etcd/default
EnvironmentFile=-/etc/default/%p
Type=notify
User=etcd
PermissionsStartOnly=true
#ExecStart=/bin/sh -c "GOMAXPROCS=$(nproc) /usr/bin/etcd $DAEMON_ARGS"
ExecStart=/usr/bin/etcd $DAEMON_ARGS
Restart=on-abnormal
#RestartSec=10s
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
Alias=etcd2.service
`;

export function dropIn(flags: string): string {
  return `# Flags on etcd's command line (they win over ETCD_* variables).\n[Service]\nExecStart=\nExecStart=/usr/bin/etcd $DAEMON_ARGS ${flags}\n`;
}

export function environmentFile(scenario: 'stock' | 'drifted'): string {
  const drifted = scenario === 'drifted';
  return `## etcd(1) daemon options
## See "/usr/share/doc/etcd-server/op-guide/configuration.md.gz"
## for available options.
##
## Use environment to override, for example: ETCD_NAME=default

ETCD_NAME="cp-1"
ETCD_DATA_DIR="/var/lib/etcd"
ETCD_LISTEN_CLIENT_URLS="https://127.0.0.1:2379,https://10.0.0.10:2379"
ETCD_LISTEN_METRICS_URLS="http://127.0.0.1:2381"

## Client TLS
ETCD_CERT_FILE="/etc/etcd/pki/server.crt"
ETCD_KEY_FILE="/etc/etcd/pki/server.key"
ETCD_TRUSTED_CA_FILE=/etc/etcd/pki/ca.crt
# Clients must present a certificate signed by the trusted CA.
ETCD_CLIENT_CERT_AUTH="${drifted ? 'false' : 'true'}"

## Peer TLS
ETCD_PEER_CERT_FILE='/etc/etcd/pki/peer.crt'
ETCD_PEER_KEY_FILE="/etc/etcd/pki/peer.key"
${drifted ? "ETCD_PEER_AUTO_TLS='true'\n" : ''}`;
}

export function layout(scenario: 'stock' | 'drifted'): Record<string, string> {
  return {
    [UNIT]: DEBIAN_UNIT,
    [DROP_IN]: dropIn(scenario === 'drifted' ? '--experimental-initial-corrupt-check=true --auto-tls=true' : '--peer-client-cert-auth=true'),
    [ENV_FILE]: environmentFile(scenario),
  };
}

let inode = 5000;

function present(path: string, text: string | null): PathFacts {
  inode += 1;
  const stat = { path, exists: true as const, mode: '644', uid: 0, gid: 0, user: 'root', group: 'root', device: 1, inode, symlinkTarget: null, followed: null };
  if (text === null) return { ...stat, type: 'dir', size: 4096, sha256: null, content: { kind: 'not-gathered' } };
  return {
    ...stat,
    type: 'file',
    size: Buffer.byteLength(text),
    sha256: createHash('sha256').update(text).digest('hex'),
    content: { kind: 'text', text, verbatim: true },
  };
}

/** The node with these files; etcd runs as systemd would start it from them unless `running` is false. */
export function etcdServiceNode(files: Readonly<Record<string, string>>, running = true): NodeFacts {
  const paths: Record<string, PathFacts> = {};
  for (const path of [...ETCD_UNIT_FILES, ...ETCD_DROP_IN_DIRS, ...ETCD_ENV_FILES, MANIFEST]) paths[path] = { path, exists: false };
  for (const [path, text] of Object.entries(files)) paths[path] = present(path, text);
  const listings: Record<string, DirectoryListing> = {};
  for (const dir of ETCD_DROP_IN_DIRS) {
    const entries = Object.keys(files)
      .filter((p) => p.startsWith(`${dir}/`))
      .sort();
    if (entries.length) paths[dir] = present(dir, null);
    listings[dir] = { dir, depth: 1, listing: 'conf-d', exists: entries.length > 0, entries };
  }
  const base: NodeFacts = {
    formatVersion: 1,
    node: 'cp-1',
    host: { hostname: 'cp-1', kernelName: 'Linux', kernelRelease: '6.1.0', machine: 'x86_64', os: null },
    processes: [],
    components: {},
    paths,
    listings,
    kubeletService: resolveKubeletService(paths, listings),
    users: [],
    groups: [],
    kubeletVersion: null,
    resolvedPaths: resolvePaths({ paths, listings, components: {} }),
    roles: { roles: ['etcd'], evidence: [] },
    truncated: false,
    notes: [],
  };
  if (!running) return base;
  const source = etcdServiceSource(base, undefined);
  if (!source?.argv) throw new Error(`etcdServiceNode: no command line (${source?.problems.join('; ')})`);
  const environment = [...source.commandLine.variables.values()].map((v) => `${v.name}=${v.value.text}`);
  const lines = ['LANG=C.UTF-8', 'PATH=/usr/bin:/bin', ...environment];
  const etcd: ComponentProcess = {
    pid: 700,
    comm: 'etcd',
    component: 'etcd',
    argv: source.argv,
    environment: Object.fromEntries([...source.commandLine.variables.values()].map((v) => [v.name, v.value.text])),
    auditEnv: { lines: lines.filter((l) => l.startsWith('ETCD_')), totalLines: lines.length },
  };
  const components = { etcd };
  return { ...base, processes: [etcd], components, resolvedPaths: resolvePaths({ paths, listings, components }) };
}

export { ETCD_UNIT };
