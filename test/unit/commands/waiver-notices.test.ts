import type { Finding, FindingWaiver } from '../../../src/model/finding.js';
import { waiverNotices } from '../../../src/commands/_shared/waiver-notices.js';

const waiver = (daysLeft: number, expires: string): FindingWaiver => ({
  control: '4.1.*',
  reason: 'r',
  owner: 'platform@example.com',
  expires,
  daysLeft,
  expired: daysLeft < 0,
  expiresSoon: daysLeft >= 0 && daysLeft <= 14,
});
const finding = (node: string | undefined, status: Finding['status'], w?: FindingWaiver): Finding => ({
  controlId: '4.1.9',
  node,
  status,
  title: '',
  expected: '',
  actual: '',
  fixable: false,
  kubeBench: undefined,
  ...(w ? { waiver: w } : {}),
});

describe('waiverNotices', () => {
  it('names an expired waiver, its owner and how long ago, and the status the control has again', () => {
    expect(waiverNotices([finding('worker-1', 'fail', waiver(-3, '2026-01-01'))])).toEqual([
      'the waiver for 4.1.9 on worker-1 (owner platform@example.com) expired on 2026-01-01, 3 days ago: the control counts again (fail)',
    ]);
  });

  it('warns of a waiver ending within two weeks, and says nothing of one ending later or of unwaived controls', () => {
    expect(
      waiverNotices([finding(undefined, 'waived', waiver(1, '2026-01-05')), finding('cp-1', 'waived', waiver(30, '2026-02-05')), finding('cp-1', 'fail')]),
    ).toEqual(['the waiver for 4.1.9 on cluster (owner platform@example.com) expires on 2026-01-05, in 1 day: renew it or fix the control']);
  });
});
