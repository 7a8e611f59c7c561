import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';
import { judgeFileControls, type Verdict } from './support/kube-bench-files.js';
import { differences, snapshotAll, type PathSnapshot } from './support/node-snapshot.js';

// Issue 3 end to end on the drifted lab: plan, stale plan, lock, full state
// dir, apply, idempotence, rollback, and a run killed halfway.
const INSTANCE = 'e2e-files';
const FILE_CONTROLS = '1.1.*,4.1.*';
let lab: LabState;
let stateDir: string;
let scratch: string;
let original: Map<string, Map<string, PathSnapshot>>;
let verdictsBefore: Map<string, Map<string, Verdict>>;

const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });
const judgeAll = async () =>
  new Map(
    await Promise.all(lab.nodes.map(async (n) => [n.name, await judgeFileControls(lab, n.name, n.roles.includes('control-plane') ? 'both' : 'node')] as const)),
  );

interface PlanJson {
  changes: { node: string; target: string; kind: string; controlIds: string[] }[];
  findings: { node: string; controlId: string; status: string; fixable: boolean; kubeBench?: string }[];
}

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 3, scenario: 'drifted', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-files-'));
  original = await snapshotAll(lab);
  verdictsBefore = await judgeAll();
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe('plan, apply and rollback of the node file controls', () => {
  it('plans a fix for every automated file control kube-bench fails, and names the ones needing a decision', async () => {
    const result = await cli('plan', '-i', lab.inventoryFile, '--only', FILE_CONTROLS, '--json');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as PlanJson;
    for (const [node, verdicts] of verdictsBefore) {
      for (const [id, verdict] of verdicts) {
        if (verdict !== 'FAIL') continue;
        const finding = plan.findings.find((f) => f.node === node && f.controlId === id);
        expect({ node, id, status: finding?.status }).toEqual({ node, id, status: 'fail' });
      }
    }
    // The etcd data directory owner needs a decision (no etcd user; parameter etcdDataDirOwner).
    const etcdOwner = plan.findings.find((f) => f.controlId === '1.1.12');
    expect(etcdOwner).toMatchObject({ status: 'fail', fixable: false });
    // The scheduler manifest at 0400 is stricter than required and is left alone.
    expect(plan.changes.some((c) => c.target.endsWith('kube-scheduler.yaml') && c.kind === 'file-mode')).toBe(false);
  });

  it('refuses a saved plan made stale by one changed file on one node, changing nothing anywhere', async () => {
    const planFile = join(scratch, 'plan.json');
    expect((await cli('plan', '-i', lab.inventoryFile, '--only', FILE_CONTROLS, '-o', planFile)).code).toBe(0);
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as PlanJson;
    const victim = plan.changes.find((c) => c.node === 'worker-2' && c.target === '/etc/kubernetes/kubelet.conf')!;
    expect(victim).toBeDefined();
    await nodeExec(lab, 'worker-2', ['chmod', '640', victim.target]);
    const result = await cli('apply', planFile, '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('stale');
    expect(result.stderr).toContain(`worker-2:${victim.target}`);
    await nodeExec(lab, 'worker-2', ['chmod', '644', victim.target]);
    expect(differences(original, await snapshotAll(lab))).toEqual([]);
  });

  it('fails fast naming the holder when another run holds a node lock', async () => {
    await nodeExec(lab, 'cp-1', [
      '/bin/sh',
      '-c',
      'mkdir -p /var/lib/cis-fix && echo "run 20260101T000000Z-abcdef by alice@laptop pid 42" > /var/lib/cis-fix/lock',
    ]);
    const result = await cli('apply', '-i', lab.inventoryFile, '--only', FILE_CONTROLS, '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cp-1: another cis-fix run holds the node lock: run 20260101T000000Z-abcdef by alice@laptop pid 42');
    await nodeExec(lab, 'cp-1', ['rm', '-f', '/var/lib/cis-fix/lock']);
    expect(differences(original, await snapshotAll(lab))).toEqual([]);
  });

  it('fails before touching any live file when /var/lib/cis-fix on one node is full', async () => {
    // Hardly any room: the node lock (a small record written through a temporary file) or at the latest the first backup copy does not fit.
    await nodeExec(lab, 'worker-1', [
      '/bin/sh',
      '-c',
      'mkdir -p /var/lib/cis-fix && mount -t tmpfs -o size=16k tmpfs /var/lib/cis-fix && (dd if=/dev/zero of=/var/lib/cis-fix/filler bs=1k count=12 2>/dev/null; true)',
    ]);
    try {
      const result = await cli('apply', '-i', lab.inventoryFile, '--only', FILE_CONTROLS, '--yes');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/worker-1: (taking the node lock|backing up before any change) failed[^\n]*so nothing was changed on any node/);
      expect(differences(original, await snapshotAll(lab))).toEqual([]);
    } finally {
      await nodeExec(lab, 'worker-1', ['umount', '/var/lib/cis-fix']);
    }
  });

  it('applies, after which kube-bench passes every file control it failed except those needing a decision, tightening only', async () => {
    const result = await cli('apply', '-i', lab.inventoryFile, '--only', FILE_CONTROLS, '--yes');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Apply complete: \d+ changes to \d+ targets on 3 nodes/);

    const after = await judgeAll();
    for (const [node, verdicts] of verdictsBefore) {
      for (const [id, before] of verdicts) {
        const now = after.get(node)!.get(id);
        if (id === '1.1.12') continue; // needs a decision: reported, not fixed
        // kube-bench WARNs 4.1.3/4.1.4 when there is no kube-proxy kubeconfig at all: nothing to fix.
        const expected = (id === '4.1.3' || id === '4.1.4') && before === 'WARN' ? 'WARN' : 'PASS';
        expect({ node, id, before, now }).toEqual({ node, id, before, now: expected });
      }
    }
    // No permission bit was ever added.
    const snapshot = await snapshotAll(lab);
    for (const [node, paths] of original) {
      for (const [path, before] of paths) {
        const now = snapshot.get(node)!.get(path)!;
        const added = parseInt(now.mode, 8) & ~parseInt(before.mode, 8);
        expect({ node, path, added }).toEqual({ node, path, added: 0 });
        expect(now.sha256).toBe(before.sha256); // metadata changes only
      }
    }
    // Nothing but the manifests in the manifests directory.
    const manifests = await nodeExec(lab, 'cp-1', ['ls', '-A', '/etc/kubernetes/manifests']);
    expect(manifests.stdout.trim().split('\n').sort()).toEqual(['etcd.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml']);
    // The 0400 scheduler manifest stayed 0400.
    expect(snapshot.get('cp-1')!.get('/etc/kubernetes/manifests/kube-scheduler.yaml')!.mode).toBe('400');
  });

  it('plans nothing afterwards, and a second apply changes nothing', async () => {
    const plan = JSON.parse((await cli('plan', '-i', lab.inventoryFile, '--only', FILE_CONTROLS, '--json')).stdout) as PlanJson;
    expect(plan.changes).toEqual([]);
    const before = await snapshotAll(lab);
    const again = await cli('apply', '-i', lab.inventoryFile, '--only', FILE_CONTROLS, '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to do');
    expect(differences(before, await snapshotAll(lab))).toEqual([]);
    const exit = await cli('plan', '-i', lab.inventoryFile, '--only', FILE_CONTROLS, '--detailed-exitcode');
    expect(exit.code).toBe(0);
  });

  it('refuses to roll back over a target changed after the run, naming it, until --force', async () => {
    const target = '/var/lib/kubelet/config.yaml';
    await nodeExec(lab, 'worker-1', ['chmod', '400', target]);
    const before = await snapshotAll(lab);
    const refused = await cli('rollback', '--last', '--yes');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`worker-1:${target}`);
    expect(differences(before, await snapshotAll(lab))).toEqual([]);
    const forced = await cli('rollback', '--last', '--yes', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/Rolled back \S+: restored \d+ targets? on \d+ nodes?; \d+ targets? already original/);
  });

  it('rolled back every touched file byte-identical with its mode and owner', async () => {
    expect(differences(original, await snapshotAll(lab))).toEqual([]);
  });

  it('finishes the rollback of a run killed halfway from its journal', async () => {
    // Make worker-2's chmod of live files hang (not of backups, which come first) so the run is certainly killed in the middle.
    const wrapper = '#!/bin/sh\ncase "$*" in *cis-fix*) ;; *) sleep 8 ;; esac\nexec /usr/bin/chmod.real "$@"\n';
    await nodeExec(
      lab,
      'worker-2',
      ['/bin/sh', '-c', 'mv /usr/bin/chmod /usr/bin/chmod.real && cat > /usr/bin/chmod && /usr/bin/chmod.real 755 /usr/bin/chmod'],
      wrapper,
    );
    const bin = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'apply', '-i', lab.inventoryFile, '--only', FILE_CONTROLS, '--yes'], {
      env: { ...process.env, CIS_FIX_STATE_DIR: stateDir, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const runsDir = join(stateDir, 'runs');
    const deadline = Date.now() + 60_000;
    let killed = false;
    while (Date.now() < deadline && !killed) {
      for (const name of readdirSync(runsDir).filter((n) => n.endsWith('.json'))) {
        const text = readFileSync(join(runsDir, name), 'utf8');
        if (text.includes('"kind": "apply"') && text.includes('"status": "running"') && /"node": "worker-2",\s*"phase": "write-started"/.test(text)) {
          // While that run holds the locks, a second apply fails fast naming it.
          const runId = name.replace(/\.json$/, '');
          const second = await cli('apply', '-i', lab.inventoryFile, '--only', FILE_CONTROLS, '--yes');
          expect(second.code).toBe(1);
          expect(second.stderr).toMatch(new RegExp(`another cis-fix run holds the node lock: run ${runId} by `));
          child.kill('SIGKILL');
          killed = true;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(killed).toBe(true);
    await new Promise((r) => setTimeout(r, 9_000)); // let the hung chmod on the node finish or die
    await nodeExec(lab, 'worker-2', ['/bin/sh', '-c', 'mv -f /usr/bin/chmod.real /usr/bin/chmod']);
    expect(differences(original, await snapshotAll(lab)).length).toBeGreaterThan(0); // the run did change things

    const runs = await cli('runs');
    expect(runs.stdout).toMatch(/apply\s+running.*interrupted or in progress/);
    const rollback = await cli('rollback', '--last', '--yes');
    expect(rollback.stderr).toBe('');
    expect(rollback.code).toBe(0);
    expect(differences(original, await snapshotAll(lab))).toEqual([]);
    // The killed run's node lock was taken over and released by its rollback.
    expect((await nodeExec(lab, 'worker-2', ['test', '-e', '/var/lib/cis-fix/lock'])).code).toBe(1);
  });

  it('creates the etcd account when the inventory chooses etcdDataDirOwner: etcd, after which kube-bench passes 1.1.12', async () => {
    const inventory = join(scratch, 'inventory-etcd.yaml');
    writeFileSync(inventory, `${readFileSync(lab.inventoryFile, 'utf8')}\nparameters:\n  etcdDataDirOwner: etcd\n`);
    expect((await nodeExec(lab, 'cp-1', ['getent', 'passwd', 'etcd'])).code).not.toBe(0);
    const plan = await cli('plan', '-i', inventory, '--only', '1.1.12');
    expect(plan.stdout).toContain('-> etcd:etcd (first creates the system account etcd:etcd, as parameter-chosen)');
    const apply = await cli('apply', '-i', inventory, '--only', '1.1.12', '--yes');
    expect(apply.code).toBe(0);
    expect((await judgeFileControls(lab, 'cp-1', 'master')).get('1.1.12')).toBe('PASS');
    expect((await nodeExec(lab, 'cp-1', ['getent', 'passwd', 'etcd'])).stdout).toMatch(/^etcd:x:\d+:\d+::\/nonexistent:\/usr\/sbin\/nologin/);
    const rollback = await cli('rollback', '--last', '--yes');
    expect(rollback.code).toBe(0);
    expect(differences(original, await snapshotAll(lab))).toEqual([]);
  });
});
