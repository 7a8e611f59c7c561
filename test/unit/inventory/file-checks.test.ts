import { spawn } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { InputProblem } from '../../../src/model/errors.js';
import type { LoadInventoryOptions } from '../../../src/inventory/inventory.js';
import { loadInventory } from '../../../src/inventory/load-inventory.js';
import { loadProblems, tempDir, writeIn, yaml } from './inventory-fixtures.js';

const PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
const NODE = ['  - name: cp-1', '    host: 192.0.2.10', '    roles: [control-plane]'];

/** A temp dir acting as home, with an (empty) ~/.ssh/known_hosts unless told otherwise. */
async function home(options: { knownHosts?: boolean } = {}): Promise<{ dir: string; options: LoadInventoryOptions }> {
  const dir = await tempDir();
  if (options.knownHosts !== false) {
    await mkdir(join(dir, '.ssh'));
    await writeIn(dir, '.ssh/known_hosts', '');
  }
  return { dir, options: { env: {}, homeDir: dir, userName: 'tester' } };
}

describe('file checks', () => {
  it('rejects a missing identity file at the line that names it', async () => {
    const { dir, options } = await home();
    const file = await writeIn(dir, 'inventory.yaml', yaml('ssh:', '  identityFile: ~/.ssh/nope', 'nodes:', ...NODE));
    const problems = await loadProblems(() => loadInventory(file, options));
    expect(problems).toEqual([
      {
        location: { file, line: 2, column: 3 },
        message: `identity file ~/.ssh/nope (${dir}/.ssh/nope) does not exist`,
        fix: 'Fix the path (`identityFile: ~/.ssh/id_ed25519`), or remove identityFile to use ssh-agent (SSH_AUTH_SOCK).',
      },
    ]);
  });

  it('reports a missing key once where it is written, however many nodes inherit it', async () => {
    const { dir, options } = await home();
    const nodes = Array.from({ length: 5 }, (_, i) => `  - { name: n${i}, host: 192.0.2.${i + 1}, roles: [worker] }`);
    const file = await writeIn(
      dir,
      'inventory.yaml',
      yaml('ssh:', '  identityFile: missing-key', 'nodes:', ...nodes, '  - { name: own, host: h, roles: [worker], ssh: { identityFile: other-missing } }'),
    );
    const problems = await loadProblems(() => loadInventory(file, options));
    expect(problems.map((p) => [p.location?.line, p.message])).toEqual([
      [2, `identity file missing-key (${dir}/missing-key) does not exist`],
      [9, `identity file other-missing (${dir}/other-missing) does not exist`],
    ]);
  });

  it('rejects a directory given as identity file', async () => {
    const { dir, options } = await home();
    await mkdir(join(dir, 'keys'));
    const file = await writeIn(dir, 'inventory.yaml', yaml('nodes:', ...NODE, '    ssh: { identityFile: keys }'));
    const [problem] = await loadProblems(() => loadInventory(file, options));
    expect(problem?.location?.line).toBe(5);
    expect(problem?.message).toBe(`identity file keys (${dir}/keys) is a directory, not a file`);
  });

  it('rejects a public key given as identity file and names the private one', async () => {
    const { dir, options } = await home();
    await writeIn(dir, 'id_ed25519.pub', 'ssh-ed25519 AAAAC3Nza tester@host\n');
    const file = await writeIn(dir, 'inventory.yaml', yaml('ssh: { identityFile: id_ed25519.pub }', 'nodes:', ...NODE));
    const [problem] = await loadProblems(() => loadInventory(file, options));
    expect(problem?.message).toBe(`identity file id_ed25519.pub (${dir}/id_ed25519.pub) is a public key`);
    expect(problem?.fix).toBe('Point identityFile at the private key, e.g. `identityFile: id_ed25519`.');
  });

  it('accepts a readable identity file', async () => {
    const { dir, options } = await home();
    await writeIn(dir, 'id', PRIVATE_KEY);
    const file = await writeIn(dir, 'inventory.yaml', yaml('ssh: { identityFile: id }', 'nodes:', ...NODE));
    expect((await loadInventory(file, options)).nodes[0]?.ssh.identityFile).toBe(join(dir, 'id'));
  });

  it('rejects an identity file (mode 000) that the user running cis-fix cannot read', async () => {
    const { dir, options } = await home();
    await chmod(dir, 0o755);
    const key = await writeIn(dir, 'id', PRIVATE_KEY);
    await chmod(key, 0o000);
    const file = await writeIn(dir, 'inventory.yaml', yaml('ssh: { identityFile: id }', 'nodes:', ...NODE));
    await chmod(file, 0o644);
    // Root reads any file whatever its mode — correctly so, since SSH would
    // too — so as root the check runs in a child process as `nobody`.
    const problems =
      process.getuid?.() === 0 ? await loadProblemsAsNobody(file) : await loadProblems(() => loadInventory(file, { ...options, requireKnownHosts: false }));
    expect(problems).toEqual([
      {
        location: { file, line: 1, column: 8 },
        message: `identity file id (${key}) cannot be read: permission denied`,
        fix: `Make it readable by the user running cis-fix (e.g. chmod 600 ${key} as its owner), or remove identityFile to use ssh-agent.`,
      },
    ]);
  }, 30_000);

  it('rejects a missing known-hosts file and says how to create it', async () => {
    const { dir, options } = await home({ knownHosts: false });
    const file = await writeIn(
      dir,
      'inventory.yaml',
      yaml(
        'ssh:',
        '  user: ops',
        'nodes:',
        ...NODE,
        '  - { name: w-1, host: 192.0.2.21, roles: [worker] }',
        '  - { name: w-2, host: 10.0.0.5, roles: [worker], ssh: { proxyJump: "bastion:2222" } }',
      ),
    );
    const problems = await loadProblems(() => loadInventory(file, options));
    const known = join(dir, '.ssh/known_hosts');
    expect(problems).toEqual([
      {
        location: { file, line: 1, column: 1 },
        message: `known-hosts file ~/.ssh/known_hosts (${known}) does not exist`,
        fix:
          "Record the nodes' host keys: run 'cis-fix inventory check --accept-new-host-keys' (it shows each fingerprint; verify them out of band), " +
          `or 'ssh-keyscan -p 22 192.0.2.10 192.0.2.21 >> ${known}; ssh-keyscan -p 2222 bastion >> ${known}' and compare the fingerprints.`,
      },
    ]);
  });

  it('accepts a missing known-hosts file when new host keys will be accepted (which creates it)', async () => {
    const { dir, options } = await home({ knownHosts: false });
    const file = await writeIn(dir, 'inventory.yaml', yaml('nodes:', ...NODE));
    const inventory = await loadInventory(file, { ...options, requireKnownHosts: false });
    expect(inventory.nodes[0]?.ssh.knownHostsFile).toBe(join(dir, '.ssh/known_hosts'));
  });

  it('reports a missing known-hosts file that the inventory names at that line', async () => {
    const { dir, options } = await home();
    const file = await writeIn(dir, 'inventory.yaml', yaml('nodes:', ...NODE, '    ssh:', '      knownHostsFile: lab_known_hosts'));
    const [problem] = await loadProblems(() => loadInventory(file, options));
    expect(problem?.location).toEqual({ file, line: 6, column: 7 });
    expect(problem?.message).toBe(`known-hosts file lab_known_hosts (${dir}/lab_known_hosts) does not exist`);
  });

  it('rejects a kubeconfig that does not exist', async () => {
    const { dir, options } = await home();
    const file = await writeIn(dir, 'inventory.yaml', yaml('cluster:', '  kubeconfig: ~/.kube/config', 'nodes:', ...NODE));
    const [problem] = await loadProblems(() => loadInventory(file, options));
    expect(problem?.location?.line).toBe(2);
    expect(problem?.message).toBe(`kubeconfig ~/.kube/config (${dir}/.kube/config) does not exist`);
    expect(problem?.fix).toBe('Fix the path (`kubeconfig: ~/.kube/config`), or remove it to skip the API checks.');
  });

  it('reports file problems together with every other problem', async () => {
    const { dir, options } = await home();
    const file = await writeIn(
      dir,
      'inventory.yaml',
      yaml('ssh:', '  identityFile: nope', '  port: 0', 'nodes:', ...NODE, '  - { name: cp-2, roles: [etcd] }'),
    );
    const problems = await loadProblems(() => loadInventory(file, options));
    expect(problems.map((p) => p.location?.line)).toEqual([2, 3, 8]);
  });

  it('checks no file when checkFiles is false', async () => {
    const { dir, options } = await home({ knownHosts: false });
    const file = await writeIn(dir, 'inventory.yaml', yaml('cluster: { kubeconfig: nope }', 'ssh: { identityFile: nope }', 'nodes:', ...NODE));
    await expect(loadInventory(file, { ...options, checkFiles: false })).resolves.toMatchObject({ nodes: [{ name: 'cp-1' }] });
  });
});

/** Runs loadInventory as uid/gid 65534 (nobody) through tsx, returning its problems. */
function loadProblemsAsNobody(file: string): Promise<InputProblem[]> {
  const module = join(process.cwd(), 'src/inventory/load-inventory.ts');
  const script = `
    import { loadInventory } from ${JSON.stringify(module)};
    try { await loadInventory(${JSON.stringify(file)}, { env: {}, homeDir: '/nonexistent', userName: 'tester', requireKnownHosts: false }); console.log('[]'); }
    catch (error) { console.log(JSON.stringify(error.problems ?? String(error))); }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      uid: 65534,
      gid: 65534,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(stdout) as InputProblem[]);
      } catch {
        reject(new Error(`child exited ${code}: ${stdout}\n${stderr}`));
      }
    });
  });
}
