import type { Finding } from '../../../src/model/finding.js';
import type { Plan } from '../../../src/plan/plan.js';
import { verifiedFindings } from '../../../src/services/verified-baseline.js';

const finding = (node: string | undefined, controlId: string, status: Finding['status']): Finding => ({
  controlId,
  node,
  status,
  title: controlId,
  expected: '',
  actual: '',
  fixable: true,
  kubeBench: undefined,
});
const planOf = (findings: Finding[]) => ({ findings }) as unknown as Plan;

describe('verifiedFindings (what the baseline may record after a run)', () => {
  const before = [
    finding('cp-1', '1.1.1', 'fail'),
    finding('cp-1', '1.1.2', 'pass'),
    finding('worker-1', '4.1.1', 'fail'),
    finding(undefined, '5.2.2', 'fail'),
  ];

  it('keeps a control of a re-gathered node only when it passes on the facts after the run', () => {
    const after = planOf([finding('cp-1', '1.1.1', 'pass'), finding('cp-1', '1.1.2', 'fail'), finding(undefined, '5.2.2', 'pass')]);
    const kept = verifiedFindings(planOf(before), after, new Set(['cp-1'])).findings.map((f) => `${f.node ?? 'cluster'} ${f.controlId}`);
    // 1.1.2 regressed during the run: not recorded. worker-1 was not changed, so not re-gathered: kept as planned.
    expect(kept).toEqual(['cp-1 1.1.1', 'worker-1 4.1.1', 'cluster 5.2.2']);
  });

  it('records nothing of the re-gathered nodes and the cluster when the facts after the run could not be had', () => {
    const kept = verifiedFindings(planOf(before), undefined, new Set(['cp-1'])).findings.map((f) => `${f.node ?? 'cluster'} ${f.controlId}`);
    expect(kept).toEqual(['worker-1 4.1.1']);
  });
});
