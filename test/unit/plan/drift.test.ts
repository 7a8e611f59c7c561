import { baselineAfterApply, baselineAfterRollback, driftReport, EMPTY_BASELINE } from '../../../src/plan/drift.js';
import type { Change } from '../../../src/model/change.js';
import type { Finding } from '../../../src/model/finding.js';
import { summarizePlan, type Plan } from '../../../src/plan/plan.js';

const finding = (node: string | undefined, controlId: string, status: Finding['status'], fixable = false): Finding => ({ controlId, node, status, title: controlId, expected: '', actual: '', fixable, kubeBench: undefined });
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
    [finding('cp-1', '1.1.1', 'fail', true), finding('cp-1', '1.1.2', 'pass'), finding('cp-1', '1.1.3', 'fail', true), finding('cp-1', '1.1.12', 'fail'), finding(undefined, '5.2.2', 'fail', true)],
    [change('a', 'cp-1', ['1.1.1']), change('b', 'cp-1', ['1.1.3']), change('c', 'cp-1', ['1.1.3'])],
  );

  it('records what passed and what the applied changes fixed — not a control with a change left out', () => {
    const baseline = baselineAfterApply(EMPTY_BASELINE, planned, new Set(['a', 'b']), 'run-1', 'now');
    expect(Object.keys(baseline.enforced).sort()).toEqual(['cp-1\u00001.1.1', 'cp-1\u00001.1.2']);
  });

  it('reports a control that complied after a run and fails now as drifted, with the run', () => {
    const baseline = baselineAfterApply(EMPTY_BASELINE, planned, new Set(['a', 'b', 'c']), 'run-1', 'now');
    const later = plan([finding('cp-1', '1.1.1', 'fail', true), finding('cp-1', '1.1.12', 'fail'), finding('cp-1', '1.1.2', 'pass')], [change('a', 'cp-1', ['1.1.1'])]);
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

  it('starts over when the benchmark changed', () => {
    const baseline = baselineAfterApply(EMPTY_BASELINE, planned, new Set(['a']), 'run-1', 'now');
    const other = { ...planned, benchmark: { id: 'cis-1.11', chosenBy: '' } } as Plan;
    expect(driftReport(other, baseline).drifted).toEqual([]);
  });

  it('calls out a control failing again because its waiver expired, also when no change can fix it', () => {
    const expired = { control: '1.1.*', reason: 'r', owner: 'o', expires: '2025-12-31', daysLeft: -1, expired: true, expiresSoon: false };
    const held = { ...expired, expires: '2026-06-30', daysLeft: 180, expired: false };
    const later = plan(
      [{ ...finding('cp-1', '1.1.12', 'fail'), waiver: expired }, { ...finding('cp-1', '1.1.1', 'waived'), waiver: held }, { ...finding('cp-1', '1.1.2', 'pass'), waiver: expired }],
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
    const summary = summarizePlan([finding('cp-1', '1.1.1', 'waived'), finding('w-1', '4.1.9', 'waived'), finding('cp-1', '1.1.2', 'pass'), finding('cp-1', '1.1.3', 'fail', true)], [], 2);
    expect(summary).toMatchObject({ waived: 2, passing: 1, failing: 1, needDecision: 0 });
  });
});
