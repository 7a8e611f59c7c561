import { mergeRunRecords, nodeShareOf, type SeenRecord } from '../../../../src/apply/records/merge-records.js';
import { parseBaselineRecord, parseRunRecord } from '../../../../src/apply/records/parse-record.js';
import { nodesOfRun, selectRunsToPrune } from '../../../../src/apply/records/prune-runs.js';
import type { JournalStep, RunJournal } from '../../../../src/model/run-journal.js';
import type { RunRecord } from '../../../../src/model/run-record.js';

// Issue 11 §1/§2: a run's record is kept on the workstation, in the cluster and
// (each node its own share) on the nodes; these are the pure parts that put
// the copies back together and decide what retention removes.

const step = (at: string, node: string, phase: 'locked' | 'unlocked'): JournalStep => ({ at: `2026-12-04T10:00:${at}.000Z`, node, phase });

function journal(runId: string, over: Partial<RunJournal> = {}): RunJournal {
  return {
    runId,
    kind: 'apply',
    startedAt: `2026-12-0${runId.slice(7, 8)}T10:00:00.000Z`,
    status: 'succeeded',
    finishedAt: `2026-12-0${runId.slice(7, 8)}T10:05:00.000Z`,
    benchmark: 'cis-1.12',
    inventory: { file: '/work/inventory.yaml', digest: 'a'.repeat(64) },
    backups: { 'cp-1': `/var/lib/cis-fix/backups/${runId}`, 'worker-1': `/var/lib/cis-fix/backups/${runId}` },
    changes: 2,
    steps: [step('01', 'cp-1', 'locked'), step('02', 'worker-1', 'locked'), step('03', 'cp-1', 'unlocked'), step('04', 'worker-1', 'unlocked')],
    ...over,
  };
}

const by = { user: 'ops', host: 'laptop' };

describe('mergeRunRecords', () => {
  it("puts a run back together from the nodes' shares alone, steps in time order, and names where it was seen", () => {
    const record: RunRecord = { formatVersion: 1, journal: journal('20261204T100000Z-aaaaaa'), by };
    const seen: SeenRecord[] = ['worker-1', 'cp-1'].map((node) => ({ source: { kind: 'node', node }, ...nodeShareOf(record, node) }));
    const [merged, ...rest] = mergeRunRecords(seen);
    expect(rest).toEqual([]);
    expect(merged!.journal.steps).toEqual(record.journal.steps);
    expect(merged!.by).toEqual(by);
    expect(merged!.seenIn).toEqual([
      { kind: 'node', node: 'worker-1' },
      { kind: 'node', node: 'cp-1' },
    ]);
  });

  it('takes the finished status from a copy that saw the run end, even when another copy stopped earlier', () => {
    const full = journal('20261204T100000Z-aaaaaa');
    const cut: RunJournal = { ...full, status: 'running', steps: full.steps.slice(0, 2) };
    delete cut.finishedAt;
    const [merged] = mergeRunRecords([
      { source: { kind: 'local' }, journal: cut },
      { source: { kind: 'cluster' }, journal: full, planDigest: 'b'.repeat(64) },
    ]);
    expect(merged!.journal.status).toBe('succeeded');
    expect(merged!.journal.finishedAt).toBe(full.finishedAt);
    expect(merged!.journal.steps).toHaveLength(4);
    expect(merged!.planDigest).toBe('b'.repeat(64));
  });

  it('lists runs newest first, one entry per run id', () => {
    const runs = mergeRunRecords([
      { source: { kind: 'local' }, journal: journal('20261201T100000Z-111111') },
      { source: { kind: 'cluster' }, journal: journal('20261203T100000Z-333333') },
      { source: { kind: 'local' }, journal: journal('20261203T100000Z-333333') },
      { source: { kind: 'node', node: 'cp-1' }, journal: journal('20261202T100000Z-222222') },
    ]);
    expect(runs.map((r) => r.journal.runId)).toEqual(['20261203T100000Z-333333', '20261202T100000Z-222222', '20261201T100000Z-111111']);
    expect(runs[0]!.seenIn.map((s) => s.kind)).toEqual(['local', 'cluster']);
  });
});

describe('selectRunsToPrune', () => {
  const merged = (runId: string, nodes: string[], over: Partial<RunJournal> = {}) =>
    mergeRunRecords([
      {
        source: { kind: 'local' },
        journal: journal(runId, {
          backups: Object.fromEntries(nodes.map((n) => [n, `/var/lib/cis-fix/backups/${runId}`])),
          steps: nodes.map((n) => step('01', n, 'locked')),
          ...over,
        }),
      },
    ])[0]!;
  const now = new Date('2026-12-09T00:00:00.000Z');

  it('keeps the newest N, and never the last run of a node, which a rollback of that node needs', () => {
    const runs = [
      merged('20261205T100000Z-555555', ['cp-1']),
      merged('20261204T100000Z-444444', ['cp-1']),
      merged('20261203T100000Z-333333', ['worker-1']),
      merged('20261202T100000Z-222222', ['cp-1', 'worker-1']),
    ];
    const { prune, spared } = selectRunsToPrune(runs, { keep: 1 }, now);
    expect(prune.map((r) => r.journal.runId)).toEqual(['20261204T100000Z-444444', '20261202T100000Z-222222']);
    expect(spared).toEqual([{ runId: '20261203T100000Z-333333', reason: 'it is the last run of worker-1' }]);
  });

  it('removes by age, and spares a run that never finished', () => {
    const running = merged('20261201T100000Z-111111', ['etcd-1'], { status: 'running' });
    delete (running.journal as { finishedAt?: string }).finishedAt;
    const runs = [merged('20261208T100000Z-888888', ['cp-1']), merged('20261202T100000Z-222222', ['cp-1']), running];
    const { prune, spared } = selectRunsToPrune(runs, { olderThanMs: 3 * 86_400_000 }, now);
    expect(prune.map((r) => r.journal.runId)).toEqual(['20261202T100000Z-222222']);
    expect(spared.map((s) => s.runId)).toEqual(['20261201T100000Z-111111']);
    expect(spared[0]!.reason).toMatch(/not finished/);
  });

  it('counts the nodes a run touched from its backups and steps, not the cluster', () => {
    expect(
      nodesOfRun(merged('20261202T100000Z-222222', ['cp-1'], { steps: [step('01', 'cluster', 'locked'), step('02', 'worker-2', 'locked')] })).sort(),
    ).toEqual(['cp-1', 'worker-2']);
  });
});

describe('parseRunRecord and parseBaselineRecord', () => {
  const record: RunRecord = {
    formatVersion: 1,
    journal: journal('20261204T100000Z-aaaaaa'),
    by,
    planDigest: 'c'.repeat(64),
    baselineReplaced: { 'cp-1\u00001.1.1': null },
  };

  it('reads back what was written', () => {
    expect(parseRunRecord(JSON.stringify(record), 'node cp-1')).toEqual({ ok: true, value: record });
  });

  it('names where a damaged record was found and the JSON path of the problem', () => {
    const bad = { ...record, journal: { ...record.journal, steps: [{ at: 'x', node: 'cp-1', phase: 'exploded' }] } };
    const parsed = parseRunRecord(JSON.stringify(bad), 'node cp-1');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toMatch(/^node cp-1: journal\.steps\[0\]/);
    expect(parseRunRecord('{', 'the cluster')).toMatchObject({ ok: false, problem: expect.stringMatching(/^the cluster: not JSON/) });
    expect(parseRunRecord(JSON.stringify({ ...record, extra: 1 }), 'the cluster').ok).toBe(false);
  });

  it('refuses a baseline entry that names no run', () => {
    const baseline = { formatVersion: 1, updatedAt: '2026-12-04T10:00:00.000Z', benchmark: 'cis-1.12', enforced: { 'cp-1\u00001.1.1': '' } };
    expect(parseBaselineRecord(JSON.stringify(baseline), 'node cp-1').ok).toBe(false);
    expect(parseBaselineRecord(JSON.stringify({ ...baseline, enforced: { 'cp-1\u00001.1.1': '20261204T100000Z-aaaaaa' } }), 'node cp-1').ok).toBe(true);
  });
});
