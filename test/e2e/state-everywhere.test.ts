import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';
import { differences, snapshotAll, type PathSnapshot } from './support/node-snapshot.js';

// Issue 11 §1/§2: runs and baselines live with the cluster, not on one
// laptop. A run applied from one state directory is listed, drift-checked
// ("drifted since run X") and rolled back byte-identical from state
// directories that never saw it — through the records each node keeps of its
// share, and the copy kept in the cluster (a Secret in namespace cis-fix).
const INSTANCE = 'e2e-state';
const SELECTION = ['--only', '1.1.*,4.1.*'];
const KUBELET_CONFIG = '/var/lib/kubelet/config.yaml';
let lab: LabState;
let applying: string;
let scratch: string;
let runId: string;
let original: Map<string, Map<string, PathSnapshot>>;

const freshStateDir = () => mkdtempSync(join(scratch, 'state-'));
const cliIn = (stateDir: string, ...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });

interface ListedRun {
  runId: string;
  kind: string;
  status: string;
  by?: { user: string; host: string };
  seenIn: string[];
}

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 2, scenario: 'stock', recreate: true });
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-state-e2e-'));
  applying = freshStateDir();
  original = await snapshotAll(lab);
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe('state kept with the nodes and the cluster', () => {
  it('an apply records its run on every node it changed and in the cluster', async () => {
    const applied = await cliIn(applying, 'apply', '-i', lab.apiInventoryFile, ...SELECTION, '--yes', '--json');
    expect(applied.stderr).not.toMatch(/could not be kept/);
    expect(applied.code).toBe(0);
    runId = (JSON.parse(applied.stdout) as { runId: string }).runId;
    for (const node of ['cp-1', 'worker-1']) {
      const files = (await nodeExec(lab, node, ['ls', '/var/lib/cis-fix/runs'])).stdout.trim().split('\n');
      expect(files).toContain(`${runId}.json`);
      expect((await nodeExec(lab, node, ['stat', '-c', '%a %U', '/var/lib/cis-fix/baseline.json'])).stdout.trim()).toBe('600 root');
    }
  });

  it('runs from an empty state directory lists the run, who ran it, and where it was seen', async () => {
    const fresh = freshStateDir();
    const listed = await cliIn(fresh, 'runs', '-i', lab.apiInventoryFile, '--json');
    expect(listed.code).toBe(0);
    const run = (JSON.parse(listed.stdout) as ListedRun[]).find((r) => r.runId === runId);
    expect(run).toMatchObject({ kind: 'apply', status: 'succeeded' });
    expect(run!.by?.user).toBeTruthy();
    expect(run!.seenIn).toEqual(expect.arrayContaining(['cluster', 'node cp-1', 'node worker-1']));
    // Without API access the nodes alone still know it.
    const nodesOnly = await cliIn(fresh, 'runs', '-i', lab.inventoryFile, '--json');
    expect((JSON.parse(nodesOnly.stdout) as ListedRun[]).find((r) => r.runId === runId)?.seenIn.sort()).toEqual(['node cp-1', 'node worker-1']);
    // Listing writes nothing into the state directory.
    expect(readdirSync(fresh)).toEqual([]);
  });

  it('drift from an empty state directory names the run a hand-loosened file drifted from', async () => {
    await nodeExec(lab, 'worker-1', ['chmod', '0644', KUBELET_CONFIG]);
    const drift = await cliIn(freshStateDir(), 'drift', '-i', lab.inventoryFile, ...SELECTION, '--json');
    expect(drift.code).toBe(2);
    const report = JSON.parse(drift.stdout) as { drift: { drifted: { node: string; controlId: string; enforcedBy: string }[] } };
    expect(report.drift.drifted.map((f) => [f.node, f.controlId, f.enforcedBy])).toEqual([['worker-1', '4.1.9', runId]]);
    await nodeExec(lab, 'worker-1', ['chmod', '0600', KUBELET_CONFIG]);
  });

  it('rollback --last from an empty state directory restores every file byte-identical, and the baseline with it', async () => {
    const elsewhere = freshStateDir();
    const rolledBack = await cliIn(elsewhere, 'rollback', '--last', '-i', lab.apiInventoryFile, '--yes');
    expect(rolledBack.stderr).toBe('');
    expect(rolledBack.code).toBe(0);
    expect(differences(original, await snapshotAll(lab))).toEqual([]);
    // What the run enforced is no longer counted: the loosened state is "never enforced", not drift.
    const drift = await cliIn(freshStateDir(), 'drift', '-i', lab.inventoryFile, ...SELECTION, '--json');
    expect((JSON.parse(drift.stdout) as { drift: { drifted: unknown[] } }).drift.drifted).toEqual([]);
    // And the first machine sees the rollback too.
    const listed = JSON.parse((await cliIn(applying, 'runs', '-i', lab.apiInventoryFile, '--json')).stdout) as ListedRun[];
    expect(listed.find((r) => r.runId === runId)?.status).toBe('succeeded');
    expect(listed.some((r) => r.kind === 'rollback')).toBe(true);
    expect((await cliIn(applying, 'rollback', '--last', '-i', lab.apiInventoryFile, '--yes')).stderr).toMatch(/no apply run left to roll back/);
  });

  it("runs --prune removes old runs' backups and records everywhere, never the last run of a node", async () => {
    const backups = async (node: string) => (await nodeExec(lab, node, ['ls', '/var/lib/cis-fix/backups'])).stdout.trim().split('\n');
    expect(await backups('worker-1')).toContain(runId);
    const pruned = await cliIn(freshStateDir(), 'runs', '-i', lab.apiInventoryFile, '--prune', '--keep', '1', '--json');
    expect(pruned.code).toBe(0);
    const outcome = JSON.parse(pruned.stdout) as { pruned: string[]; spared: { runId: string; reason: string }[] };
    expect(outcome.pruned).toEqual([runId]);
    for (const node of ['cp-1', 'worker-1']) {
      expect(await backups(node)).not.toContain(runId);
      expect((await nodeExec(lab, node, ['ls', '/var/lib/cis-fix/runs'])).stdout).not.toContain(runId);
    }
    const listed = JSON.parse((await cliIn(freshStateDir(), 'runs', '-i', lab.apiInventoryFile, '--json')).stdout) as ListedRun[];
    expect(listed.map((r) => r.kind)).toEqual(['rollback']);
    // A new run on cp-1 alone: the rollback stays the last run of worker-1, so --keep 1 keeps it, and says why.
    expect((await cliIn(applying, 'apply', '-i', lab.apiInventoryFile, ...SELECTION, '--nodes', 'cp-1', '--yes')).code).toBe(0);
    const kept = JSON.parse((await cliIn(freshStateDir(), 'runs', '-i', lab.apiInventoryFile, '--prune', '--keep', '1', '--json')).stdout) as {
      pruned: string[];
      spared: { reason: string }[];
    };
    expect(kept.pruned).toEqual([]);
    expect(kept.spared.map((s) => s.reason)).toEqual(['it is the last run of worker-1']);
  });
});
