import {
  baselineAfterApply,
  baselineAfterRollback,
  baselineShareOf,
  driftReport,
  EMPTY_BASELINE,
  mergeBaselines,
  replacedEntries,
  type Baseline,
} from '../../../src/plan/drift.js';
import type { Change } from '../../../src/model/change.js';
import type { Finding } from '../../../src/model/finding.js';
import { summarizePlan, type Plan } from '../../../src/plan/plan.js';

const finding = (node: string | undefined, controlId: string, status: Finding['status'], fixable = false): Finding => ({
  controlId,
  node,
  status,
  title: controlId,
  expected: '',
  actual: '',
  fixable,
  kubeBench: undefined,
});
const change = (id: string, node: string, controlIds: string[]): Change => ({
  id,
  node,
  controlIds,
  kind: 'file-mode',
  target: `/etc/${id}`,
  action: 'update',
  precondition: { exists: true, sha256: undefined, mode: '644', uid: 0, gid: 0 },
  restart: 'none',
  diff: '',
  before: { mode: '644' },
  after: { mode: '600' },
});
const plan = (findings: Finding[], changes: Change[]): Plan => ({ benchmark: { id: 'cis-1.12', chosenBy: '' }, findings, changes }) as unknown as Plan;

describe('the drift baseline', () => {
  const planned = plan(
    [
      finding('cp-1', '1.1.1', 'fail', true),
      finding('cp-1', '1.1.2', 'pass'),
      finding('cp-1', '1.1.3', 'fail', true),
      finding('cp-1', '1.1.12', 'fail'),
      finding(undefined, '5.2.2', 'fail', true),
    ],
    [change('a', 'cp-1', ['1.1.1']), change('b', 'cp-1', ['1.1.3']), change('c', 'cp-1', ['1.1.3'])],
  );

  it('records what passed and what the applied changes fixed — not a control with a change left out', () => {
    const baseline = baselineAfterApply(EMPTY_BASELINE, planned, new Set(['a', 'b']), 'run-1', 'now');
    expect(Object.keys(baseline.enforced).sort()).toEqual(['cp-1\u00001.1.1', 'cp-1\u00001.1.2']);
  });

  it('reports a control that complied after a run and fails now as drifted, with the run', () => {
    const baseline = baselineAfterApply(EMPTY_BASELINE, planned, new Set(['a', 'b', 'c']), 'run-1', 'now');
    const later = plan(
      [finding('cp-1', '1.1.1', 'fail', true), finding('cp-1', '1.1.12', 'fail'), finding('cp-1', '1.1.2', 'pass')],
      [change('a', 'cp-1', ['1.1.1'])],
    );
    const report = driftReport(later, baseline);
    expect(report.drifted.map((f) => [f.controlId, f.enforcedBy])).toEqual([['1.1.1', 'run-1']]);
    expect(report.neverEnforced.map((f) => f.controlId)).toEqual(['1.1.12']);
    expect(report.pendingChanges).toBe(1);
  });

  it('forgets what a rolled-back run enforced, and keeps what an earlier run did', () => {
    const first = baselineAfterApply(EMPTY_BASELINE, planned, new Set(['a']), 'run-1', 't1');
    const second = baselineAfterApply(first, planned, new Set(['b', 'c']), 'run-2', 't2');
    expect(second.enforced['cp-1\u00001.1.3']).toBe('run-2');
    const rolledBack = baselineAfterRollback(second, 'run-2', 't3');
    expect(Object.keys(rolledBack.enforced).sort()).toEqual(['cp-1\u00001.1.1', 'cp-1\u00001.1.2']);
  });

  it('puts back what a rolled-back run took over from an earlier run (issue 11 §2: the baseline as it was)', () => {
    const first = baselineAfterApply(EMPTY_BASELINE, planned, new Set(['a']), 'run-1', 't1');
    // run-1 had enforced 1.1.1; run-2 enforces it again (a drift --fix) and fixes 1.1.3 for the first time.
    const applied = baselineAfterApply(first, planned, new Set(['b', 'c']), 'run-2', 't2');
    const second = { ...applied, enforced: { ...applied.enforced, 'cp-1\u00001.1.1': 'run-2' } };
    const replaced = replacedEntries(first, second, 'run-2');
    expect(replaced).toEqual({ 'cp-1\u00001.1.1': 'run-1', 'cp-1\u00001.1.3': null });
    expect(baselineAfterRollback(second, 'run-2', 't3', replaced).enforced).toEqual(first.enforced);
  });

  it('merges the copies kept in several places: the newest whole copy, with newer node shares replacing that node', () => {
    const whole: Baseline = {
      formatVersion: 1,
      updatedAt: 't2',
      benchmark: 'cis-1.12',
      enforced: { 'cp-1\u00001.1.1': 'run-1', 'worker-1\u00004.1.1': 'run-1' },
    };
    const older: Baseline = { ...whole, updatedAt: 't1', enforced: { 'cp-1\u00009.9.9': 'run-0' } };
    // worker-1 saw run-3 (its share is newer than the whole copy), which rolled 4.1.1 back and enforced 4.1.5.
    const share: Baseline = {
      formatVersion: 1,
      updatedAt: 't3',
      benchmark: 'cis-1.12',
      enforced: { 'worker-1\u00004.1.5': 'run-3', 'cp-1\u00001.1.1': 'stray' },
    };
    const merged = mergeBaselines([{ baseline: older }, { baseline: share, node: 'worker-1' }, { baseline: whole }]);
    expect(merged.enforced).toEqual({ 'cp-1\u00001.1.1': 'run-1', 'worker-1\u00004.1.5': 'run-3' });
    expect(merged.updatedAt).toBe('t3');
    expect(baselineShareOf(merged, 'worker-1').enforced).toEqual({ 'worker-1\u00004.1.5': 'run-3' });
    // A node's share older than the whole copy changes nothing; no copy at all is the empty baseline.
    expect(mergeBaselines([{ baseline: whole }, { baseline: { ...share, updatedAt: 't1' }, node: 'worker-1' }]).enforced).toEqual(whole.enforced);
    expect(mergeBaselines([])).toEqual(EMPTY_BASELINE);
  });

  it('starts over when the benchmark changed', () => {
    const baseline = baselineAfterApply(EMPTY_BASELINE, planned, new Set(['a']), 'run-1', 'now');
    const other = { ...planned, benchmark: { id: 'cis-1.11', chosenBy: '' } } as Plan;
    expect(driftReport(other, baseline).drifted).toEqual([]);
  });

  it('calls out a control failing again because its waiver expired, also when no change can fix it', () => {
    const expired = { control: '1.1.*', reason: 'r', owner: 'o', expires: '2025-12-31', daysLeft: -1, expired: true, expiresSoon: false };
    const held = { ...expired, expires: '2026-06-30', daysLeft: 180, expired: false };
    const later = plan(
      [
        { ...finding('cp-1', '1.1.12', 'fail'), waiver: expired },
        { ...finding('cp-1', '1.1.1', 'waived'), waiver: held },
        { ...finding('cp-1', '1.1.2', 'pass'), waiver: expired },
      ],
      [],
    );
    const report = driftReport(later, EMPTY_BASELINE);
    expect(report.expiredWaivers.map((f) => f.controlId)).toEqual(['1.1.12']);
    expect(report.neverEnforced.map((f) => f.controlId)).toEqual(['1.1.12']);
    expect(report.pendingChanges).toBe(0);
  });

  it('never counts a waived control as drifted, even one cis-fix had enforced', () => {
    const baseline = baselineAfterApply(EMPTY_BASELINE, planned, new Set(['a', 'b', 'c']), 'run-1', 'now');
    const waiver = { control: '1.1.1', reason: 'r', owner: 'o', expires: '2026-06-30', daysLeft: 180, expired: false, expiresSoon: false };
    const report = driftReport(plan([{ ...finding('cp-1', '1.1.1', 'waived'), waiver }], []), baseline);
    expect(report.drifted).toEqual([]);
    expect(report.expiredWaivers).toEqual([]);
  });
});

describe('the plan summary', () => {
  it('counts waived controls beside the other statuses', () => {
    const summary = summarizePlan(
      [finding('cp-1', '1.1.1', 'waived'), finding('w-1', '4.1.9', 'waived'), finding('cp-1', '1.1.2', 'pass'), finding('cp-1', '1.1.3', 'fail', true)],
      [],
      2,
    );
    expect(summary).toMatchObject({ waived: 2, passing: 1, failing: 1, needDecision: 0 });
  });
});
