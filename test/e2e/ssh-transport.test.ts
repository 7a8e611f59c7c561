import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { HostKeyError, SudoError } from '../../src/model/errors.js';
import { parseKnownHosts, verifyHostKey } from '../../src/transport/known-hosts.js';
import { connectSsh } from '../../src/transport/ssh.js';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { labNode, labSshSettings } from './support/lab-ssh.js';

const INSTANCE = 'e2e-ssh';
let lab: LabState;
let scratch: string;

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 3, recreate: true });
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-ssh-'));
}, 120_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

function target(name: string, overrides = {}) {
  const node = labNode(lab, name);
  return { name, host: node.ip, ssh: labSshSettings(lab, overrides) };
}

function knownHostsWithout(ip: string): string {
  const file = join(scratch, `kh-without-${ip}`);
  const kept = readFileSync(lab.knownHostsFile, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith(`${ip} `));
  writeFileSync(file, kept.join('\n'));
  return file;
}

describe('SSH transport against the lab', () => {
  it('connects to every node with verified host keys and runs commands as ops and, via sudo -n, as root', async () => {
    for (const node of lab.nodes) {
      const transport = await connectSsh(target(node.name));
      try {
        expect((await transport.exec('id -un', { privileged: false })).stdout.toString().trim()).toBe('ops');
        expect((await transport.exec('id -u')).stdout.toString().trim()).toBe('0');
        expect((await transport.exec('hostname', { privileged: false })).stdout.toString().trim()).toBe(node.name);
        expect(transport.hostKeyFingerprint).toMatch(/^SHA256:/);
      } finally {
        await transport.close();
      }
    }
  });

  it('verifies against a known_hosts file hashed by ssh-keygen -H', async () => {
    const hashed = join(scratch, 'known_hosts.hashed');
    copyFileSync(lab.knownHostsFile, hashed);
    execFileSync('ssh-keygen', ['-H', '-f', hashed], { stdio: 'ignore' });
    expect(readFileSync(hashed, 'utf8')).not.toContain(lab.nodes[0]!.ip);
    const transport = await connectSsh(target(lab.nodes[0]!.name, { knownHostsFile: hashed }));
    expect((await transport.exec('true')).code).toBe(0);
    await transport.close();
  });

  it('verifies a [host]:port entry for an sshd on a non-standard port', async () => {
    const node = lab.nodes[0]!;
    await nodeExec(lab, node.name, ['/usr/sbin/sshd', '-o', `ListenAddress=${node.ip}:2222`, '-o', 'PidFile=/run/sshd-2222.pid']);
    const file = join(scratch, 'known_hosts.port');
    const lines = readFileSync(lab.knownHostsFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(`${node.ip} `));
    writeFileSync(file, lines.map((l) => l.replace(`${node.ip} `, `[${node.ip}]:2222 `)).join('\n'));
    try {
      const transport = await connectSsh(target(node.name, { port: 2222, knownHostsFile: file }));
      expect((await transport.exec('true')).code).toBe(0);
      await transport.close();
      // The same entries do not vouch for port 22.
      await expect(connectSsh(target(node.name, { port: 22, knownHostsFile: file }))).rejects.toBeInstanceOf(HostKeyError);
    } finally {
      await nodeExec(lab, node.name, ['/bin/sh', '-c', 'kill "$(cat /run/sshd-2222.pid)"']);
    }
  });

  it('refuses a node whose known_hosts entry was replaced, naming host and fingerprint, and only that node', async () => {
    const victim = lab.nodes[1]!;
    const file = join(scratch, 'known_hosts.replaced');
    const other = lab.nodes[0]!;
    const otherKeyLines = readFileSync(lab.knownHostsFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(`${other.ip} `));
    // Give the victim's IP the keys of another node: "changed".
    writeFileSync(
      file,
      readFileSync(knownHostsWithout(victim.ip), 'utf8') + '\n' + otherKeyLines.map((l) => l.replace(`${other.ip} `, `${victim.ip} `)).join('\n') + '\n',
    );
    const error = await connectSsh(target(victim.name, { knownHostsFile: file })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostKeyError);
    const hostKeyError = error as HostKeyError;
    expect(hostKeyError.reason).toBe('changed');
    expect(hostKeyError.message).toContain(victim.ip);
    expect(hostKeyError.message).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
    for (const node of lab.nodes.filter((n) => n !== victim)) {
      const transport = await connectSsh(target(node.name, { knownHostsFile: file }));
      await transport.close();
    }
  });

  it('refuses an unknown host, records it only when asked, and never records a changed key', async () => {
    const node = lab.nodes[2]!;
    const file = knownHostsWithout(node.ip);
    await expect(connectSsh(target(node.name, { knownHostsFile: file }))).rejects.toMatchObject({ reason: 'unknown' });
    const accepted: string[] = [];
    const transport = await connectSsh(target(node.name, { knownHostsFile: file }), { acceptNewHostKeys: true, onHostKeyAccepted: (h) => accepted.push(h) });
    await transport.close();
    expect(accepted).toEqual([node.ip]);
    expect(readFileSync(file, 'utf8')).toContain(`${node.ip} `);
    // Now known: connects without the flag.
    await (await connectSsh(target(node.name, { knownHostsFile: file }))).close();

    const changed = join(scratch, 'known_hosts.changed-accept');
    const donorLine = readFileSync(lab.knownHostsFile, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${lab.nodes[0]!.ip} ssh-ed25519`))!;
    writeFileSync(changed, donorLine.replace(`${lab.nodes[0]!.ip} `, `${node.ip} `) + '\n');
    const before = readFileSync(changed, 'utf8');
    await expect(connectSsh(target(node.name, { knownHostsFile: changed }), { acceptNewHostKeys: true })).rejects.toMatchObject({ reason: 'changed' });
    expect(readFileSync(changed, 'utf8')).toBe(before);
  });

  it('fails fast with a clear error when sudo wants a password', async () => {
    const transport = await connectSsh(target(lab.nodes[0]!.name, { user: 'ops-pw' }));
    try {
      const started = Date.now();
      const error = await transport.exec('id -u').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SudoError);
      expect((error as Error).message).toMatch(/ops-pw.*password is required/);
      expect(Date.now() - started).toBeLessThan(5_000); // sudo -n never waits for a prompt
      // Unprivileged commands still work for that user.
      expect((await transport.exec('id -un', { privileged: false })).stdout.toString().trim()).toBe('ops-pw');
    } finally {
      await transport.close();
    }
  });

  it('reaches nodes through a ProxyJump bastion, verifying every hop', async () => {
    const node = lab.nodes[0]!;
    const jump = [{ host: lab.bastion.ip, port: 22, user: 'ops' }];
    const transport = await connectSsh(target(node.name, { proxyJump: jump }));
    try {
      const connection = (await transport.exec('echo "$SSH_CONNECTION"', { privileged: false })).stdout.toString().trim();
      expect(connection.split(' ')[0]).toBe(lab.bastion.ip); // the node saw the bastion as the client
    } finally {
      await transport.close();
    }
    const file = knownHostsWithout(lab.bastion.ip);
    const error = await connectSsh(target(node.name, { proxyJump: jump, knownHostsFile: file })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostKeyError);
    expect((error as HostKeyError).host).toBe(lab.bastion.ip);
  });

  it('keeps to two channels per connection, which an sshd with MaxSessions 2 requires', async () => {
    const node = lab.nodes[0]!;
    // First prove the lab enforces MaxSessions 2: a raw client opening three channels at once gets refused.
    const raw = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      raw
        .once('ready', resolve)
        .once('error', reject)
        .connect({
          host: node.ip,
          username: 'ops',
          privateKey: readFileSync(lab.identityFile),
          hostVerifier: (key: Buffer) => verifyHostKey(parseKnownHosts(readFileSync(lab.knownHostsFile, 'utf8')), node.ip, 22, key).kind === 'trusted',
        });
    });
    const open = () =>
      new Promise<string>((resolve) => raw.exec('sleep 1', (err, ch) => (err ? resolve('refused') : (ch.on('close', () => resolve('ok')), ch.resume()))));
    const outcomes = await Promise.all([open(), open(), open()]);
    raw.end();
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(1);

    const transport = await connectSsh(target(node.name));
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => transport.exec('sleep 0.3; echo done', { privileged: false })));
      expect(results.map((r) => r.stdout.toString().trim())).toEqual(Array(6).fill('done'));
      expect(transport.execCount).toBe(6);
    } finally {
      await transport.close();
    }
  });
});
