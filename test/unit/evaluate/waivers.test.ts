import type { InventoryWaiver } from '../../../src/inventory/inventory.js';
import type { Finding } from '../../../src/model/finding.js';
import { attachWaivers, EXPIRES_SOON_DAYS, findWaiver, splitWaivedControls, waiverDay } from '../../../src/evaluate/waivers.js';

const waiver = (control: string, expires: string, nodes?: string[], owner = 'platform'): InventoryWaiver => ({
  control,
  nodes,
  reason: `why ${control}`,
  owner,
  expires,
});
const finding = (node: string | undefined, controlId: string, status: Finding['status'], fixable = status === 'fail'): Finding => ({
  controlId,
  node,
  status,
  title: controlId,
  expected: 'mode 600 or stricter',
  actual: '/var/lib/kubelet/config.yaml mode 644',
  fixable,
  kubeBench: undefined,
});

describe('findWaiver', () => {
  const kubeletConfig = [waiver('4.1.9', '2026-06-30', ['worker-1'])];

  it('holds through its last day and is expired the day after', () => {
    expect(findWaiver(kubeletConfig, 'worker-1', '4.1.9', '2026-06-30')).toMatchObject({ daysLeft: 0, expired: false, expiresSoon: true });
    expect(findWaiver(kubeletConfig, 'worker-1', '4.1.9', '2026-07-01')).toMatchObject({ daysLeft: -1, expired: true, expiresSoon: false });
  });

  it(`flags a waiver within ${EXPIRES_SOON_DAYS} days of its last day, not before`, () => {
    expect(findWaiver(kubeletConfig, 'worker-1', '4.1.9', '2026-06-16')).toMatchObject({ daysLeft: 14, expiresSoon: true });
    expect(findWaiver(kubeletConfig, 'worker-1', '4.1.9', '2026-06-15')).toMatchObject({ daysLeft: 15, expiresSoon: false });
  });

  it('counts whole days across month ends, leap days and clock changes', () => {
    expect(findWaiver([waiver('1.1.1', '2028-03-01')], 'cp-1', '1.1.1', '2028-02-28')?.daysLeft).toBe(2);
    expect(findWaiver([waiver('1.1.1', '2026-11-01')], 'cp-1', '1.1.1', '2026-10-24')?.daysLeft).toBe(8);
  });

  it('carries what every output shows: control as written, reason, owner, expiry', () => {
    expect(findWaiver(kubeletConfig, 'worker-1', '4.1.9', '2026-01-01')).toEqual({
      control: '4.1.9',
      reason: 'why 4.1.9',
      owner: 'platform',
      expires: '2026-06-30',
      daysLeft: 180,
      expired: false,
      expiresSoon: false,
    });
  });

  it('applies only on the nodes it names, and never to the cluster when it names nodes', () => {
    expect(findWaiver(kubeletConfig, 'worker-2', '4.1.9', '2026-01-01')).toBeUndefined();
    expect(findWaiver(kubeletConfig, undefined, '4.1.9', '2026-01-01')).toBeUndefined();
  });

  it('without nodes, applies on every node and to the cluster', () => {
    const everywhere = [waiver('5.2.*', '2026-06-30')];
    expect(findWaiver(everywhere, undefined, '5.2.2', '2026-01-01')).toBeDefined();
    expect(findWaiver(everywhere, 'cp-1', '5.2.12', '2026-01-01')).toBeDefined();
  });

  it('matches ids and globs as --only does: whole ids, * and ?', () => {
    const day = '2026-01-01';
    expect(findWaiver([waiver('4.1.*', '2026-06-30')], 'w', '4.1.10', day)).toBeDefined();
    expect(findWaiver([waiver('4.1.*', '2026-06-30')], 'w', '4.2.1', day)).toBeUndefined();
    expect(findWaiver([waiver('1.2.1?', '2026-06-30')], 'w', '1.2.15', day)).toBeDefined();
    expect(findWaiver([waiver('1.2.1?', '2026-06-30')], 'w', '1.2.1', day)).toBeUndefined();
    expect(findWaiver([waiver('1.1.1', '2026-06-30')], 'w', '1.1.12', day)).toBeUndefined();
    expect(findWaiver([waiver('1.1.1', '2026-06-30')], 'w', '1x1x1', day)).toBeUndefined();
  });

  it('lets the waiver that holds longest decide when several match', () => {
    const both = [waiver('4.1.*', '2025-12-31', undefined, 'old'), waiver('4.1.9', '2026-06-30', ['worker-1'], 'new')];
    expect(findWaiver(both, 'worker-1', '4.1.9', '2026-01-01')).toMatchObject({ owner: 'new', expired: false });
    expect(findWaiver(both, 'worker-2', '4.1.9', '2026-01-01')).toMatchObject({ owner: 'old', expired: true });
  });
});

describe('splitWaivedControls', () => {
  const controls = [{ id: '4.1.1' }, { id: '4.1.9' }, { id: '4.2.1' }];

  it('holds back what an active waiver covers on that node, and plans the rest', () => {
    const split = splitWaivedControls(controls, [waiver('4.1.9', '2026-06-30', ['worker-1'])], 'worker-1', '2026-01-01');
    expect(split.planned.map((c) => c.id)).toEqual(['4.1.1', '4.2.1']);
    expect(split.waived.map((c) => c.id)).toEqual(['4.1.9']);
    expect(splitWaivedControls(controls, [waiver('4.1.9', '2026-06-30', ['worker-1'])], 'worker-2', '2026-01-01').waived).toEqual([]);
  });

  it('plans a control whose waiver expired like any other', () => {
    const split = splitWaivedControls(controls, [waiver('4.1.*', '2025-12-31')], 'worker-1', '2026-01-01');
    expect(split.planned).toEqual(controls);
    expect(split.waived).toEqual([]);
  });
});

describe('attachWaivers', () => {
  const today = '2026-01-01';

  it('reports a waived control as waived with its real state, nothing fixable, the waiver attached', () => {
    const [waived] = attachWaivers([finding('worker-1', '4.1.9', 'fail')], [waiver('4.1.9', '2026-06-30')], today);
    expect(waived).toMatchObject({
      status: 'waived',
      fixable: false,
      actual: '/var/lib/kubelet/config.yaml mode 644',
      waiver: { owner: 'platform', expired: false },
    });
    expect(waived?.notFixableReason).toBe('waived until 2026-06-30 by platform: why 4.1.9');
  });

  it('keeps an expired waiver on the finding, whose status stays what evaluation found: a failure again', () => {
    const findings = attachWaivers([finding('worker-1', '4.1.9', 'fail'), finding('worker-1', '4.1.10', 'pass')], [waiver('4.1.*', '2025-12-31')], today);
    expect(findings.map((f) => [f.controlId, f.status, f.fixable, f.waiver?.expired])).toEqual([
      ['4.1.9', 'fail', true, true],
      ['4.1.10', 'pass', false, true],
    ]);
  });

  it('leaves errors, not-applicable results and unwaived controls alone', () => {
    const findings = [finding('worker-1', '*', 'error'), finding('worker-1', '4.1.1', 'not-applicable'), finding('worker-1', '4.2.1', 'fail')];
    expect(attachWaivers(findings, [waiver('4.1.1', '2026-06-30')], today)).toEqual(findings);
    expect(attachWaivers(findings, [waiver('*', '2026-06-30')], today)[0]).toEqual(findings[0]);
  });
});

describe('waiverDay', () => {
  it('is the UTC date of the plan', () => {
    expect(waiverDay(new Date('2026-06-30T23:59:59Z'))).toBe('2026-06-30');
    expect(waiverDay(new Date('2026-07-01T00:00:00+02:00'))).toBe('2026-06-30');
  });
});
