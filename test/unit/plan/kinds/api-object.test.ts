import { createHash } from 'node:crypto';
import { evaluateCluster } from '../../../../src/evaluate/cluster/evaluate-cluster.js';
import type { ApiObjectChange, ApiObjectPatch } from '../../../../src/model/api-object-change.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import type { Benchmark, ParameterValue } from '../../../../src/playbook/types.js';
import { planApiObjects } from '../../../../src/plan/kinds/api-object.js';
import { ROLLOUT_ANNOTATION } from '../../../../src/plan/kinds/api-object/kube-proxy-change.js';
import { applyMergePatch } from '../../../../src/plan/api-object/merge-patch.js';
import { simulateChanges } from '../../../../src/plan/kinds/api-object/simulate-changes.js';
import { contextOf, DEFAULT_PARAMETERS, kubeadmCluster, namespace, type RawCluster } from '../../evaluate/cluster/cluster-fixtures.js';

let cis112: Benchmark;
beforeAll(async () => {
  cis112 = await loadBenchmark('cis-1.12');
});

function plan(raw: RawCluster, parameters: Record<string, ParameterValue> = DEFAULT_PARAMETERS) {
  const ctx = contextOf(raw, parameters);
  const result = planApiObjects(cis112.controls, ctx, evaluateCluster(cis112.controls, ctx));
  return {
    ...result,
    ctx,
    finding: (id: string) => result.findings.find((f) => f.controlId === id),
    change: (target: string) => result.changes.find((c) => c.target === target),
  };
}

function asPatch(change: ApiObjectChange | undefined): ApiObjectPatch {
  if (change?.action !== 'patch') throw new Error(`expected a patch, got ${change?.action}`);
  return change;
}

describe('planApiObjects: Pod Security labels', () => {
  it('enforces baseline and warns/audits restricted in every non-system namespace by default, one change per namespace for all 5.2 controls', () => {
    const p = plan(kubeadmCluster());
    const targets = p.changes.filter((c) => c.object.kind === 'Namespace').map((c) => c.target);
    expect(targets).toEqual(['Namespace default', 'Namespace web']);
    const web = asPatch(p.change('Namespace web'));
    expect(web.patch).toEqual({
      metadata: {
        labels: {
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
    expect(web.before).toEqual({
      metadata: { labels: { 'pod-security.kubernetes.io/enforce': null, 'pod-security.kubernetes.io/warn': null, 'pod-security.kubernetes.io/audit': null } },
    });
    expect(web.precondition.resourceVersion).toBe(p.ctx.facts.namespaces.ok ? p.ctx.facts.namespaces.items.find((n) => n.name === 'web')?.resourceVersion : '');
    expect(web.controlIds).toEqual(cis112.controls.filter((c) => c.section === '5.2').map((c) => c.id));
    expect(web.diff).toContain(
      '-metadata.labels.pod-security.kubernetes.io/enforce: (absent)\n+metadata.labels.pod-security.kubernetes.io/enforce: "baseline"',
    );
    expect(web.node).toBeUndefined();
  });

  it('lists the running pods the enforced level would reject on re-creation', () => {
    const web = plan(kubeadmCluster()).change('Namespace web');
    expect(web?.notes).toEqual(['would reject web/priv-pod on re-creation: privileged (container app)']);
  });

  it('makes 5.2.1 fixable, keeps 5.2.2 failing because of the running privileged pod, and 5.2.6 because baseline is not restricted', () => {
    const p = plan(kubeadmCluster());
    expect(p.finding('5.2.1')).toMatchObject({ status: 'fail', fixable: true });
    expect(p.finding('5.2.1')?.notFixableReason).toBeUndefined();
    expect(p.finding('5.2.2')?.fixable).toBe(false);
    expect(p.finding('5.2.2')?.notFixableReason).toBe('after this plan still failing: web/priv-pod: privileged (container app)');
    expect(p.finding('5.2.6')?.notFixableReason).toContain('web: enforces baseline (restricted needed)');
  });

  it('makes a restricted control fixable when the parameter gives restricted and no pod breaks it', () => {
    const raw = kubeadmCluster();
    raw.pods = raw.pods.filter((x) => x.metadata.namespace !== 'web' && x.metadata.namespace !== 'default');
    const p = plan(raw, { ...DEFAULT_PARAMETERS, podSecurityLevels: { '*': 'restricted' } });
    expect(p.finding('5.2.6')).toMatchObject({ fixable: true });
    expect(asPatch(p.change('Namespace web')).patch).toEqual({
      metadata: {
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });
  });

  it('never lowers a level a namespace already has', () => {
    const raw = kubeadmCluster();
    raw.namespaces = raw.namespaces.map((n) =>
      n.metadata.name === 'web' ? namespace('web', { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' }) : n,
    );
    const web = asPatch(plan(raw).change('Namespace web'));
    expect(web.patch).toEqual({ metadata: { labels: { 'pod-security.kubernetes.io/audit': 'restricted' } } });
  });

  it('changes kube-system only when podSecurityLevels names it', () => {
    expect(plan(kubeadmCluster()).change('Namespace kube-system')).toBeUndefined();
    const p = plan(kubeadmCluster(), { ...DEFAULT_PARAMETERS, podSecurityLevels: { '*': 'baseline', 'kube-system': 'privileged' } });
    expect(asPatch(p.change('Namespace kube-system')).patch).toMatchObject({ metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } });
    expect(p.change('Namespace kube-public')).toBeUndefined();
  });

  it('plans nothing for Pod Security when podSecurityLevels has no value, and names the parameter', () => {
    const { podSecurityLevels: _unused, ...rest } = DEFAULT_PARAMETERS;
    const p = plan(kubeadmCluster(), rest);
    expect(p.changes.filter((c) => c.object.kind === 'Namespace')).toEqual([]);
    expect(p.finding('5.2.1')).toMatchObject({ fixable: false, decisionParameter: 'podSecurityLevels' });
  });
});

describe('planApiObjects: default ServiceAccounts (5.1.5)', () => {
  it('needs the opt-in parameter and names it', () => {
    const p = plan(kubeadmCluster());
    expect(p.changes.some((c) => c.object.kind === 'ServiceAccount')).toBe(false);
    expect(p.finding('5.1.5')).toMatchObject({ fixable: false, decisionParameter: 'disableDefaultServiceAccountAutomount' });
  });

  it('patches the default ServiceAccounts outside the system namespaces and then passes', () => {
    const p = plan(kubeadmCluster(), { ...DEFAULT_PARAMETERS, disableDefaultServiceAccountAutomount: true });
    const sas = p.changes.filter((c) => c.object.kind === 'ServiceAccount').map((c) => asPatch(c));
    expect(sas.map((c) => c.target)).toEqual(['ServiceAccount default/default', 'ServiceAccount web/default']);
    expect(sas[0]?.patch).toEqual({ automountServiceAccountToken: false });
    expect(sas[0]?.before).toEqual({ automountServiceAccountToken: null });
    expect(p.finding('5.1.5')).toMatchObject({ fixable: true });
  });

  it('says declined when the parameter is false', () => {
    expect(plan(kubeadmCluster(), { ...DEFAULT_PARAMETERS, disableDefaultServiceAccountAutomount: false }).finding('5.1.5')?.notFixableReason).toContain(
      'declined',
    );
  });
});

describe('planApiObjects: cluster-admin subjects (5.1.1) and default-deny (5.3.2)', () => {
  it('removes only the listed subject and keeps the control failing for the other', () => {
    const p = plan(kubeadmCluster(), { ...DEFAULT_PARAMETERS, removeClusterAdminSubjects: ['User:alice'] });
    const change = asPatch(p.change('ClusterRoleBinding alice-admin'));
    expect(change.patch).toEqual({ subjects: [{ kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' }] });
    expect((change.before['subjects'] as unknown[]).length).toBe(2);
    expect(p.finding('5.1.1')?.fixable).toBe(false);
    expect(p.finding('5.1.1')?.notFixableReason).toContain('still failing: ClusterRoleBinding alice-admin binds User bob');
  });

  it("is fixable when every counted subject is listed, and refuses kubeadm's groups", () => {
    const p = plan(kubeadmCluster(), { ...DEFAULT_PARAMETERS, removeClusterAdminSubjects: ['User:alice', 'User:bob', 'Group:system:masters'] });
    expect(asPatch(p.change('ClusterRoleBinding alice-admin')).patch).toEqual({ subjects: [] });
    expect(p.changes.some((c) => c.target === 'ClusterRoleBinding cluster-admin')).toBe(false);
    expect(p.finding('5.1.1')?.fixable).toBe(false);
    expect(p.finding('5.1.1')?.notFixableReason).toContain("system:masters is how kubeadm's administrators get in");
  });

  it('creates a default-deny-ingress policy in the listed namespaces only', () => {
    const p = plan(kubeadmCluster(), { ...DEFAULT_PARAMETERS, defaultDenyNetworkPolicyNamespaces: ['web'] });
    const create = p.change('NetworkPolicy web/cis-fix-default-deny');
    expect(create).toMatchObject({ action: 'create', precondition: { absent: true } });
    expect(create?.action === 'create' ? create.content : undefined).toMatchObject({ spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    expect(p.finding('5.3.2')?.fixable).toBe(false);
    expect(plan(kubeadmCluster(), { ...DEFAULT_PARAMETERS, defaultDenyNetworkPolicyNamespaces: ['web', 'default'] }).finding('5.3.2')?.fixable).toBe(true);
  });
});

describe('planApiObjects: kube-proxy (4.3.1)', () => {
  it('edits config.conf keeping every other line, then rolls the DaemonSet after it', () => {
    const p = plan(kubeadmCluster());
    const cm = asPatch(p.change('ConfigMap kube-system/kube-proxy'));
    const ds = asPatch(p.change('DaemonSet kube-system/kube-proxy'));
    const text = (cm.patch['data'] as Record<string, string>)['config.conf'] ?? '';
    expect(text).toContain("# metrics for the node's Prometheus\nmetricsBindAddress: 127.0.0.1:10249\n");
    expect(text.replace('127.0.0.1:10249', '0.0.0.0:10249')).toBe((cm.before['data'] as Record<string, string>)['config.conf']);
    expect(cm.diff).toContain('-metricsBindAddress: 0.0.0.0:10249\n+metricsBindAddress: 127.0.0.1:10249');
    expect(ds.after).toEqual([cm.id]);
    expect(ds.patch).toEqual({ spec: { template: { metadata: { annotations: { [ROLLOUT_ANNOTATION]: createHash('sha256').update(text).digest('hex') } } } } });
    expect(ds.before).toEqual({ spec: { template: { metadata: { annotations: { [ROLLOUT_ANNOTATION]: null } } } } });
    expect(p.finding('4.3.1')).toMatchObject({ fixable: true });
  });

  it('refuses when kube-proxy takes the flag on its command line, which wins over the ConfigMap', () => {
    const raw = kubeadmCluster();
    const ds = raw.kubeProxyDaemonSet[0] as unknown as { spec: { template: { spec: { containers: { command: string[] }[] } } } };
    ds.spec.template.spec.containers[0]?.command.push('--metrics-bind-address=0.0.0.0:10249');
    const p = plan(raw);
    expect(p.changes.some((c) => c.object.kind === 'ConfigMap')).toBe(false);
    expect(p.finding('4.3.1')?.notFixableReason).toContain('remove the flag from the DaemonSet');
  });
});

describe('planApiObjects: idempotence and rollback data', () => {
  it('plans nothing more once its changes are in place', () => {
    const params = {
      ...DEFAULT_PARAMETERS,
      disableDefaultServiceAccountAutomount: true,
      removeClusterAdminSubjects: ['User:alice', 'User:bob'],
      defaultDenyNetworkPolicyNamespaces: ['web', 'default'],
    };
    const ctx = contextOf(kubeadmCluster(), params);
    const first = planApiObjects(cis112.controls, ctx, evaluateCluster(cis112.controls, ctx));
    const afterCtx = { ...ctx, facts: simulateChanges(ctx.facts, first.changes) };
    const second = planApiObjects(cis112.controls, afterCtx, evaluateCluster(cis112.controls, afterCtx));
    expect(first.changes.length).toBeGreaterThan(5);
    expect(second.changes).toEqual([]);
  });

  it('gives back the touched fields exactly when `before` is applied after `patch`', () => {
    const p = plan(kubeadmCluster(), { ...DEFAULT_PARAMETERS, disableDefaultServiceAccountAutomount: true });
    for (const change of p.changes) {
      if (change.action !== 'patch') continue;
      const original = applyMergePatch({}, change.before);
      const restored = applyMergePatch(applyMergePatch(original, change.patch), change.before);
      expect(restored).toEqual(original);
    }
  });
});
