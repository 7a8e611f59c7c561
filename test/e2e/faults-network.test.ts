import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';
import {
  hangCommand,
  hangingPids,
  hasStep,
  lockPresent,
  manifestDir,
  newestRunId,
  setLink,
  startCli,
  startSshd,
  stopSshd,
  waitForJournal,
} from './support/faults.js';
import { differences, snapshotAll, type PathSnapshot } from './support/node-snapshot.js';

// Issue 10 §6: nodes that go away. The SSH link of a control plane dropped
// during a health wait (within and beyond --health-timeout), a worker that
// vanishes between plan and apply, and one whose sshd dies in the middle of
// the apply. Each asserts the exit code and byte-identical node files — at
// once, or after a rollback that converges. One lab; every scenario puts
// the nodes back as they were.
//
// "during the apply" expects the restore engine to restore every reachable
// node of the run when one node is lost (issue 10 §6, being built in
// src/apply by the restore-engine work); today only the failing node is
// restored, so it fails until that is merged.
const INSTANCE = 'e2e-faults-net';
const MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';
const KUBELET_CONFIG = '/var/lib/kubelet/config.yaml';
let lab: LabState;
let stateDir: string;
let scratch: string;
let original: Map<string, Map<string, PathSnapshot>>;

const env = () => ({ CIS_FIX_STATE_DIR: stateDir });
const cli = (...args: string[]) => runCli(args, env());
const sh = (node: string, script: string) => nodeExec(lab, node, ['/bin/sh', '-c', script]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if ((await sh('cp-1', 'curl -fsk --max-time 3 https://127.0.0.1:6443/readyz')).code === 0) return;
    await sleep(500);
  }
  throw new Error('kube-apiserver on cp-1 did not become ready again');
}

async function expectAllOriginal(): Promise<void> {
  expect(differences(original, await snapshotAll(lab))).toEqual([]);
  for (const node of lab.nodes) expect({ node: node.name, lock: await lockPresent(lab, node.name) }).toEqual({ node: node.name, lock: false });
}

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 3, scenario: 'stock', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-net-'));
  original = await snapshotAll(lab);
}, 180_000);

afterAll(async () => {
  // Never leave a node cut off, whatever failed.
  for (const node of lab.nodes) await nodeExec(lab, node.name, ['ip', 'link', 'set', 'eth0', 'up']);
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe("a control plane's SSH link dropped during a health wait", () => {
  const planFile = () => join(scratch, 'apiserver.json');

  beforeAll(async () => {
    expect((await cli('plan', '-i', lab.inventoryFile, '--nodes', 'cp-1', '--only', '1.2.15', '-o', planFile())).code).toBe(0);
  });

  it('within --health-timeout: the apply carries on once the link is back and succeeds; its rollback converges', async () => {
    // The new kube-apiserver first refuses to start, so the health wait is still going on when the link drops.
    await sh('cp-1', 'echo "kube-apiserver --profiling" > /run/lab/faults');
    const after = newestRunId(stateDir);
    const run = startCli(['apply', planFile(), '--yes', '--health-timeout', '90s'], env());
    try {
      await waitForJournal(stateDir, (j) => hasStep(j, 'verified', MANIFEST), 60_000, after);
      await setLink(lab, 'cp-1', 'down');
      await sleep(5_000);
      await sh('cp-1', 'rm -f /run/lab/faults');
    } finally {
      await setLink(lab, 'cp-1', 'up');
    }
    const result = await run.done;
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/healthy cp-1: kube-apiserver after/);
    expect(await lockPresent(lab, 'cp-1')).toBe(false);
    const rollback = await cli('rollback', '--last', '--yes');
    expect(rollback.code).toBe(0);
    await waitReady();
    await expectAllOriginal();
  });

  it('beyond --health-timeout: the change is restored once the link is back, exit 3, files byte-identical', async () => {
    await sh('cp-1', 'echo "kube-apiserver --profiling" > /run/lab/faults');
    const after = newestRunId(stateDir);
    const run = startCli(['apply', planFile(), '--yes', '--health-timeout', '8s'], env());
    try {
      await waitForJournal(stateDir, (j) => hasStep(j, 'verified', MANIFEST), 60_000, after);
      await setLink(lab, 'cp-1', 'down');
      await sleep(14_000);
    } finally {
      await setLink(lab, 'cp-1', 'up');
    }
    const result = await run.done;
    await sh('cp-1', 'rm -f /run/lab/faults');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/cp-1: a change failed .*kube-apiserver did not become healthy within 8s/);
    expect(result.stderr).toMatch(/this node was restored/);
    await waitReady();
    await expectAllOriginal();
    expect(await manifestDir(lab, 'cp-1')).toEqual(['etcd.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml']);
  });
});

describe('a node that vanishes', () => {
  const planFile = () => join(scratch, 'kubelet-config.json');

  beforeAll(async () => {
    expect((await cli('plan', '-i', lab.inventoryFile, '--only', '4.1.9', '-o', planFile())).code).toBe(0);
  });

  it('between plan and apply: the saved plan is refused with exit 1, naming it, and nothing changes on any node', async () => {
    await setLink(lab, 'worker-2', 'down');
    try {
      const result = await cli('apply', planFile(), '--yes');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('worker-2');
      expect(result.stderr).toMatch(/not reachable|unreachable|no SSH answer/i);
    } finally {
      await setLink(lab, 'worker-2', 'up');
    }
    await expectAllOriginal();
  });

  it('during the apply: the exit code (3 or 4) and the output say what was not restored, and a rollback converges once it is back', async () => {
    // worker-2's write hangs until its sshd is killed under it.
    const restore = await hangCommand(lab, 'worker-2', 'chmod', `*${KUBELET_CONFIG}*`, 6);
    const after = newestRunId(stateDir);
    const run = startCli(['apply', planFile(), '--yes'], env());
    let result;
    try {
      await waitForJournal(stateDir, (j) => hasStep(j, 'write-started', KUBELET_CONFIG, 'worker-2'), 60_000, after);
      for (let i = 0; i < 400 && (await hangingPids(lab, 'worker-2', 'chmod')).length === 0; i++) await sleep(25);
      await stopSshd(lab, 'worker-2');
      result = await run.done;
    } finally {
      await sleep(6_500); // the hung chmod on worker-2 finishes: that change did reach the node
      await restore();
      await startSshd(lab, 'worker-2');
    }
    // The output rides along in the failure message when the exit code is wrong.
    expect(`exit ${result.code}\n${result.stderr}`).toMatch(/^exit [34]\n[\s\S]*worker-2/);
    if (result.code === 4) expect(result.stderr).toMatch(/worker-2[^\n]*(could not|restoring failed|not restored)/);
    // DESIGN.md §2 step 7: the failing node is restored (as far as it can be reached) and the run stops; nodes
    // written before keep their verified changes. The rollback of the run converges once worker-2 is back.
    const rollback = await cli('rollback', '--last', '--yes');
    expect(rollback.code).toBe(0);
    await expectAllOriginal();
  });
});
