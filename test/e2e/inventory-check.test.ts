import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatherFacts } from '../../src/facts/gather-facts.js';
import { connectSsh } from '../../src/transport/ssh.js';
import { labDown, labUp, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';
import { labSshSettings } from './support/lab-ssh.js';

const INSTANCE = 'e2e-invcheck';
let lab: LabState;
let scratch: string;

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 3, recreate: true });
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-inv-'));
}, 120_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

/** The lab's inventory with edits, written to the scratch dir. */
function inventoryWith(name: string, edit: (text: string) => string): string {
  const file = join(scratch, `${name}.yaml`);
  writeFileSync(file, edit(readFileSync(lab.inventoryFile, 'utf8')));
  return file;
}

interface CheckJson {
  ok: boolean;
  nodes: {
    node: string;
    ok: boolean;
    reachable: boolean;
    hostKeyFingerprint?: string;
    sudo: string;
    detectedRoles: string[];
    roleMismatch?: string;
    kubeletVersion?: string;
    error?: { message: string };
  }[];
}

describe('cis-fix inventory check against the lab', () => {
  it('reports every node reachable, host key verified, sudo ok and roles as declared', async () => {
    const result = await runCli(['inventory', 'check', '-i', lab.inventoryFile, '--json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as CheckJson;
    expect(json.ok).toBe(true);
    expect(json.nodes.map((n) => n.node)).toEqual(lab.nodes.map((n) => n.name));
    for (const node of json.nodes) {
      const labNode = lab.nodes.find((n) => n.name === node.node)!;
      expect(node.hostKeyFingerprint).toMatch(/^SHA256:/);
      expect(node.sudo).toBe('ok');
      expect([...node.detectedRoles].sort()).toEqual([...labNode.roles].sort());
      expect(node.kubeletVersion).toBe('v1.33.4');
    }
  });

  it('prints a table on stdout without --json and nothing on stdout but JSON with it', async () => {
    const text = await runCli(['inventory', 'check', '-i', lab.inventoryFile]);
    expect(text.stdout).toMatch(/NODE\s+HOST\s+SSH\s+HOST KEY/);
    expect(text.stdout).toContain('All 3 nodes OK.');
    const json = await runCli(['inventory', 'check', '-i', lab.inventoryFile, '--json']);
    expect(() => JSON.parse(json.stdout)).not.toThrow();
  });

  it('refuses only the node whose known_hosts entry was replaced, naming its fingerprint, and exits 1', async () => {
    const [first, victim] = lab.nodes as [(typeof lab.nodes)[0], (typeof lab.nodes)[0]];
    const knownHosts = join(scratch, 'known_hosts.swapped');
    const lines = readFileSync(lab.knownHostsFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const donor = lines.filter((l) => l.startsWith(`${first.ip} `)).map((l) => l.replace(`${first.ip} `, `${victim.ip} `));
    writeFileSync(knownHosts, [...lines.filter((l) => !l.startsWith(`${victim.ip} `)), ...donor].join('\n') + '\n');
    const inventory = inventoryWith('swapped', (t) => t.replace(lab.knownHostsFile, knownHosts));
    const result = await runCli(['inventory', 'check', '-i', inventory, '--json']);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as CheckJson;
    const failed = json.nodes.filter((n) => !n.ok);
    expect(failed.map((n) => n.node)).toEqual([victim.name]);
    expect(failed[0]!.reachable).toBe(false);
    expect(failed[0]!.error!.message).toMatch(new RegExp(`host key for ${victim.ip.replace(/\./g, '\\.')} has CHANGED \\(offered SHA256:[A-Za-z0-9+/]{43}\\)`));
  });

  it('fails fast and clearly on a node whose sudo needs a password', async () => {
    const victim = lab.nodes[2]!;
    const inventory = inventoryWith('sudo-pw', (t) => t.replace(`host: ${victim.ip}\n`, `host: ${victim.ip}\n    ssh: { user: ops-pw }\n`));
    const started = Date.now();
    const result = await runCli(['inventory', 'check', '-i', inventory]);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${victim.name}: sudo -n failed for user ops-pw: a password is required`);
    expect(result.stdout).toContain('NOPASSWD');
    expect(result.stdout).toContain('1 of 3 nodes failed');
  });

  it('fails a node whose declared roles are not what it runs', async () => {
    const worker = lab.nodes.find((n) => n.roles.includes('worker'))!;
    const inventory = inventoryWith('roles', (t) => t.replace(`host: ${worker.ip}\n    roles: [worker]`, `host: ${worker.ip}\n    roles: [control-plane]`));
    const result = await runCli(['inventory', 'check', '-i', inventory, '--json']);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as CheckJson;
    expect(json.nodes.find((n) => n.node === worker.name)!.roleMismatch).toMatch(/declared control-plane but no kube-apiserver runs/);
  });

  it('records unknown host keys only with --accept-new-host-keys, then verifies them', async () => {
    const knownHosts = join(scratch, 'known_hosts.new');
    const inventory = inventoryWith('new-keys', (t) => t.replace(lab.knownHostsFile, knownHosts));
    const refused = await runCli(['inventory', 'check', '-i', inventory, '--json']);
    expect(refused.code).toBe(1); // the known_hosts file does not even exist
    const accepted = await runCli(['inventory', 'check', '-i', inventory, '--accept-new-host-keys']);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/recorded host key of cp-1: 198\.18\.\d+\.10 ssh-ed25519 SHA256:/);
    const again = await runCli(['inventory', 'check', '-i', inventory, '--json']);
    expect(again.code).toBe(0);
  });

  it('names each unreachable node once, with what to check, and counts them (refused, and dropped before the handshake)', async () => {
    // A port that takes the TCP connection and drops it at once: ssh2 says "Connection lost before handshake".
    const dropper = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    const port = (dropper.address() as AddressInfo).port;
    try {
      const [, refused, dropped] = lab.nodes as [(typeof lab.nodes)[0], (typeof lab.nodes)[0], (typeof lab.nodes)[0]];
      const inventory = inventoryWith('unreachable', (t) =>
        t
          .replace(`host: ${refused.ip}\n`, `host: ${refused.ip}\n    ssh: { port: 1 }\n`)
          .replace(`host: ${dropped.ip}\n`, `host: 127.0.0.1\n    ssh: { port: ${port} }\n`),
      );
      const check = await runCli(['inventory', 'check', '-i', inventory]);
      expect(check.code).toBe(1);
      expect(check.stdout).not.toMatch(/([\w-]+): \1:/);
      expect(check.stdout).toContain(`${refused.name}: cannot connect to ops@${refused.ip}:1: ECONNREFUSED`);
      expect(check.stdout).toContain(`${dropped.name}: the connection to ops@127.0.0.1:${port} was dropped before the SSH handshake`);
      expect(check.stdout.match(/then run 'cis-fix inventory check'/g)?.length).toBe(2);
      expect(check.stdout).toContain('2 of 3 nodes failed (2 not reached).');

      const plan = await runCli(['plan', '-i', inventory, '--only', '4.1.1']);
      expect(plan.code).toBe(1);
      expect(plan.stderr).toContain('warning: 2 nodes not reached, so they are not in the plan, and apply refuses it:');
      expect(plan.stderr).not.toMatch(/([\w-]+): \1:/);
      // The hint is the same for both nodes: printed once.
      expect(plan.stderr.match(/firewall/g)?.length).toBe(1);
      expect(plan.stdout).toContain('Not reached: 2 nodes');
      expect(plan.stdout).toMatch(/Plan: .*2 nodes not reached\./);
    } finally {
      dropper.close();
    }
  });

  it('works through a ProxyJump bastion declared in the inventory', async () => {
    const inventory = inventoryWith('bastion', (t) => t.replace('  become: sudo\n', `  become: sudo\n  proxyJump: ops@${lab.bastion.ip}:22\n`));
    const result = await runCli(['inventory', 'check', '-i', inventory, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('fact gathering', () => {
  it('opens exactly one exec channel per node', async () => {
    for (const node of lab.nodes) {
      const transport = await connectSsh({ name: node.name, host: node.ip, ssh: labSshSettings(lab) });
      try {
        const facts = await gatherFacts(transport);
        expect(transport.execCount).toBe(1);
        expect(facts.node).toBe(node.name);
        expect(facts.kubeletVersion?.version).toBe('v1.33.4');
        if (node.roles.includes('control-plane')) {
          expect(facts.components['kube-apiserver']?.argv[0]).toBe('kube-apiserver');
          expect(facts.resolvedPaths.apiserverManifest.path).toBe('/etc/kubernetes/manifests/kube-apiserver.yaml');
        }
        // Private keys never leave the node.
        expect(JSON.stringify(facts)).not.toMatch(/PRIVATE KEY/);
      } finally {
        await transport.close();
      }
    }
  });
});
