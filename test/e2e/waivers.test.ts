import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';

// Issue 11 §3 on the drifted lab: a waiver on a failing control of one node
// keeps that control out of the plan there (it is still reported, `waived`,
// with its real state) while the same control is fixed on the other node;
// apply and drift --fix leave the waived file alone; a waiver about to end
// is flagged; an expired one makes the control a failure again and drift
// exit 2.
const INSTANCE = 'e2e-waivers';
// The file controls, and one kubelet setting in the same file as the waived mode (4.2.1: config.yaml).
const SELECTION = ['--only', '4.1.*,4.2.1'];
const KUBELET_CONFIG = '/var/lib/kubelet/config.yaml';
const KUBELET_CONF = '/etc/kubernetes/kubelet.conf';
let lab: LabState;
let stateDir: string;
let scratch: string;
let waived: string;
let expired: string;

interface PlanJson {
  findings: {
    node?: string;
    controlId: string;
    status: string;
    actual: string;
    waiver?: { owner: string; expired: boolean; expiresSoon: boolean; daysLeft: number };
  }[];
  changes: { node?: string; target: string; kind: string; controlIds: string[] }[];
  summary: { waived: number };
}

const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const modeOf = async (node: string, path: string) => (await nodeExec(lab, node, ['stat', '-c', '%a', path])).stdout.trim();

/** The lab's inventory with these waivers appended, as a new file. */
function inventoryWith(name: string, waivers: string): string {
  const file = join(scratch, name);
  writeFileSync(file, `${readFileSync(lab.inventoryFile, 'utf8')}waivers:\n${waivers}`);
  return file;
}

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 2, scenario: 'drifted', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-waivers-'));
  waived = inventoryWith(
    'waived.yaml',
    [
      '  - control: 4.1.9',
      '    nodes: [worker-1]',
      '    reason: the monitoring agent reads the kubelet config until it is replaced',
      '    owner: platform-team@example.com',
      `    expires: ${day(60)}`,
      '  - control: "4.1.5"',
      '    nodes: [cp-1]',
      '    reason: kubeconfig audit pending',
      '    owner: security@example.com',
      `    expires: ${day(3)}`,
      '',
    ].join('\n'),
  );
  expired = inventoryWith(
    'expired.yaml',
    [
      '  - control: 4.1.9',
      '    nodes: [worker-1]',
      '    reason: the monitoring agent reads it',
      '    owner: platform-team@example.com',
      '    expires: 2020-01-31',
      '',
    ].join('\n'),
  );
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe('waivers', () => {
  it('reports a waived control as waived with its real state, plans nothing for it on that node, and fixes it on the others', async () => {
    const result = await cli('plan', '-i', waived, ...SELECTION, '--json');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const plan = JSON.parse(result.stdout) as PlanJson;
    const on = (node: string, id: string) => plan.findings.find((f) => f.node === node && f.controlId === id);
    expect(on('worker-1', '4.1.9')).toMatchObject({ status: 'waived', waiver: { owner: 'platform-team@example.com', expired: false, expiresSoon: false } });
    expect(on('worker-1', '4.1.9')?.actual).toContain('666');
    expect(on('cp-1', '4.1.9')).toMatchObject({ status: 'fail' });
    expect(on('cp-1', '4.1.9')?.waiver).toBeUndefined();
    const changesFor = (node: string, id: string) => plan.changes.filter((c) => c.node === node && c.controlIds.includes(id));
    expect(changesFor('worker-1', '4.1.9')).toEqual([]);
    expect(changesFor('cp-1', '4.1.9').map((c) => [c.kind, c.target])).toEqual([['file-mode', KUBELET_CONFIG]]);
    // Not the waived mode, but the kubelet setting in the same file, is still planned on worker-1.
    expect(changesFor('worker-1', '4.2.1').map((c) => c.target)).toContain(KUBELET_CONFIG);
    expect(plan.changes.some((c) => c.node === 'worker-1' && c.kind === 'file-mode' && c.target === KUBELET_CONFIG)).toBe(false);
    expect(plan.summary.waived).toBe(2);
    // The waiver that ends in 3 days is flagged.
    expect(on('cp-1', '4.1.5')?.waiver).toMatchObject({ expiresSoon: true, daysLeft: 3 });
    expect(result.stderr).toContain(`the waiver for 4.1.5 on cp-1 (owner security@example.com) expires on ${day(3)}, in 3 days`);
  });

  it('apply --yes leaves the waived files modes untouched and fixes the same controls elsewhere', async () => {
    const result = await cli('apply', '-i', waived, ...SELECTION, '--yes');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(await modeOf('worker-1', KUBELET_CONFIG)).toBe('666');
    expect(await modeOf('cp-1', KUBELET_CONFIG)).toBe('600');
    expect(await modeOf('cp-1', KUBELET_CONF)).toBe('644');
    expect(await modeOf('worker-1', KUBELET_CONF)).toBe('600');
    // The kubelet setting in the waived file was applied, its mode kept.
    expect((await nodeExec(lab, 'worker-1', ['cat', KUBELET_CONFIG])).stdout).toMatch(/anonymous:\s*\n\s*enabled: false/);
  });

  it('plans nothing more afterwards, and drift finds nothing to do while the waiver holds', async () => {
    const plan = JSON.parse((await cli('plan', '-i', waived, ...SELECTION, '--json')).stdout) as PlanJson;
    expect(plan.changes).toEqual([]);
    expect((await cli('drift', '-i', waived, ...SELECTION)).code).toBe(0);
  });

  it('drift --fix --yes corrects drift elsewhere and never changes the waived file', async () => {
    await nodeExec(lab, 'cp-1', ['chmod', '0644', KUBELET_CONFIG]);
    const fixed = await cli('drift', '-i', waived, ...SELECTION, '--fix', '--yes');
    expect({ code: fixed.code, stderr: fixed.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(fixed.stdout).toMatch(/Drift corrected: 1 change to 1 target on 1 node/);
    expect(await modeOf('cp-1', KUBELET_CONFIG)).toBe('600');
    expect(await modeOf('worker-1', KUBELET_CONFIG)).toBe('666');
  });

  it('an expired waiver makes the control a failure again: planned, called out, and drift exits 2', async () => {
    const plan = JSON.parse((await cli('plan', '-i', expired, ...SELECTION, '--json')).stdout) as PlanJson;
    expect(plan.findings.find((f) => f.node === 'worker-1' && f.controlId === '4.1.9')).toMatchObject({ status: 'fail', waiver: { expired: true } });
    expect(plan.changes.filter((c) => c.node === 'worker-1' && c.controlIds.includes('4.1.9')).map((c) => c.target)).toEqual([KUBELET_CONFIG]);

    const drift = await cli('drift', '-i', expired, ...SELECTION, '--json');
    expect(drift.code).toBe(2);
    const report = JSON.parse(drift.stdout) as { drift: { expiredWaivers: { node: string; controlId: string }[] } };
    expect(report.drift.expiredWaivers.map((f) => [f.node, f.controlId])).toEqual([['worker-1', '4.1.9']]);
    expect(drift.stderr).toContain('the waiver for 4.1.9 on worker-1 (owner platform-team@example.com) expired on 2020-01-31');
    // Nothing was changed by looking.
    expect(await modeOf('worker-1', KUBELET_CONFIG)).toBe('666');
  });
});
