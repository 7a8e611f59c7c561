import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDown, labUp, type LabState } from '../lab/lab.js';

// Issue 11 §5: the install path a user takes. The package is packed from a
// copy of the sources (so a stale dist/ in the repository cannot hide a file
// the build forgot), installed globally into an empty prefix the way the
// README says, and the installed `cis-fix` — with no repository around — plans
// a lab through SSH and the Kubernetes API. A file the CLI reads at run time
// and the package lacks fails these runs, whatever the file is.
const INSTANCE = 'e2e-install';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
/** Not sources of the package: dependencies (linked instead), build output, tests, local tools. */
const NOT_COPIED = new Set(['node_modules', 'dist', 'oclif.manifest.json', '.git', '.tools', 'test', 'coverage']);

let scratch: string;
let lab: LabState;
let tarball: string;
let installed: string;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', ...options.env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const npmEnv = { npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

/** `npm pack` in a copy of the repository's sources; prepack builds there. Returns the tarball's path. */
async function packFromSources(): Promise<string> {
  const source = join(scratch, 'source');
  mkdirSync(source);
  for (const entry of readdirSync(REPO)) {
    if (NOT_COPIED.has(entry) || entry.endsWith('.tgz')) continue;
    cpSync(join(REPO, entry), join(source, entry), { recursive: true });
  }
  // The build's tools (tsc, oclif) come from the repository's dev dependencies.
  symlinkSync(realpathSync(join(REPO, 'node_modules')), join(source, 'node_modules'));
  const packed = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: source, env: npmEnv });
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string }[];
  return join(scratch, info!.filename);
}

/** `npm install -g` into an empty prefix; dependencies from npm's cache when it has them, else the registry. */
async function installGlobally(file: string): Promise<string> {
  const prefix = join(scratch, 'prefix');
  const result = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', file], { cwd: scratch, env: npmEnv });
  if (result.code !== 0) throw new Error(`npm install -g failed:\n${result.stderr}`);
  return join(prefix, 'bin', 'cis-fix');
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-install-'));
  const [, packedFile] = await Promise.all([
    labUp({ instance: INSTANCE, nodes: 1, scenario: 'drifted', recreate: true }).then((state) => (lab = state)),
    packFromSources(),
  ]);
  tarball = packedFile;
  installed = await installGlobally(tarball);
}, 600_000);

afterAll(async () => {
  await labDown(INSTANCE);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 120_000);

/** The installed CLI, run from an empty directory outside the repository, with its own HOME and state directory. */
async function installedCli(...args: string[]): Promise<Run> {
  const cwd = mkdtempSync(join(scratch, 'cwd-'));
  return run(installed, args, { cwd, env: { HOME: cwd, CIS_FIX_STATE_DIR: join(cwd, 'state'), NODE_PATH: '' } });
}

describe('the npm package', () => {
  it('holds the built CLI, its manifest and the playbooks, and no sources or tests', async () => {
    const listing = await run('tar', ['-tzf', tarball], { cwd: scratch });
    const files = listing.stdout.split('\n').filter(Boolean);
    for (const file of [
      'package/bin/run.js',
      'package/oclif.manifest.json',
      'package/dist/commands/plan.js',
      'package/playbooks/cis-1.12/benchmark.yaml',
      'package/inventory.example.yaml',
    ]) {
      expect(files).toContain(file);
    }
    expect(files.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/') || f.startsWith('package/node_modules/'))).toEqual([]);
  });

  it('installs globally into an empty prefix, and the installed cis-fix reports its version from anywhere', async () => {
    const result = await installedCli('--version');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(result.stdout).toContain(`cis-fix/${VERSION}`);
  });

  it('the installed cis-fix plans a lab over SSH and through the API', async () => {
    const result = await installedCli('plan', '-i', lab.apiInventoryFile, '--json');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const plan = JSON.parse(result.stdout) as {
      tool: { version: string };
      cluster: { kind: string };
      findings: { node?: string; status: string; controlId: string }[];
      changes: { node?: string }[];
    };
    expect(plan.tool.version).toBe(VERSION);
    expect(plan.cluster.kind).toBe('connected');
    expect(plan.findings.filter((f) => f.status === 'error')).toEqual([]);
    // The drifted node fails file, flag and kubelet controls, and the cluster side was evaluated too.
    expect(plan.changes.some((c) => c.node === 'cp-1')).toBe(true);
    expect(plan.findings.some((f) => f.node === undefined && f.status !== 'manual')).toBe(true);
  });
});
