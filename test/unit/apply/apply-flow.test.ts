import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan, type ApplyContext } from '../../../src/apply/apply-plan.js';
import { ApplyError } from '../../../src/apply/apply-errors.js';
import { JournalWriter } from '../../../src/apply/journal.js';
import { parseRunJournal } from '../../../src/apply/journal-schema.js';
import { LockHeldError } from '../../../src/apply/node-ops.js';
import { ChangedSinceRunError, rollbackRun } from '../../../src/apply/rollback-run.js';
import { stagingPathFor } from '../../../src/apply/staging-path.js';
import type { KubeletFileChange, ManifestChange, NodeChange, SupportFileChange } from '../../../src/model/change.js';
import { StalePlanError } from '../../../src/model/errors.js';
import type { RunJournal } from '../../../src/model/run-journal.js';
import { FakeNode, sha, type FakeFault } from './fake-node-io.js';

// The apply protocol and the one restore engine, end to end on in-memory
// nodes (fake-node-io.ts): a failure injected at every step, then what is
// restored, the journal, the error class and the exit code.

const RUN = '20261204T100000Z-aaaaaa';
const ADMIN = '/etc/kubernetes/admin.conf';
const APISERVER = '/etc/kubernetes/manifests/kube-apiserver.yaml';
const POLICY = '/etc/kubernetes/audit/policy.yaml';
const FLAGS = '/var/lib/kubelet/kubeadm-flags.env';
const OLD_API = 'kube-apiserver --authorization-mode=AlwaysAllow\nspec: old\n';
const NEW_API = 'kube-apiserver --authorization-mode=Node,RBAC --audit-policy-file=/etc/kubernetes/audit/policy.yaml\nspec: new\n';
const OLD_FLAGS = '--anonymous-auth=true\n';
const NEW_FLAGS = '--anonymous-auth=false\n';

let dir: string;
let cp: FakeNode;
let worker: FakeNode;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cisfix-flow-'));
  cp = new FakeNode('cp-1');
  worker = new FakeNode('worker-1');
  for (const node of [cp, worker]) {
    node.addFile(ADMIN, { content: 'secret-ish kubeconfig\n', mode: '644', uid: 1000, gid: 1000 });
    node.addFile(FLAGS, { content: OLD_FLAGS, mode: '644' });
    node.running.set('kubelet', ['kubelet', '--anonymous-auth=true']);
  }
  cp.addFile(APISERVER, { content: OLD_API, mode: '600' });
  cp.running.set('kube-apiserver', ['kube-apiserver', '--authorization-mode=AlwaysAllow']);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pre = (node: FakeNode, path: string) => {
  const s = node.state(path);
  return { exists: s.exists, sha256: s.sha256, mode: s.mode, uid: s.uid, gid: s.gid };
};
const base = (node: FakeNode, kind: string, target: string) => ({
  id: `${node.node}:${kind}:${target}`,
  node: node.node,
  controlIds: ['x'],
  target,
  action: 'update' as const,
  diff: '',
  precondition: pre(node, target),
});

function changesFor(node: FakeNode): NodeChange[] {
  const mode: NodeChange = { ...base(node, 'file-mode', ADMIN), kind: 'file-mode', restart: 'none', before: { mode: '644' }, after: { mode: '600' } };
  const owner: NodeChange = {
    ...base(node, 'file-owner', ADMIN),
    kind: 'file-owner',
    restart: 'none',
    before: { user: 'ops', group: 'ops' },
    after: { user: 'root', group: 'root', createAccount: false },
  };
  const kubelet: KubeletFileChange = {
    ...base(node, 'kubelet-file', FLAGS),
    kind: 'kubelet-file',
    restart: 'kubelet',
    daemonReload: true,
    purpose: 'kubelet',
    edits: ['--anonymous-auth=false'],
    before: { sha256: sha(OLD_FLAGS), argv: ['kubelet', '--anonymous-auth=true'] },
    after: { content: NEW_FLAGS, sha256: sha(NEW_FLAGS), argv: ['kubelet', '--anonymous-auth=false'], healthUrl: 'http://127.0.0.1:10248/healthz' },
  };
  if (node !== cp) return [mode, owner, kubelet];
  const support: SupportFileChange = {
    ...base(node, 'support-file', POLICY),
    kind: 'support-file',
    action: 'create',
    restart: 'none',
    after: { content: 'rules: []\n', mode: '600', secrets: [], sha256: sha('rules: []\n') },
  };
  const manifest: ManifestChange = {
    ...base(node, 'static-pod-manifest', APISERVER),
    kind: 'static-pod-manifest',
    restart: 'kube-apiserver',
    before: { sha256: sha(OLD_API), argv: ['kube-apiserver', '--authorization-mode=AlwaysAllow'] },
    after: { content: NEW_API, sha256: sha(NEW_API), argv: NEW_API.split('\n')[0]!.split(' ') },
  };
  return [mode, owner, support, manifest, kubelet];
}

async function journalFor(runId: string, kind: RunJournal['kind'] = 'apply'): Promise<JournalWriter> {
  return JournalWriter.create(
    { runId, kind, startedAt: new Date().toISOString(), status: 'running', inventory: { file: 'inv.yaml', digest: 'd' }, backups: {}, changes: 0, steps: [] },
    dir,
  );
}

async function apply(changes: readonly NodeChange[] = [...changesFor(cp), ...changesFor(worker)]) {
  const journal = await journalFor(RUN);
  const nodes = new Map([
    ['cp-1', cp],
    ['worker-1', worker],
  ]);
  const ctx: ApplyContext = {
    runId: RUN,
    holder: `run ${RUN} by test`,
    journal,
    transports: new Map(),
    roles: new Map([
      ['cp-1', ['control-plane', 'etcd'] as const],
      ['worker-1', ['worker'] as const],
    ]),
    concurrency: 4,
    healthTimeoutMs: 1000,
    ioOf: (n) => nodes.get(n)!,
  };
  const error = await applyPlan(changes, ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, journal: journal.journal };
}

async function rollback(journal: RunJournal, force = false) {
  const writer = await journalFor('20261204T110000Z-bbbbbb', 'rollback');
  const nodes = new Map([
    ['cp-1', cp],
    ['worker-1', worker],
  ]);
  const error = await rollbackRun(journal, {
    runId: writer.journal.runId,
    holder: `run ${writer.journal.runId} by test`,
    journal: writer,
    transports: new Map(),
    force,
    healthTimeoutMs: 1000,
    roles: new Map([['cp-1', ['control-plane'] as const]]),
    ioOf: (n) => nodes.get(n)!,
  }).then(
    (r) => r,
    (e: unknown) => e,
  );
  return { result: error, journal: writer.journal };
}

const phases = (journal: RunJournal, node: string) => journal.steps.filter((s) => s.node === node).map((s) => s.phase);
const exitOf = (error: unknown) => (error as { exitCode?: number }).exitCode;

describe('apply on in-memory nodes', () => {
  it('applies every kind in protocol order, stages the manifest outside manifests/, restarts the kubelet once after daemon-reload', async () => {
    const originalCp = cp.snapshot();
    const { error, journal } = await apply();
    expect(error).toBeUndefined();
    expect(journal.status).toBe('succeeded');
    expect(cp.files.get(APISERVER)!.content).toBe(NEW_API);
    expect(cp.state(ADMIN)).toMatchObject({ mode: '600', user: 'root', group: 'root' });
    expect(cp.files.get(POLICY)).toMatchObject({ mode: '600', uid: 0 });
    expect(cp.restarts).toEqual([{ daemonReload: true }]);
    expect(cp.gates.map((g) => [g.component, g.ok])).toEqual([
      ['kube-apiserver', true],
      ['kubelet', true],
    ]);
    const started = journal.steps.find((s) => s.phase === 'write-started' && s.target === APISERVER);
    expect(started).toMatchObject({
      kind: 'static-pod-manifest',
      staging: `/etc/kubernetes/.cis-fix-staging/kube-apiserver.yaml.${RUN}.cis-fix-new`,
      argvBefore: ['kube-apiserver', '--authorization-mode=AlwaysAllow'],
    });
    const order = phases(journal, 'cp-1');
    expect(order.indexOf('locked')).toBeLessThan(order.indexOf('precondition-ok'));
    expect(order.lastIndexOf('backed-up')).toBeLessThan(order.indexOf('write-started'));
    // Locks and backups on every node before the first write anywhere.
    const firstWrite = journal.steps.findIndex((s) => s.phase === 'write-started');
    expect(
      journal.steps
        .slice(0, firstWrite)
        .filter((s) => s.phase === 'backed-up')
        .map((s) => s.node),
    ).toEqual(expect.arrayContaining(['cp-1', 'worker-1']));
    expect([...cp.files.keys()].filter((p) => p.startsWith('/etc/kubernetes/manifests/'))).toEqual([APISERVER]);
    expect(cp.lockHolder).toBeUndefined();
    expect(originalCp.get(APISERVER)!.content).toBe(OLD_API);
    // What apply writes, the schema reads back.
    expect(parseRunJournal(JSON.stringify(journal), 'runs/x.json')).toEqual(journal);
  });

  it('a lock held on one node: exit 1, nothing changed, the other lock released', async () => {
    const before = [cp.snapshot(), worker.snapshot()];
    worker.faults = [{ op: 'lock' }];
    const { error } = await apply();
    expect(error).toBeInstanceOf(LockHeldError);
    expect(exitOf(error)).toBe(1);
    expect([cp.snapshot(), worker.snapshot()]).toEqual(before);
    expect(cp.lockHolder).toBeUndefined();
  });

  it('a stale precondition: exit 1, nothing changed anywhere, the journal says stale', async () => {
    const changes = [...changesFor(cp), ...changesFor(worker)];
    worker.files.get(ADMIN)!.content = 'edited since the plan\n';
    const before = [cp.snapshot(), worker.snapshot()];
    const { error, journal } = await apply(changes);
    expect(error).toBeInstanceOf(StalePlanError);
    expect((error as Error).message).toContain(`worker-1:${ADMIN} (content changed)`);
    expect([cp.snapshot(), worker.snapshot()]).toEqual(before);
    expect(journal.status).toBe('stale');
  });

  it('a mode change that would loosen permissions is refused before anything changes', async () => {
    const loosen = { ...changesFor(cp)[0]!, after: { mode: '666' } } as NodeChange;
    const before = cp.snapshot();
    const { error } = await apply([loosen]);
    expect(error).toBeInstanceOf(StalePlanError);
    expect((error as Error).message).toMatch(/would loosen permissions/);
    expect(cp.snapshot()).toEqual(before);
  });

  it('a failed backup: exit 1, nothing changed on any node', async () => {
    const before = [cp.snapshot(), worker.snapshot()];
    worker.faults = [{ op: 'backup' }];
    const { error, journal } = await apply();
    expect(error).toBeInstanceOf(ApplyError);
    expect(exitOf(error)).toBe(1);
    expect([cp.snapshot(), worker.snapshot()]).toEqual(before);
    expect(journal.steps.some((s) => s.phase === 'write-started')).toBe(false);
  });

  it.each<[string, FakeFault]>([
    ['a write that fails (its temp file left behind)', { op: 'write', path: APISERVER, leaveStaging: true }],
    ['a write whose verification fails', { op: 'write-wrong', path: APISERVER }],
    ['a health gate that fails', { op: 'unhealthy', component: 'kube-apiserver', argv: NEW_API.split('\n')[0]!.split(' ') }],
  ])('%s: the node is restored byte-identical, temp files removed, exit 3', async (_name, fault) => {
    const before = cp.snapshot();
    const workerBefore = worker.snapshot();
    cp.faults = [fault];
    const { error, journal } = await apply();
    expect(error).toBeInstanceOf(ApplyError);
    expect(exitOf(error)).toBe(3);
    expect((error as Error).message).toMatch(/this node was restored \(3 target\(s\)\) and the run stopped/);
    expect((error as Error).message).toContain(`removed (the run created it) cp-1:${POLICY}`);
    expect(cp.snapshot()).toEqual(before);
    expect(cp.dirs.has('/etc/kubernetes/audit')).toBe(false);
    expect(worker.snapshot()).toEqual(workerBefore); // the worker comes after the control plane: never reached
    expect(journal.status).toBe('rolled-back');
    expect(phases(journal, 'cp-1')).toEqual(expect.arrayContaining(['failed', 'restore-started', 'restored']));
    // The restored API server is waited for with its old command line.
    if (fault.op !== 'write')
      expect(cp.gates.at(-1)).toEqual({ component: 'kube-apiserver', argv: ['kube-apiserver', '--authorization-mode=AlwaysAllow'], ok: true });
    expect(cp.lockHolder).toBeUndefined();
  });

  it('a kubelet that does not come back after its restart: files restored, the kubelet restarted again after daemon-reload, exit 3', async () => {
    const before = worker.snapshot();
    worker.faults = [{ op: 'unhealthy', component: 'kubelet', argv: ['kubelet', '--anonymous-auth=false'] }];
    const { error } = await apply();
    expect(exitOf(error)).toBe(3);
    expect(worker.snapshot()).toEqual(before);
    expect(worker.restarts).toEqual([{ daemonReload: true }, { daemonReload: true }]);
    expect(worker.gates.at(-1)).toEqual({ component: 'kubelet', argv: ['kubelet', '--anonymous-auth=true'], ok: true });
  });

  it('a restore that fails: exit 4, the message says per target what happened, and the manual steps are working commands', async () => {
    cp.faults = [
      { op: 'unhealthy', component: 'kube-apiserver', argv: NEW_API.split('\n')[0]!.split(' ') },
      { op: 'restore', path: ADMIN },
    ];
    const { error } = await apply();
    expect(error).toBeInstanceOf(ApplyError);
    expect(exitOf(error)).toBe(4);
    const message = (error as Error).message;
    expect(message).toContain(`FAILED to restore cp-1:${ADMIN}`);
    expect(message).toContain(`restored cp-1:${APISERVER}`);
    expect(message).toContain(`removed (the run created it) cp-1:${POLICY}`);
    expect(message).not.toMatch(/lock stays/);
    const steps = (error as ApplyError).manualSteps;
    expect(steps).toContain(
      `On cp-1 as root: cp -- /var/lib/cis-fix/backups/${RUN}/files${ADMIN} ${ADMIN} && chown -h -- ops:ops ${ADMIN} && chmod -- 00644 ${ADMIN}`,
    );
    // Gates are not run on half-restored nodes, and the steps say what to check.
    expect(steps.some((s) => /kube-apiserver runs and is healthy/.test(s))).toBe(true);
  });

  it('a created file that cannot be removed: exit 4 with rm -f and rmdir, never a backup that does not exist', async () => {
    cp.faults = [{ op: 'unhealthy', component: 'kube-apiserver', argv: NEW_API.split('\n')[0]!.split(' ') }, { op: 'remove' }];
    const { error } = await apply();
    expect(exitOf(error)).toBe(4);
    const steps = (error as ApplyError).manualSteps;
    expect(steps).toContain(`On cp-1 as root: rm -f -- ${POLICY} && rmdir --ignore-fail-on-non-empty -- /etc/kubernetes/audit`);
    expect(steps.join('\n')).not.toContain(`backups/${RUN}/files${POLICY}`);
  });

  it('a restored component that does not come back: exit 4, the component named, with commands to check it', async () => {
    cp.faults = [{ op: 'unhealthy', component: 'kube-apiserver' }];
    const { error } = await apply();
    expect(exitOf(error)).toBe(4);
    expect((error as Error).message).toContain('cp-1: kube-apiserver did not come back healthy after the restore');
    expect((error as ApplyError).manualSteps.join('\n')).toContain(`cmp -- /var/lib/cis-fix/backups/${RUN}/files${APISERVER} ${APISERVER}`);
  });
});

describe('rollback on in-memory nodes (the same restore engine)', () => {
  it('restores every target, waits for the restored static pod and restarts each kubelet once', async () => {
    const before = [cp.snapshot(), worker.snapshot()];
    const { journal } = await apply();
    cp.gates.length = 0;
    cp.restarts.length = 0;
    const { result, journal: rb } = await rollback(journal);
    expect(result).toMatchObject({ alreadyOriginal: [] });
    expect([cp.snapshot(), worker.snapshot()]).toEqual(before);
    expect(cp.restarts).toEqual([{ daemonReload: true }]);
    expect(cp.gates).toEqual([
      { component: 'kubelet', argv: ['kubelet', '--anonymous-auth=true'], ok: true },
      { component: 'kube-apiserver', argv: ['kube-apiserver', '--authorization-mode=AlwaysAllow'], ok: true },
    ]);
    expect(rb.steps.filter((s) => s.phase === 'restored').length).toBe(6);
    expect(parseRunJournal(JSON.stringify(rb), 'runs/y.json')).toEqual(rb);
  });

  it('refuses a target changed after the run (exit 1, nothing restored) unless forced', async () => {
    const { journal } = await apply();
    cp.files.get(ADMIN)!.content = 'someone else\n';
    const after = cp.snapshot();
    const { result } = await rollback(journal);
    expect(result).toBeInstanceOf(ChangedSinceRunError);
    expect(exitOf(result)).toBe(1);
    expect(cp.snapshot()).toEqual(after);
    const forced = await rollback(journal, true);
    expect(forced.result).toMatchObject({ restored: expect.any(Array) });
  });

  it("recognises a killed run's half-finished write as its own and removes its temp file, without --force", async () => {
    const before = cp.snapshot();
    cp.faults = [{ op: 'write', path: APISERVER, leaveStaging: true }];
    const { journal } = await apply(changesFor(cp));
    // Simulate the kill: the journal stops at the write; the manifest already holds the new content.
    const cut = journal.steps.findIndex((s) => s.phase === 'failed');
    const killed: RunJournal = { ...journal, status: 'running', steps: journal.steps.slice(0, cut) };
    cp.faults = [];
    cp.files.set(APISERVER, { content: NEW_API, mode: '600', uid: 0, gid: 0 });
    const staging = stagingPathFor(APISERVER, RUN, { staticPodManifest: true });
    cp.files.set(staging, { content: NEW_API, mode: '600', uid: 0, gid: 0 });
    cp.lockHolder = `run ${RUN} by test pid 1`;
    const { result } = await rollback(killed);
    expect(result).toMatchObject({ restored: expect.any(Array) });
    expect(cp.snapshot()).toEqual(before);
    expect(cp.files.has(staging)).toBe(false);
  });

  it('a restored component that does not come back healthy: exit 4 naming it', async () => {
    const { journal } = await apply();
    cp.faults = [{ op: 'unhealthy', component: 'kube-apiserver', argv: ['kube-apiserver', '--authorization-mode=AlwaysAllow'] }];
    const { result, journal: rb } = await rollback(journal);
    expect(result).toBeInstanceOf(ApplyError);
    expect(exitOf(result)).toBe(4);
    expect((result as Error).message).toContain('cp-1: kube-apiserver did not come back healthy after the restore');
    expect(rb.steps.some((s) => s.phase === 'unhealthy' && s.component === 'kube-apiserver')).toBe(true);
  });

  it('a target that cannot be restored: exit 4 with the real backup path, owner and mode', async () => {
    const { journal } = await apply();
    worker.faults = [{ op: 'restore', path: FLAGS }];
    const { result } = await rollback(journal);
    expect(exitOf(result)).toBe(4);
    expect((result as ApplyError).manualSteps).toContain(
      `On worker-1 as root: cp -- /var/lib/cis-fix/backups/${RUN}/files${FLAGS} ${FLAGS} && chown -h -- root:root ${FLAGS} && chmod -- 00644 ${FLAGS}`,
    );
    expect((result as Error).message).toContain(`restored worker-1:${ADMIN}`);
  });

  it('a node lock held by another run: exit 1, nothing restored', async () => {
    const { journal } = await apply();
    const after = cp.snapshot();
    cp.lockHolder = 'run someone-else by x';
    const { result } = await rollback(journal);
    expect(result).toBeInstanceOf(LockHeldError);
    expect(cp.snapshot()).toEqual(after);
  });
});
