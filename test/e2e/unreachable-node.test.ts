import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';
import { differences, snapshotAll, type PathSnapshot } from './support/node-snapshot.js';

// Issue 10 §1: unreachable means refused, in every command. On the drifted
// lab, sudo on worker-1 asks for a password (its sudoers entry loses
// NOPASSWD): plan, apply, apply PLANFILE and drift --fix all exit 1, name the
// node, point at --nodes, and change nothing on any node; --nodes leaving
// worker-1 out on purpose works.
const INSTANCE = 'e2e-unreach';
const SUDOERS = '/etc/sudoers.d/90-lab-ops';
let lab: LabState;
let scratch: string;
let original: Map<string, Map<string, PathSnapshot>>;

const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: join(scratch, 'state') });

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 2, scenario: 'drifted', recreate: true });
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-unreach-'));
  // A plan made while every node answered, to apply once worker-1 no longer does.
  expect((await cli('plan', '-i', lab.inventoryFile, '--only', '4.1.*', '-o', join(scratch, 'plan.json'))).code).toBe(0);
  const sudo = await nodeExec(lab, 'worker-1', ['/bin/sh', '-c', `sed -i 's/NOPASSWD: //' ${SUDOERS} && cat ${SUDOERS}`]);
  expect(sudo.stdout).not.toContain('NOPASSWD');
  original = await snapshotAll(lab);
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

function expectNothingChanged(): Promise<void> {
  return snapshotAll(lab).then((now) => {
    expect(differences(original, now)).toEqual([]);
    const runs = join(scratch, 'state', 'runs');
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
  });
}

describe('a node whose sudo asks for a password', () => {
  it('plan exits 1 naming it, with the --nodes hint', async () => {
    const result = await cli('plan', '-i', lab.inventoryFile, '--only', '4.1.*');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/1 node not reached, so they are not in the plan[\s\S]*worker-1[\s\S]*--nodes/);
  });

  it('apply exits 1 and changes nothing, also on the nodes that answered', async () => {
    const result = await cli('apply', '-i', lab.inventoryFile, '--only', '4.1.*', '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no facts from worker-1[\s\S]*nothing was changed[\s\S]*--nodes/);
    expect(result.stdout).not.toContain('Apply complete');
    await expectNothingChanged();
  });

  it('apply PLANFILE of a plan made before exits 1 and changes nothing', async () => {
    const result = await cli('apply', join(scratch, 'plan.json'), '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no facts from worker-1[\s\S]*sudo[\s\S]*--nodes/);
    await expectNothingChanged();
  });

  it('drift --fix --yes never reports success: exit 1, nothing changed', async () => {
    const result = await cli('drift', '-i', lab.inventoryFile, '--only', '4.1.*', '--fix', '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not reached, so they were not checked, and nothing was changed on any node[\s\S]*worker-1[\s\S]*--nodes/);
    expect(result.stdout).not.toContain('Drift corrected');
    await expectNothingChanged();
  });

  it('--nodes leaves it out on purpose: the other node is hardened', async () => {
    const result = await cli('apply', '-i', lab.inventoryFile, '--only', '4.1.*', '--nodes', 'cp-1', '--yes');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Apply complete: \d+ changes? to \d+ targets? on 1 node\./);
    const changed = differences(original, await snapshotAll(lab));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((path) => path.startsWith('cp-1:'))).toBe(true);
  });
});
