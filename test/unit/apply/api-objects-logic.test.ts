import { revertOf, staleness, verify } from '../../../src/apply/apply-api-objects.js';
import { heldBy } from '../../../src/apply/cluster-lease.js';
import { apiRestorePlanFor, judgeApiRestore } from '../../../src/apply/rollback-api.js';
import type { ApiObjectChange, ApiObjectPatch } from '../../../src/model/api-object-change.js';
import type { RunJournal } from '../../../src/model/run-journal.js';
import type { KubeObject } from '../../../src/transport/cluster-client.js';

const ref = { apiVersion: 'v1', kind: 'Namespace', namespace: undefined, name: 'web' } as const;
const patch: ApiObjectPatch = {
  kind: 'api-object',
  id: 'cluster:api-object:Namespace//web',
  node: undefined,
  controlIds: ['5.2.2'],
  target: 'Namespace web',
  object: ref,
  action: 'patch',
  precondition: { resourceVersion: '59' },
  patch: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
  before: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': null } } },
  after: [],
  diff: '',
  notes: [],
  dryRunWarnings: [],
};
const create: ApiObjectChange = {
  ...patch,
  id: 'cluster:api-object:NetworkPolicy/apps/cis-fix-default-deny',
  target: 'NetworkPolicy apps/cis-fix-default-deny',
  object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'apps', name: 'cis-fix-default-deny' },
  action: 'create',
  precondition: { absent: true },
  content: {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'cis-fix-default-deny', namespace: 'apps' },
    spec: { podSelector: {} },
  },
};

function namespace(resourceVersion: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web', resourceVersion, labels } };
}

describe('api-object preconditions and verification', () => {
  it('accepts the object exactly at the planned resourceVersion, and names any other state', () => {
    expect(staleness(patch, namespace('59'))).toBeUndefined();
    expect(staleness(patch, namespace('60'))).toBe('resourceVersion 59 -> 60');
    expect(staleness(patch, undefined)).toBe('was deleted');
    expect(staleness(create, undefined)).toBeUndefined();
    expect(staleness(create, namespace('1'))).toBe('now exists');
  });

  it('verifies that the server holds the patched fields', () => {
    expect(verify(patch, namespace('61', { 'pod-security.kubernetes.io/enforce': 'baseline' }))).toBeUndefined();
    expect(verify(patch, namespace('61', { 'pod-security.kubernetes.io/enforce': 'privileged' }))).toMatch(/does not hold/);
    expect(verify(create, undefined)).toMatch(/was not created/);
  });

  it('reverts a patch with its restoring patch and a create with a delete', () => {
    expect(revertOf(patch, namespace('59'))).toEqual({ action: 'patch', ref, patch: patch.before });
    expect(revertOf(create, undefined)).toEqual({ action: 'delete', ref: create.object });
  });
});

describe('the cluster Lease', () => {
  const lease = (holder: string, renewed: string, seconds = 60): KubeObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'cis-fix', namespace: 'kube-system' },
    spec: { holderIdentity: holder, renewTime: renewed, leaseDurationSeconds: seconds },
  });
  const now = new Date('2026-11-27T10:00:00.000Z');

  it('is held until renewTime + duration, then free to take over', () => {
    expect(heldBy(lease('run A', '2026-11-27T09:59:30.000000Z'), now)).toEqual({ holder: 'run A', until: '2026-11-27T10:00:30.000Z' });
    expect(heldBy(lease('run A', '2026-11-27T09:58:59.000000Z'), now)).toBeUndefined();
    expect(heldBy(lease('', '2026-11-27T09:59:59.000000Z'), now)).toBeUndefined();
    expect(heldBy(lease('run A', 'not a time'), now)).toBeUndefined();
  });
});

describe('rolling back API objects', () => {
  const journal = (steps: RunJournal['steps']): RunJournal => ({
    runId: 'r1',
    kind: 'apply',
    startedAt: '',
    status: 'succeeded',
    inventory: { file: '', digest: '' },
    backups: {},
    changes: 2,
    steps,
  });
  const at = '2026-11-27T10:00:00Z';

  it('undoes every started change newest first, with the resourceVersion each write left, and skips what the run reverted itself', () => {
    const items = apiRestorePlanFor(
      journal([
        { at, node: 'cluster', phase: 'write-started', changeId: patch.id, target: patch.target, revert: revertOf(patch, undefined) },
        { at, node: 'cluster', phase: 'verified', changeId: patch.id, target: patch.target, resourceVersion: '61' },
        { at, node: 'cluster', phase: 'write-started', changeId: create.id, target: create.target, revert: revertOf(create, undefined) },
        { at, node: 'cp-1', phase: 'write-started', changeId: 'cp-1:file-mode:/x', target: '/x' },
      ]),
    );
    expect(items.map((i) => [i.target, i.revert.action, i.resourceVersion])).toEqual([
      ['NetworkPolicy apps/cis-fix-default-deny', 'delete', undefined],
      ['Namespace web', 'patch', '61'],
    ]);
    const reverted = apiRestorePlanFor(
      journal([
        { at, node: 'cluster', phase: 'write-started', changeId: patch.id, target: patch.target, revert: revertOf(patch, undefined) },
        { at, node: 'cluster', phase: 'restored', changeId: patch.id, target: patch.target },
      ]),
    );
    expect(reverted).toEqual([]);
  });

  it('refuses an object changed since the run, and knows what is already original', () => {
    const item = { target: 'Namespace web', revert: revertOf(patch, undefined), resourceVersion: '61' };
    expect(judgeApiRestore(item, namespace('61'))).toBe('restore');
    expect(judgeApiRestore(item, namespace('62'))).toBe('changed-since');
    const created = { target: create.target, revert: revertOf(create, undefined), resourceVersion: '7' };
    expect(judgeApiRestore(created, undefined)).toBe('already-original');
  });
});
