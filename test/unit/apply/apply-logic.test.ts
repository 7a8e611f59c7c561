import type { Change } from '../../../src/model/change.js';
import { writeOrder } from '../../../src/apply/apply-plan.js';
import { nodeHandlerFor } from '../../../src/apply/kinds/registry.js';
import { chmodArgument, type PathState } from '../../../src/apply/node-ops.js';
import { describeStaleness } from '../../../src/apply/precondition.js';
import { judgeRestore, restorePlanFor, type RestoreItem } from '../../../src/apply/rollback-run.js';
import type { RunJournal } from '../../../src/apply/journal.js';

const modeChange: Change = {
  id: 'cp-1:file-mode:/etc/kubernetes/admin.conf',
  node: 'cp-1',
  controlIds: ['1.1.13'],
  kind: 'file-mode',
  target: '/etc/kubernetes/admin.conf',
  action: 'update',
  precondition: { exists: true, sha256: 'abc', mode: '644', uid: 0, gid: 0 },
  restart: 'none',
  diff: 'mode 0644 -> 0600',
  before: { mode: '644' },
  after: { mode: '600' },
};

function state(over: Partial<PathState> = {}): PathState {
  return { path: modeChange.target, exists: true, sha256: 'abc', mode: '644', uid: 0, gid: 0, user: 'root', group: 'root', type: 'regular file', ...over };
}

describe('describeStaleness', () => {
  it('accepts a target exactly as planned, whatever zero-padding the mode has', () => {
    expect(describeStaleness(modeChange, state({ mode: '0644' }))).toBeUndefined();
  });
  it('names content, mode and owner changes, and deletion', () => {
    expect(describeStaleness(modeChange, state({ sha256: 'def' }))).toBe('content changed');
    expect(describeStaleness(modeChange, state({ mode: '600', uid: 1000 }))).toBe('mode 644 -> 600, owner 0:0 -> 1000:0');
    expect(describeStaleness(modeChange, state({ exists: false }))).toBe('was deleted');
  });
});

const verifyChange = (change: Change, now: PathState) => nodeHandlerFor(change as Exclude<Change, { node: undefined }>).verify(change as never, now);

describe('verify through the kind handlers', () => {
  it('passes only when the node shows the promised mode or owner', () => {
    expect(verifyChange(modeChange, state({ mode: '600' }))).toBeUndefined();
    expect(verifyChange(modeChange, state({ mode: '640' }))).toMatch(/mode is 640, expected 600/);
    const owner: Change = {
      ...modeChange,
      kind: 'file-owner',
      before: { user: 'ops', group: 'ops' },
      after: { user: 'root', group: 'root', createAccount: false },
    };
    expect(verifyChange(owner, state({ user: 'root', group: 'root' }))).toBeUndefined();
    expect(verifyChange(owner, state({ user: 'root', group: 'ops' }))).toMatch(/root:ops/);
  });
});

describe('writeOrder', () => {
  it('puts control-plane and etcd nodes one per batch before workers in batches', () => {
    const roles = new Map([
      ['w1', ['worker'] as const],
      ['cp-1', ['control-plane', 'etcd'] as const],
      ['w2', ['worker'] as const],
      ['e1', ['etcd'] as const],
      ['w3', ['worker'] as const],
    ]);
    expect(writeOrder(['w1', 'cp-1', 'w2', 'e1', 'w3'], roles, 2)).toEqual([['cp-1'], ['e1'], ['w1', 'w2'], ['w3']]);
  });
});

describe('chmodArgument', () => {
  it('always passes five digits so GNU chmod clears a directory setgid bit', () => {
    expect(chmodArgument('700')).toBe('00700');
    expect(chmodArgument('2755')).toBe('02755');
  });
});

describe('rollback planning', () => {
  const original = { mode: '644', uid: 0, gid: 0, sha256: 'abc', user: 'root', group: 'root' };
  const journal = {
    runId: 'r1',
    kind: 'apply',
    startedAt: '',
    status: 'failed',
    inventory: { file: '', digest: '' },
    backups: {},
    changes: 3,
    steps: [
      { at: '', node: 'cp-1', phase: 'backed-up', target: '/a', original },
      { at: '', node: 'cp-1', phase: 'backed-up', target: '/b', original },
      { at: '', node: 'cp-1', phase: 'backed-up', target: '/c', original },
      { at: '', node: 'cp-1', phase: 'write-started', changeId: 'cp-1:file-mode:/a', target: '/a' },
      { at: '', node: 'cp-1', phase: 'verified', changeId: 'cp-1:file-mode:/a', target: '/a', result: { mode: '600', uid: 0, gid: 0, sha256: 'abc' } },
      { at: '', node: 'cp-1', phase: 'write-started', changeId: 'cp-1:file-mode:/b', target: '/b' },
      // cis-fix was killed here: /b has no 'verified' step, /c was never started.
    ],
  } as RunJournal;

  it('restores exactly what an interrupted run started, newest first', () => {
    expect(restorePlanFor(journal).map((i) => i.target)).toEqual(['/b', '/a']);
  });

  it('restores a target the run left, skips one already original, and refuses one changed since', () => {
    const item: RestoreItem = restorePlanFor(journal).find((i) => i.target === '/a')!;
    expect(judgeRestore(item, state({ path: '/a', mode: '600' }))).toBe('restore');
    expect(judgeRestore(item, state({ path: '/a', mode: '644' }))).toBe('already-original');
    expect(judgeRestore(item, state({ path: '/a', mode: '400' }))).toBe('changed-since');
    const interrupted = restorePlanFor(journal).find((i) => i.target === '/b')!;
    expect(judgeRestore(interrupted, state({ path: '/b', mode: '600' }))).toBe('restore');
  });
});
