import type { Change } from '../../../src/model/change.js';
import { changeOverview, describeScope, nodeRoles, restartOf, sectionOf, summaryRows, targetEntries } from '../../../src/render/plan-overview.js';
import { renderPlanBrief } from '../../../src/render/plan-text.js';
import { createStyle } from '../../../src/render/style.js';
import { wrapText } from '../../../src/render/wrap-text.js';
import { richChanges, richPlan } from './plan-fixtures.js';

describe('the plan overview', () => {
  it("finds a control's benchmark section", () => {
    expect(['1.1.13', '2.3', '3.2.1', '4.2.10', '5.1.1'].map(sectionOf)).toEqual(['1.1', '2', '3.2', '4.2', '5.1']);
  });

  it("reads each node's role from the sections evaluated on it", () => {
    expect([...nodeRoles(richPlan)]).toEqual([
      ['cp-1', 'control-plane,etcd'],
      ['worker-1', 'worker'],
      ['worker-9', 'not reached'],
    ]);
  });

  it("calls every reachable node a worker on a managed service's benchmark, whose section 3 is the worker nodes", () => {
    const eks = { ...richPlan, benchmark: { ...richPlan.benchmark, id: 'eks-1.8.0' as const } };
    expect([...nodeRoles(eks)]).toEqual([
      ['cp-1', 'worker'],
      ['worker-1', 'worker'],
      ['worker-9', 'not reached'],
    ]);
  });

  it('groups the changes of one target into one entry, with every control and the restart', () => {
    const entries = targetEntries(richChanges);
    const manifest = entries.find((e) => e.target.endsWith('kube-apiserver.yaml'))!;
    expect(manifest.changes).toHaveLength(2);
    expect(manifest.controlIds).toEqual(['1.1.1', '1.2.6', '1.2.15']);
    expect(manifest.restart).toBe('kube-apiserver');
    expect(entries.find((e) => e.target.endsWith('policy.yaml'))!.action).toBe('create');
  });

  it('sorts changes into files, manifest restarts, kubelet restarts and cluster objects', () => {
    const o = changeOverview(richChanges);
    expect(o).toMatchObject({
      changes: 6,
      targets: 5,
      nodes: ['cp-1', 'worker-1'],
      files: 3,
      manifestRestarts: ['kube-apiserver on cp-1'],
      kubeletRestarts: ['worker-1'],
      serviceRestarts: [],
      clusterObjects: 1,
    });
    expect(describeScope(o)).toBe('6 changes to 4 targets on 2 nodes and 1 cluster object');
  });

  it("asks each change's kind what it restarts: a kubelet that did not run when the plan was made is not restarted", () => {
    // The field `restart: 'kubelet'` is there, but apply gates (and restarts) only a kubelet that ran: duck typing said "restarts kubelet".
    const kubelet = richChanges.find((c) => c.kind === 'kubelet-file')!;
    const stopped = { ...kubelet, after: { ...kubelet.after, argv: undefined } } as Change;
    expect(restartOf(kubelet)).toBe('kubelet');
    expect(restartOf(stopped)).toBeUndefined();
    expect(changeOverview([stopped])).toMatchObject({ files: 1, kubeletRestarts: [], serviceRestarts: [], manifestRestarts: [] });
    expect(targetEntries([stopped])[0]!.restart).toBeUndefined();
  });

  it('counts each finding in one column per section and role; unreached nodes are no row', () => {
    const rows = summaryRows(richPlan);
    expect(rows.find((r) => r.section === '1.2')).toMatchObject({ role: 'control-plane,etcd', nodes: 1, fail: 3, fixed: 2, decision: 1, waived: 1 });
    expect(rows.some((r) => r.role === 'not reached')).toBe(false);
  });

  it("fits apply's summary on one screen: no diffs, a line per node", () => {
    const brief = renderPlanBrief(richPlan, createStyle(false));
    expect(brief.split('\n').length).toBeLessThan(25);
    expect(brief).not.toContain('+++');
    expect(brief).toContain('cp-1: 4 changes to 3 targets; restarts kube-apiserver');
    expect(brief).toContain('cluster: 1 cluster object');
  });

  it('wraps text at the width without breaking words', () => {
    expect(wrapText('aaa bbb ccc ddd', 9, '  ')).toEqual(['  aaa bbb', '  ccc ddd']);
    expect(wrapText('x /a/very/long/path/name y', 10, '> ', '  ')).toEqual(['> x', '  /a/very/long/path/name', '  y']);
  });
});
