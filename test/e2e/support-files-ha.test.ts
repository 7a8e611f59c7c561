import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';
import { filesBelow } from './support/files-below.js';

// The encryption key is cluster-wide (every kube-apiserver must decrypt what
// the others wrote): with two control planes, the first generates it and the
// second gets the same file, copied over SSH without touching the
// workstation's disk.
const INSTANCE = 'e2e-support-ha';
const CONFIG = '/etc/kubernetes/encryption/config.yaml';
let lab: LabState;
let stateDir: string;

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 2, controlPlanes: 2, scenario: 'stock', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
}, 240_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

it('gives every control plane the same generated key, which never reaches the workstation', async () => {
  const result = await runCli(['apply', '-i', lab.inventoryFile, '--only', '1.2.27,1.2.28', '--yes', '--health-timeout', '90s'], {
    CIS_FIX_STATE_DIR: stateDir,
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/healthy cp-1: kube-apiserver after/);
  expect(result.stdout).toMatch(/healthy cp-2: kube-apiserver after/);
  const [one, two] = await Promise.all(['cp-1', 'cp-2'].map(async (node) => (await nodeExec(lab, node, ['cat', CONFIG])).stdout));
  const key = /secret: (\S+)/.exec(one!)?.[1];
  expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  expect(two).toBe(one);
  const workstation = [result.stdout, result.stderr, ...filesBelow(stateDir).map((f) => readFileSync(f, 'utf8'))];
  expect(workstation.filter((text) => text.includes(key!))).toEqual([]);
}, 240_000);

it('copies the key from a control plane that already has it instead of generating a second one', async () => {
  const env = { CIS_FIX_STATE_DIR: stateDir };
  expect((await runCli(['rollback', '--last', '--yes'], env)).code).toBe(0);
  // cp-1 is hardened first, alone: it generates the key.
  expect((await runCli(['apply', '-i', lab.inventoryFile, '--only', '1.2.27,1.2.28', '--nodes', 'cp-1', '--yes', '--health-timeout', '90s'], env)).code).toBe(
    0,
  );
  // cp-2 alone: cis-fix still reads cp-1, which is outside the selection, to find the key it holds.
  const plan = JSON.parse((await runCli(['plan', '-i', lab.inventoryFile, '--only', '1.2.27,1.2.28', '--nodes', 'cp-2', '--json'], env)).stdout) as {
    changes: { node: string; kind: string; diff: string; after: { copyFrom?: string } }[];
  };
  const file = plan.changes.find((c) => c.kind === 'support-file')!;
  expect(file).toMatchObject({ node: 'cp-2', after: { copyFrom: 'cp-1' } });
  expect(file.diff).toContain('copied from cp-1');
  const result = await runCli(['apply', '-i', lab.inventoryFile, '--only', '1.2.27,1.2.28', '--nodes', 'cp-2', '--yes', '--health-timeout', '90s'], env);
  expect(result.code).toBe(0);
  const [one, two] = await Promise.all(['cp-1', 'cp-2'].map(async (node) => (await nodeExec(lab, node, ['cat', CONFIG])).stdout));
  expect(two).toBe(one);
  const key = /secret: (\S+)/.exec(one!)![1]!;
  expect([result.stdout, result.stderr, ...filesBelow(stateDir).map((f) => readFileSync(f, 'utf8'))].filter((t) => t.includes(key))).toEqual([]);
}, 240_000);
