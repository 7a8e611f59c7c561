import { judgeLock, lockRecord, parseLockRecord, type ProcessProbe } from '../../../src/apply/node-lock.js';
import type { RunJournal } from '../../../src/model/run-journal.js';

const probe = (processes: Record<number, string>, over: Partial<ProcessProbe> = {}): ProcessProbe => ({
  hostname: 'ws-1',
  bootId: 'boot-a',
  startTime: (pid) => processes[pid],
  alive: (pid) => pid in processes,
  ...over,
});

const journal = (runId: string, status: RunJournal['status'], extra: Partial<RunJournal> = {}): RunJournal => ({
  runId,
  kind: 'apply',
  startedAt: '2026-12-04T09:00:00.000Z',
  status,
  inventory: { file: 'inv.yaml', digest: 'd' },
  backups: {},
  changes: 1,
  steps: [],
  ...extra,
});

const HOLDER = 'run 20261204T090000Z-aaaaaa by ops@ws-1 pid 4242 since 2026-12-04T09:00:00.000Z';

describe('the node lock record', () => {
  it('names the holder on its first line and records host, pid, start time, boot and run', () => {
    const text = lockRecord(HOLDER, '20261204T090000Z-aaaaaa', probe({ 4242: '9001' }), 4242);
    expect(text).toBe(`${HOLDER}\nhost=ws-1\npid=4242\nstart=9001\nboot=boot-a\nrun=20261204T090000Z-aaaaaa`);
    expect(parseLockRecord(`${text}\n`)).toEqual({ holder: HOLDER, runId: '20261204T090000Z-aaaaaa', host: 'ws-1', pid: 4242, start: '9001', boot: 'boot-a' });
  });

  it('reads what a one-line lock of an older cis-fix says, and nothing more', () => {
    expect(parseLockRecord('run 20260101T000000Z-abcdef by alice@laptop pid 42\n')).toEqual({
      holder: 'run 20260101T000000Z-abcdef by alice@laptop pid 42',
      runId: '20260101T000000Z-abcdef',
      host: 'laptop',
      pid: 42,
      start: undefined,
      boot: undefined,
    });
    expect(parseLockRecord('garbage').runId).toBeUndefined();
  });
});

describe('judgeLock', () => {
  const owner = parseLockRecord(lockRecord(HOLDER, '20261204T090000Z-aaaaaa', probe({ 4242: '9001' }), 4242));

  it('keeps a lock whose holder on this host still runs with the same start time', () => {
    expect(judgeLock(owner, [journal('20261204T090000Z-aaaaaa', 'running')], probe({ 4242: '9001' }))).toEqual({ kind: 'held' });
  });

  it('takes over a lock whose process is gone, or whose pid now belongs to another process', () => {
    expect(judgeLock(owner, [], probe({}))).toEqual({ kind: 'take-over', why: 'pid 4242 no longer runs on ws-1' });
    expect(judgeLock(owner, [], probe({ 4242: '777' }))).toMatchObject({ kind: 'take-over', why: expect.stringContaining('is another process now') });
    expect(judgeLock(owner, [], probe({ 4242: '9001' }, { bootId: 'boot-b' }))).toMatchObject({ kind: 'take-over', why: expect.stringContaining('rebooted') });
  });

  it('never judges a process of another host dead, however the pids here look', () => {
    expect(judgeLock(owner, [], probe({}, { hostname: 'ws-2' }))).toEqual({ kind: 'held' });
    expect(judgeLock(parseLockRecord('run 20260101T000000Z-abcdef by alice@laptop pid 42'), [], probe({}))).toEqual({ kind: 'held' });
  });

  it('takes over the lock of a run whose journal says it is over or rolled back, and that of the run being rolled back', () => {
    const remote = parseLockRecord('run 20261204T090000Z-aaaaaa by ops@ws-9 pid 1');
    expect(judgeLock(remote, [journal('20261204T090000Z-aaaaaa', 'failed')], probe({ 1: '1' }))).toEqual({
      kind: 'take-over',
      why: 'its run 20261204T090000Z-aaaaaa is over (failed)',
    });
    const undo = journal('20261204T100000Z-bbbbbb', 'succeeded', { kind: 'rollback', rollsBack: '20261204T090000Z-aaaaaa' });
    expect(judgeLock(remote, [journal('20261204T090000Z-aaaaaa', 'running'), undo], probe({ 1: '1' }))).toMatchObject({
      kind: 'take-over',
      why: expect.stringContaining('rolled back by 20261204T100000Z-bbbbbb'),
    });
    expect(judgeLock(remote, [journal('20261204T090000Z-aaaaaa', 'running')], probe({ 1: '1' }))).toEqual({ kind: 'held' });
    expect(judgeLock(remote, [], probe({ 1: '1' }), '20261204T090000Z-aaaaaa')).toMatchObject({ kind: 'take-over' });
  });
});
