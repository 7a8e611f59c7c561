import { spawnSync } from 'node:child_process';
import { labelValue, renderPlanMetrics } from '../../../src/render/plan-metrics.js';
import type { DriftReport } from '../../../src/plan/drift.js';
import { HOSTILE, richFindings, richPlan } from './plan-fixtures.js';

// promtool (Debian package prometheus) is the reference parser of the exposition format.
function promtool(text: string): { code: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const drift: DriftReport = {
  drifted: [{ ...richFindings[2]!, enforcedBy: '20261126T101500Z-a1b2c3' }],
  neverEnforced: [],
  pendingChanges: 6,
  expiredWaivers: [],
};
const hostileNode = {
  ...richPlan,
  selection: { ...richPlan.selection, nodes: [...richPlan.selection.nodes, HOSTILE] },
  findings: [...richPlan.findings, { ...richFindings[0]!, node: HOSTILE }],
};

describe('Prometheus metrics', () => {
  it('passes promtool check metrics, hostile node names included', () => {
    const text = renderPlanMetrics(hostileNode, { drift, lastSuccessfulRun: { runId: '20261126T101500Z-a1b2c3', finishedAt: '2026-11-26T10:16:00.000Z' } });
    const { code, output } = promtool(text);
    expect(output).toBe('');
    expect(code).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('has per node and control the status, and the drift, waiver-expiry (days left, in seconds) and last-successful-run gauges', () => {
    const text = renderPlanMetrics(richPlan, { drift, lastSuccessfulRun: { runId: 'r1', finishedAt: '2026-11-26T10:16:00.000Z' } });
    expect(text).toContain('cis_fix_control_status{node="cp-1",control="1.1.1",section="1.1",status="fail",fixable="true"} 1');
    expect(text).toContain('cis_fix_control_status{node="worker-1",control="4.2.12",section="4.2",status="not-evaluated",fixable="false"} 1');
    expect(text).toContain('cis_fix_drifted_controls{node="cp-1"} 1');
    expect(text).toContain('cis_fix_control_drifted{node="cp-1",control="1.2.6",enforced_by="20261126T101500Z-a1b2c3"} 1');
    expect(text).toContain('cis_fix_waiver_expiry_seconds{node="cp-1",control="1.2.16",waiver="1.2.*",owner="platform-team",expires="2026-12-05"} 777600');
    expect(text).toContain('cis_fix_waiver_expiry_seconds{node="cp-1",control="1.2.17",waiver="1.2.*",owner="platform-team",expires="2026-11-20"} -604800');
    expect(text).toContain('cis_fix_last_successful_run_timestamp_seconds{run="r1"} 1795688160');
    expect(text).toContain('cis_fix_node_reached{node="worker-9"} 0');
    expect(text).toContain('cis_fix_changes_pending{node="cp-1"} 4');
    expect(text).toContain('cis_fix_changes_pending{node="cluster"} 1');
  });

  it('escapes label values per the exposition format', () => {
    expect(labelValue('a"b\\c\nd\u001b')).toBe('a\\"b\\\\c\\\\nd\\\\x1b');
  });
});
