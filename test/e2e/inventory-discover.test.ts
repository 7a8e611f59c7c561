/**
 * `cis-fix inventory discover` against the lab API server: the inventory it
 * writes from the Node objects reaches every lab node (`inventory check`),
 * an existing file is only replaced with --force, and a user who may not
 * list nodes gets a clear error.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { labDown, labUp, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';

const INSTANCE = 'e2e-discover';
let lab: LabState;
let scratch: string;

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 3, recreate: true });
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-discover-'));
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

function discoverArgs(output: string, kubeconfig = lab.kubeconfigFile): string[] {
  return [
    'inventory',
    'discover',
    '--kubeconfig',
    kubeconfig,
    '--ssh-user',
    'ops',
    '--identity-file',
    lab.identityFile,
    '--known-hosts',
    lab.knownHostsFile,
    '-o',
    output,
  ];
}

interface DiscoverJson {
  file: string;
  context: string;
  nodes: { name: string; host: string; roles: string[] }[];
  skipped: { name: string; reason: string }[];
  notes: string[];
}

describe('cis-fix inventory discover against the lab', () => {
  const file = () => join(scratch, 'inv.yaml');

  it("writes an inventory of the lab's nodes that inventory check accepts", async () => {
    const result = await runCli([...discoverArgs(file()), '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as DiscoverJson;
    expect(json.file).toBe(file());
    expect(json.context).toBe('kubernetes-admin@kubernetes');
    expect(json.skipped).toEqual([]);
    expect(json.nodes).toEqual(lab.nodes.map((n) => ({ name: n.name, host: n.ip, roles: n.roles })));
    expect(json.notes).toEqual([expect.stringContaining('[control-plane, etcd]')]);

    expect(statSync(file()).mode & 0o777).toBe(0o644);
    const text = readFileSync(file(), 'utf8');
    expect(text).toMatch(
      /^# cis-fix inventory, written by `cis-fix inventory discover` at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n# from kubeconfig context "kubernetes-admin@kubernetes" \(API server https:\/\/198\.18\.\d+\.10:6443\)\./,
    );
    const inventory = await loadInventory(file());
    expect(inventory.cluster).toEqual({ name: 'kubernetes-admin@kubernetes', kubeconfig: lab.kubeconfigFile, context: 'kubernetes-admin@kubernetes' });
    expect(inventory.benchmark).toBe('auto');
    expect(inventory.nodes.map((n) => [n.name, n.host, n.roles])).toEqual(lab.nodes.map((n) => [n.name, n.ip, n.roles]));
    for (const node of inventory.nodes) {
      expect(node.ssh).toMatchObject({ user: 'ops', port: 22, identityFile: lab.identityFile, knownHostsFile: lab.knownHostsFile, become: 'sudo' });
    }

    const check = await runCli(['inventory', 'check', '-i', file(), '--json']);
    expect(check.code).toBe(0);
    expect((JSON.parse(check.stdout) as { ok: boolean }).ok).toBe(true);
  });

  it('refuses to overwrite without --force, leaving the file byte-identical, and rewrites with it', async () => {
    const before = readFileSync(file());
    const refused = await runCli(discoverArgs(file()));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`${file()} already exists; nothing written.`);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(file()).equals(before)).toBe(true);

    await new Promise((r) => setTimeout(r, 1100)); // a new header timestamp
    const forced = await runCli([...discoverArgs(file()), '--force', '--cluster-name', 'lab', '--ssh-port', '22', '--become', 'sudo']);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`Wrote ${file()}: 3 nodes (1 control plane, 2 workers)`);
    expect(forced.stdout).toContain(`Next: cis-fix inventory check -i ${file()}`);
    const after = readFileSync(file(), 'utf8');
    expect(after).not.toBe(before.toString('utf8'));
    expect(after).toContain('  name: lab\n');
    expect(statSync(file()).mode & 0o777).toBe(0o644);
    expect((await loadInventory(file())).nodes).toHaveLength(3);
  });

  it('prints the inventory on stdout with -o - and writes nothing', async () => {
    const result = await runCli(['inventory', 'discover', '--kubeconfig', lab.kubeconfigFile, '--ssh-user', 'ops', '-o', '-'], {}, '');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^# cis-fix inventory/);
    expect(result.stdout).toContain(`  - name: cp-1\n    host: ${lab.nodes[0]!.ip}\n    roles: [control-plane, etcd]\n`);
    expect(result.stderr).toContain('Discovered 3 nodes');
    expect(existsSync(join(process.cwd(), '-'))).toBe(false);
  });

  it('says the restricted user may not list nodes, exits 1 and writes nothing', async () => {
    const target = join(scratch, 'restricted.yaml');
    const result = await runCli(discoverArgs(target, lab.restrictedKubeconfigFile));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error: forbidden: cannot list nodes: nodes is forbidden');
    expect(result.stderr).toContain('User "lab-restricted" cannot list resource "nodes"');
    expect(result.stderr).toContain('kubectl auth can-i list nodes');
    expect(existsSync(target)).toBe(false);
  });

  it('names a missing kubeconfig and an unknown context with what to do', async () => {
    const missing = await runCli(discoverArgs(join(scratch, 'x.yaml'), join(scratch, 'nope.kubeconfig')));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`kubeconfig ${join(scratch, 'nope.kubeconfig')} does not exist`);
    expect(missing.stderr).toContain('--kubeconfig FILE');

    const unknown = await runCli([...discoverArgs(join(scratch, 'x.yaml')), '--context', 'kubernetes-admin@kubernets']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('has no context named "kubernetes-admin@kubernets"');
    expect(unknown.stderr).toContain('kubernetes-admin@kubernetes');
    expect(existsSync(join(scratch, 'x.yaml'))).toBe(false);
  });

  it('reports an unreachable API server as such', async () => {
    const kubeconfig = join(scratch, 'unreachable.kubeconfig');
    // Nothing listens on port 1 of the host's bridge address: the connection is refused at once.
    writeFileSync(kubeconfig, readFileSync(lab.kubeconfigFile, 'utf8').replace(/server: https:\/\/[\d.]+:6443/, `server: https://${lab.hostIp}:1`));
    const result = await runCli([...discoverArgs(join(scratch, 'y.yaml'), kubeconfig), '--json']);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as { error: { name: string; message: string; hints: string[] } };
    expect(json.error.name).toBe('ClusterUnreachableError');
    expect(json.error.message).toContain(`https://${lab.hostIp}:1`);
    expect(json.error.message).toContain('ECONNREFUSED');
    expect(existsSync(join(scratch, 'y.yaml'))).toBe(false);
  });
});
