import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';

// cis-fix drift on a stock lab: after an apply there is no drift; a file
// loosened by hand shows as drifted (exit 2, naming the control and the run
// that had enforced it); drift --fix --yes corrects it; rolling that
// correction back leaves the baseline as it was before it (issue 11 §2): the
// file is loose again, and drifted since the first run, not "never enforced".
const INSTANCE = 'e2e-drift';
const SELECTION = ['--only', '1.1.*,4.1.*'];
let lab: LabState;
let stateDir: string;
let firstRun: string;

const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 2, scenario: 'stock', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
}, 120_000);

describe('cis-fix drift', () => {
  it('reports pending changes with exit 2 before anything was enforced, and drift --fix needs --yes', async () => {
    const result = await cli('drift', '-i', lab.inventoryFile, ...SELECTION);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('No drift from what cis-fix last enforced.');
    const refused = await cli('drift', '-i', lab.inventoryFile, ...SELECTION, '--fix');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/add --yes/);
  });

  it('after an apply: exit 0; a file loosened by hand is drifted, named with the run that enforced it', async () => {
    const applied = await cli('apply', '-i', lab.inventoryFile, ...SELECTION, '--yes', '--json');
    expect(applied.code).toBe(0);
    const runId = (JSON.parse(applied.stdout) as { runId: string }).runId;
    firstRun = runId;
    const baseline = JSON.parse(readFileSync(join(stateDir, 'baseline.json'), 'utf8')) as { enforced: Record<string, string> };
    expect(baseline.enforced['worker-1\u00004.1.9']).toBe(runId);
    expect((await cli('drift', '-i', lab.inventoryFile, ...SELECTION)).code).toBe(0);

    await nodeExec(lab, 'worker-1', ['chmod', '0644', '/var/lib/kubelet/config.yaml']);
    const drift = await cli('drift', '-i', lab.inventoryFile, ...SELECTION, '--json');
    expect(drift.code).toBe(2);
    const report = JSON.parse(drift.stdout) as { drift: { drifted: { node: string; controlId: string; enforcedBy: string }[] }; changes: number };
    expect(report.drift.drifted.map((f) => [f.node, f.controlId, f.enforcedBy])).toEqual([['worker-1', '4.1.9', runId]]);
    expect(report.changes).toBe(1);
  });

  it('drift --fix --yes corrects it through the apply protocol, and then there is nothing to do', async () => {
    const fixed = await cli('drift', '-i', lab.inventoryFile, ...SELECTION, '--fix', '--yes');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/applied worker-1:\/var\/lib\/kubelet\/config.yaml/);
    expect(fixed.stdout).toMatch(/Drift corrected: 1 change to 1 target on 1 node/);
    expect((await nodeExec(lab, 'worker-1', ['stat', '-c', '%a', '/var/lib/kubelet/config.yaml'])).stdout.trim()).toBe('600');
    expect((await cli('drift', '-i', lab.inventoryFile, ...SELECTION)).code).toBe(0);
  });

  it('rolling the correction back leaves the baseline as before it: the loosened file is drifted since the first run again', async () => {
    expect((await cli('rollback', '--last', '--yes')).code).toBe(0);
    expect((await nodeExec(lab, 'worker-1', ['stat', '-c', '%a', '/var/lib/kubelet/config.yaml'])).stdout.trim()).toBe('644');
    const drift = await cli('drift', '-i', lab.inventoryFile, ...SELECTION, '--json');
    expect(drift.code).toBe(2);
    const report = JSON.parse(drift.stdout) as { drift: { drifted: { controlId: string; enforcedBy: string }[] } };
    expect(report.drift.drifted.map((f) => [f.controlId, f.enforcedBy])).toEqual([['4.1.9', firstRun]]);
  });

  it('rolling back the first run as well: what it enforced is no longer counted as drift', async () => {
    await nodeExec(lab, 'worker-1', ['chmod', '0600', '/var/lib/kubelet/config.yaml']);
    expect((await cli('rollback', '--last', '--yes')).code).toBe(0);
    const drift = await cli('drift', '-i', lab.inventoryFile, ...SELECTION, '--json');
    expect(drift.code).toBe(2);
    expect((JSON.parse(drift.stdout) as { drift: { drifted: unknown[] } }).drift.drifted).toEqual([]);
  });
});
