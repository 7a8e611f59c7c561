import type { ApiObjectChange } from '../../../src/model/api-object-change.js';
import type { Change, FileModeChange, FileOwnerChange, KubeletFileChange, ManifestChange, SupportFileChange } from '../../../src/model/change.js';
import { UserError } from '../../../src/model/errors.js';
import { assertPlanInvariants, planInvariantViolations, tightens } from '../../../src/plan/plan-invariants.js';
import { fixturePlan } from './support/fixture-plan.js';

async function violations(edit: (changes: Change[]) => Change[]): Promise<string[]> {
  const { plan, invariants } = await fixturePlan();
  return planInvariantViolations(edit([...plan.changes]), invariants);
}

function first<C extends Change>(changes: readonly Change[], test: (c: Change) => c is C): C {
  const found = changes.find(test);
  if (!found) throw new Error('the fixture plan lacks such a change');
  return found;
}

describe('plan invariants', () => {
  it('hold for every change of a real plan', async () => {
    expect(await violations((changes) => changes)).toEqual([]);
  });

  it("modes only tighten: no bit is ever added to the precondition's mode", async () => {
    expect(tightens('644', '600')).toBe(true);
    expect(tightens('400', '400')).toBe(true);
    expect(tightens('600', '640')).toBe(false);
    expect(tightens('2755', '755')).toBe(true);
    expect(tightens('755', '4755')).toBe(false);
    expect(tightens('644', 'x')).toBe(false);
    const found = await violations((changes) => {
      const change = first(changes, (c): c is FileModeChange => c.kind === 'file-mode');
      return [{ ...change, after: { mode: '777' } }];
    });
    expect(found).toEqual([expect.stringMatching(/after\.mode: 777 adds permission bits to \d+; modes only ever tighten/)]);
  });

  it("owners come only from the playbook or the inventory's parameters", async () => {
    const found = await violations((changes) => {
      const change = first(changes, (c): c is FileOwnerChange => c.kind === 'file-owner');
      return [{ ...change, after: { user: 'mallory', group: 'root', createAccount: true } }];
    });
    expect(found).toEqual([
      expect.stringContaining("after.user: mallory is an owner neither the playbook nor the inventory's parameters name"),
      expect.stringContaining('after.createAccount: only an owner chosen through a parameter is ever created'),
    ]);
  });

  it('a chosen owner (parameter etcdDataDirOwner) may be set and created', async () => {
    const { plan, invariants } = await fixturePlan();
    const change = first(plan.changes, (c): c is FileOwnerChange => c.kind === 'file-owner' && c.node === 'cp-1');
    const etcd = { ...change, target: '/var/lib/etcd', after: { user: 'etcd', group: 'etcd', createAccount: true } };
    const withParameter = {
      ...invariants,
      nodes: new Map([...invariants.nodes].map(([n, v]) => [n, { ...v, parameters: { ...v.parameters, etcdDataDirOwner: 'etcd' } }])),
    };
    expect(planInvariantViolations([etcd], withParameter)).toEqual([]);
    expect(planInvariantViolations([etcd], invariants)).not.toEqual([]);
  });

  it("file targets lie only on paths the benchmark's variables resolve to on that node", async () => {
    const found = await violations((changes) => {
      const mode = first(changes, (c): c is FileModeChange => c.kind === 'file-mode');
      const kubelet = first(changes, (c): c is KubeletFileChange => c.kind === 'kubelet-file');
      const manifest = first(changes, (c): c is ManifestChange => c.kind === 'static-pod-manifest');
      return [
        { ...mode, target: '/etc/passwd' },
        { ...kubelet, target: '/etc/kubernetes/manifests/evil.yaml' },
        { ...manifest, target: '/etc/kubernetes/manifests/evil.yaml' },
      ];
    });
    expect(found).toEqual([
      expect.stringContaining("target: /etc/passwd is not a path the benchmark's variables resolve to"),
      expect.stringContaining('target: /etc/kubernetes/manifests/evil.yaml is not a kubelet file'),
      expect.stringContaining('target: nothing but a manifest is ever written into /etc/kubernetes/manifests'),
      expect.stringContaining('target: /etc/kubernetes/manifests/evil.yaml is not a static-pod manifest'),
    ]);
  });

  it('support files are only created, at most 0600, where the playbooks and parameters say', async () => {
    const found = await violations((changes) => {
      const support = first(changes, (c): c is SupportFileChange => c.kind === 'support-file');
      return [
        { ...support, target: '/etc/cron.d/evil' },
        { ...support, after: { ...support.after, mode: '644' } },
      ];
    });
    expect(found).toEqual([
      expect.stringContaining('target: /etc/cron.d/evil is not a file the playbooks'),
      expect.stringContaining('after.mode: 644 gives more than 0600'),
    ]);
  });

  it('API objects are only those the playbooks name, and never deleted', async () => {
    const found = await violations((changes) => {
      const api = first(changes, (c): c is ApiObjectChange => c.kind === 'api-object' && c.action === 'patch');
      return [
        { ...api, object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespace: undefined, name: 'cluster-admin' } },
        { ...api, action: 'delete', before: { object: {} } } as ApiObjectChange,
      ];
    });
    expect(found).toEqual([
      expect.stringContaining('patch of rbac.authorization.k8s.io/v1 ClusterRole cluster-admin is not an object the playbooks name'),
      expect.stringContaining('action: cis-fix never deletes API objects'),
    ]);
  });

  it('refuses with a UserError listing every violation', async () => {
    const { plan, invariants } = await fixturePlan();
    const change = first(plan.changes, (c): c is FileModeChange => c.kind === 'file-mode');
    expect(() => assertPlanInvariants([{ ...change, after: { mode: '4777' } }], invariants)).toThrow(UserError);
  });

  it('without fresh facts (a plan made in the same process) still holds modes, owners and objects, and leaves paths to the planner', async () => {
    const { plan, invariants } = await fixturePlan();
    const factless = { ...invariants, nodes: new Map([...invariants.nodes].map(([n, v]) => [n, { ...v, facts: undefined }])) };
    expect(planInvariantViolations(plan.changes, factless)).toEqual([]);
    const mode = first(plan.changes, (c): c is FileModeChange => c.kind === 'file-mode');
    expect(planInvariantViolations([{ ...mode, target: '/etc/passwd', after: { mode: '777' } }], factless)).toEqual([
      expect.stringContaining('after.mode: 777 adds permission bits'),
    ]);
  });
});
