import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { addDir, addFile, makeOpaque, type NodeTree } from './node-tree.js';
import { NODE_CODE_DIR } from './lab-layout.js';

/**
 * The operating-system part of a lab node (or the bastion): users, sudo,
 * sshd, hostname. Users exist only in the node's /etc (its upper layer);
 * the host's accounts file is the template, minus regular users and minus
 * `etcd` (Debian's etcd-server creates one on the host; kubeadm nodes have none).
 */
export const OPS = { name: 'ops', uid: 1000, gid: 1000 };
export const OPS_PW = { name: 'ops-pw', uid: 1001, gid: 1001 };

export interface BaseInput {
  name: string;
  ip: string;
  kind: 'node' | 'bastion';
  /** The lab client's public key line (authorized for ops and ops-pw). */
  clientPublicKey: string;
  /** Host keys: file name under /etc/ssh -> { private, public }. */
  hostKeys: ReadonlyArray<{ file: string; private: string; public: string }>;
  /** crypt(3) hash of ops-pw's password (so sudo asks for it). */
  opsPwHash: string;
}

/** Host account files, read once per `up`. */
export interface HostAccounts {
  passwd: string;
  group: string;
  shadow: string;
  gshadow: string;
}

export async function readHostAccounts(): Promise<HostAccounts> {
  const read = (f: string) => readFile(f, 'utf8').catch(() => '');
  return { passwd: await read('/etc/passwd'), group: await read('/etc/group'), shadow: await read('/etc/shadow'), gshadow: await read('/etc/gshadow') };
}

function keepSystemAccounts(text: string, idField: number | undefined, dropNames: ReadonlySet<string>): string[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  return lines.filter((line) => {
    const fields = line.split(':');
    const name = fields[0] ?? '';
    if (dropNames.has(name)) return false;
    if (idField === undefined) return true;
    const id = Number(fields[idField]);
    return !(id >= 1000 && id < 60000);
  });
}

export function accountFiles(host: HostAccounts, opsPwHash: string): { passwd: string; group: string; shadow: string; gshadow: string } {
  // Names of host accounts that are dropped: regular users and etcd.
  const dropped = new Set<string>(['etcd', OPS.name, OPS_PW.name]);
  for (const line of host.passwd.split('\n')) {
    const f = line.split(':');
    const id = Number(f[2]);
    if (f[0] && id >= 1000 && id < 60000) dropped.add(f[0]);
  }
  const droppedGroups = new Set<string>(['etcd', OPS.name, OPS_PW.name]);
  for (const line of host.group.split('\n')) {
    const f = line.split(':');
    const id = Number(f[2]);
    if (f[0] && id >= 1000 && id < 60000) droppedGroups.add(f[0]);
  }
  const passwd = keepSystemAccounts(host.passwd, 2, dropped);
  if (!passwd.some((l) => l.startsWith('sshd:'))) passwd.push('sshd:x:100:65534::/run/sshd:/usr/sbin/nologin');
  passwd.push(`${OPS.name}:x:${OPS.uid}:${OPS.gid}:cis-fix lab operator:/home/${OPS.name}:/bin/bash`);
  passwd.push(`${OPS_PW.name}:x:${OPS_PW.uid}:${OPS_PW.gid}:cis-fix lab operator (sudo asks for a password):/home/${OPS_PW.name}:/bin/bash`);
  // Strip dropped users from group member lists too.
  const group = keepSystemAccounts(host.group, 2, droppedGroups).map((line) => {
    const f = line.split(':');
    if (f.length < 4) return line;
    f[3] = (f[3] ?? '')
      .split(',')
      .filter((m) => m && !dropped.has(m))
      .join(',');
    return f.join(':');
  });
  group.push(`${OPS.name}:x:${OPS.gid}:`, `${OPS_PW.name}:x:${OPS_PW.gid}:`);
  const shadow = keepSystemAccounts(host.shadow, undefined, dropped);
  if (!shadow.some((l) => l.startsWith('sshd:'))) shadow.push('sshd:*:19000:0:99999:7:::');
  // "*": no password, but not locked (sshd with UsePAM no refuses "!" accounts).
  shadow.push(`${OPS.name}:*:19000:0:99999:7:::`, `${OPS_PW.name}:${opsPwHash}:19000:0:99999:7:::`);
  const gshadow = keepSystemAccounts(host.gshadow, undefined, droppedGroups);
  gshadow.push(`${OPS.name}:!::`, `${OPS_PW.name}:!::`);
  return {
    passwd: passwd.join('\n') + '\n',
    group: group.join('\n') + '\n',
    shadow: shadow.join('\n') + '\n',
    gshadow: gshadow.join('\n') + '\n',
  };
}

export function sshdConfig(input: Pick<BaseInput, 'name' | 'ip' | 'kind'>): string {
  const bastion = input.kind === 'bastion';
  return `# sshd for cis-fix lab ${bastion ? 'bastion' : 'node'} ${input.name}
ListenAddress ${input.ip}:22
HostKey /etc/ssh/ssh_host_ed25519_key
HostKey /etc/ssh/ssh_host_ecdsa_key
PidFile /run/sshd.pid
# Keys live in /etc/ssh so that no home directory is needed for them.
AuthorizedKeysFile /etc/ssh/authorized_keys/%u
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
UseDNS no
${bastion ? '' : '# A hardened sshd: clients must cope with at most two sessions per connection.\nMaxSessions 2\n'}AllowTcpForwarding ${bastion ? 'yes' : 'no'}
X11Forwarding no
PrintMotd no
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
`;
}

export const SUDOERS = `#
# This file MUST be edited with the 'visudo' command as root.
#
Defaults	env_reset
Defaults	mail_badpass
Defaults	secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
Defaults	use_pty

# User privilege specification
root	ALL=(ALL:ALL) ALL

# Allow members of group sudo to execute any command
%sudo	ALL=(ALL:ALL) ALL

@includedir /etc/sudoers.d
`;

/** Adds the operating-system files of a node or the bastion to the tree. */
export async function addBaseFiles(tree: NodeTree, input: BaseInput, accounts: HostAccounts): Promise<void> {
  const acc = accountFiles(accounts, input.opsPwHash);
  addFile(tree, '/etc/passwd', acc.passwd, 0o644);
  addFile(tree, '/etc/group', acc.group, 0o644);
  addFile(tree, '/etc/shadow', acc.shadow, 0o640, { uid: 0, gid: shadowGid(accounts.group) });
  addFile(tree, '/etc/gshadow', acc.gshadow, 0o640, { uid: 0, gid: shadowGid(accounts.group) });
  addFile(tree, '/etc/hostname', `${input.name}\n`, 0o644);
  addFile(tree, '/etc/hosts', `127.0.0.1\tlocalhost\n${input.ip}\t${input.name}\n`, 0o644);

  addFile(tree, '/etc/sudoers', SUDOERS, 0o440);
  addDir(tree, '/etc/sudoers.d', 0o755);
  addFile(tree, '/etc/sudoers.d/90-lab-ops', `${OPS.name} ALL=(ALL) NOPASSWD: ALL\n${OPS_PW.name} ALL=(ALL:ALL) ALL\n`, 0o440);
  await makeOpaque(tree, '/etc/sudoers.d');

  addDir(tree, '/etc/ssh', 0o755);
  addFile(tree, '/etc/ssh/sshd_config', sshdConfig(input), 0o644);
  for (const k of input.hostKeys) {
    addFile(tree, `/etc/ssh/${k.file}`, k.private, 0o600);
    addFile(tree, `/etc/ssh/${k.file}.pub`, k.public, 0o644);
  }
  addDir(tree, '/etc/ssh/authorized_keys', 0o755);
  for (const u of [OPS, OPS_PW]) {
    addFile(tree, `/etc/ssh/authorized_keys/${u.name}`, `${input.clientPublicKey.trim()}\n`, 0o644);
    addDir(tree, `/home/${u.name}`, 0o750, { uid: u.uid, gid: u.gid });
  }
  await makeOpaque(tree, '/etc/ssh');
  await makeOpaque(tree, '/home');
  // The host's ssh_config and moduli are harmless and stay visible.
  for (const keep of ['/etc/ssh/ssh_config', '/etc/ssh/ssh_config.d', '/etc/ssh/moduli']) {
    if (tree.get(keep)?.kind === 'whiteout') tree.delete(keep);
  }

  // systemctl: the lab's shim, first on root's PATH and on sudo's secure_path.
  const shim = `#!/bin/sh\n# cis-fix lab: systemctl for the simulated kubelet (see ${NODE_CODE_DIR}/systemctl.mjs)\nexec /usr/bin/node ${path.join(NODE_CODE_DIR, 'systemctl.mjs')} "$@"\n`;
  addFile(tree, '/usr/local/sbin/systemctl', shim, 0o755);
  addFile(tree, '/usr/bin/systemctl', shim, 0o755);
}

function shadowGid(group: string): number {
  const line = group.split('\n').find((l) => l.startsWith('shadow:'));
  const gid = Number(line?.split(':')[2]);
  return Number.isInteger(gid) ? gid : 0;
}
