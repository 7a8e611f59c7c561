import { evaluateCluster } from '../../../../src/evaluate/cluster/evaluate-cluster.js';
import { POD_SECURITY_CONTROLS } from '../../../../src/evaluate/cluster/pod-security-controls.js';
import type { Finding } from '../../../../src/model/finding.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import type { Benchmark } from '../../../../src/playbook/types.js';
import { clusterRoleBinding, contextOf, DEFAULT_PARAMETERS, kubeadmCluster, namespace, serviceAccount, type RawCluster } from './cluster-fixtures.js';

let cis112: Benchmark;
let cis111: Benchmark;
beforeAll(async () => {
  cis112 = await loadBenchmark('cis-1.12');
  cis111 = await loadBenchmark('cis-1.11');
});

function findings(raw: RawCluster, parameters = DEFAULT_PARAMETERS, benchmark = cis112): Map<string, Finding> {
  return new Map(evaluateCluster(benchmark.controls, contextOf(raw, parameters, benchmark.id)).map((f) => [f.controlId, f]));
}
function finding(raw: RawCluster, id: string, parameters = DEFAULT_PARAMETERS, benchmark = cis112): Finding {
  const f = findings(raw, parameters, benchmark).get(id);
  if (!f) throw new Error(`no finding for ${id}`);
  return f;
}

describe('evaluateCluster', () => {
  it('evaluates every section 5 control and 4.3.1 once for the cluster, with node undefined', () => {
    const all = findings(kubeadmCluster());
    const expected = cis112.controls.filter((c) => c.scope === 'cluster' || c.id === '4.3.1').map((c) => c.id);
    expect([...all.keys()]).toEqual(expected);
    for (const f of all.values()) expect(f.node).toBeUndefined();
  });

  it('5.1.1 fails only for non-kubeadm subjects bound to cluster-admin and says why the kubeadm ones are not counted', () => {
    const f = finding(kubeadmCluster(), '5.1.1');
    expect(f.status).toBe('fail');
    expect(f.actual).toContain('ClusterRoleBinding alice-admin binds User alice to cluster-admin');
    expect(f.actual).toContain('ClusterRoleBinding alice-admin binds User bob to cluster-admin');
    expect(f.actual).toMatch(/not counted: .*system:masters.*5\.1\.7.*kubeadm:cluster-admins to cluster-admin \(kubeadm's admin.conf identity\)/);
    expect(f.actual.split('; not counted')[0]).not.toContain('system:masters');
  });

  it('5.1.1 passes on a stock kubeadm cluster', () => {
    const raw = kubeadmCluster();
    raw.clusterRoleBindings = raw.clusterRoleBindings.filter((b) => b.metadata.name !== 'alice-admin');
    expect(finding(raw, '5.1.1').status).toBe('pass');
  });

  it('5.1.2 names ordinary roles that read secrets, and bindings giving built-in or aggregated ones to people', () => {
    const f = finding(kubeadmCluster(), '5.1.2');
    expect(f.status).toBe('fail');
    const [failing, exempt] = f.actual.split('; not counted: ');
    expect(failing).toContain('ClusterRole secret-reader: get, list secrets');
    expect(failing).toContain('RoleBinding web/ci-admin gives ServiceAccount web/ci ClusterRole admin (get, list, watch secrets)');
    expect(exempt).toContain('ClusterRole admin: get, list, watch secrets (built-in, reconciled by the API server');
    // cluster-admin reaches secrets through "*"; its holder alice is counted via the binding.
    expect(failing).toContain('ClusterRoleBinding alice-admin gives User alice ClusterRole cluster-admin');
  });

  it('5.1.3 counts wildcards in ordinary roles but not in the built-in cluster-admin role', () => {
    const raw = kubeadmCluster();
    raw.clusterRoleBindings = raw.clusterRoleBindings.filter((b) => b.metadata.name !== 'alice-admin');
    const f = finding(raw, '5.1.3');
    expect(f.status).toBe('fail');
    expect(f.actual.split('; not counted')[0]).toBe('Role web/deployer: "*" in verbs and resources');
    expect(f.actual).toContain('ClusterRole cluster-admin: "*" in verbs and resources; "*" in verbs (built-in');
  });

  it('5.1.4 ignores the system controllers that create pods', () => {
    const raw = kubeadmCluster();
    raw.clusterRoleBindings = raw.clusterRoleBindings.filter((b) => b.metadata.name !== 'alice-admin');
    raw.roleBindings = [];
    raw.roles = [];
    const f = finding(raw, '5.1.4');
    expect(f.status).toBe('pass');
    expect(f.actual).toContain('system:controller:replicaset-controller: create pods (built-in');
  });

  it('5.1.5 fails for default ServiceAccounts without the field (it counts as true), reporting system namespaces without counting them', () => {
    const raw = kubeadmCluster();
    raw.serviceAccounts = raw.serviceAccounts.map((sa) =>
      sa.metadata.namespace === 'default' && sa.metadata.name === 'default' ? serviceAccount('default', 'default', false) : sa,
    );
    const f = finding(raw, '5.1.5');
    expect(f.status).toBe('fail');
    expect(f.actual.split('; not counted')[0]).toBe('web/default: automountServiceAccountToken not set (true)');
    expect(f.actual).toContain('kube-system/default: automountServiceAccountToken not set (true) (system namespace)');
    expect(f.notFixableReason).toBeDefined();
  });

  it('5.1.5 counts a system namespace the user includes', () => {
    const f = finding(kubeadmCluster(), '5.1.5', { ...DEFAULT_PARAMETERS, includeSystemNamespaces: ['kube-system'] });
    expect(f.actual.split('; not counted')[0]).toContain('kube-system/default');
  });

  it('5.1.6 names pods that mount the default ServiceAccount token, not those that opt out or are mirror pods', () => {
    const f = finding(kubeadmCluster(), '5.1.6');
    expect(f.actual.split('; not counted')[0]).toBe(
      "web/priv-pod: mounts the default ServiceAccount's token; default/nginx: mounts the default ServiceAccount's token",
    );
    expect(f.actual).not.toContain('etcd-cp-1');
    expect(f.actual).not.toContain('api-5d8f');
  });

  it('5.1.6 follows the ServiceAccount when the pod leaves automount unset', () => {
    const raw = kubeadmCluster();
    raw.serviceAccounts = raw.serviceAccounts.map((sa) =>
      sa.metadata.name === 'default' ? serviceAccount(sa.metadata.namespace ?? '', 'default', false) : sa,
    );
    expect(finding(raw, '5.1.6').status).toBe('pass');
  });

  it('5.2.1 names the namespaces without an enforce label; system ones are reported only', () => {
    const f = finding(kubeadmCluster(), '5.2.1');
    expect(f.actual.split('; not counted')[0]).toBe('default: no pod-security.kubernetes.io/enforce label; web: no pod-security.kubernetes.io/enforce label');
    expect(f.actual).toContain('kube-system: no pod-security.kubernetes.io/enforce label (system namespace)');
  });

  it('5.2.2 names the privileged pod with its container, and kube-proxy only as a system pod', () => {
    const raw = kubeadmCluster();
    raw.namespaces = raw.namespaces.map((n) =>
      ['default', 'web'].includes(n.metadata.name) ? namespace(n.metadata.name, { 'pod-security.kubernetes.io/enforce': 'baseline' }) : n,
    );
    const f = finding(raw, '5.2.2');
    expect(f.status).toBe('fail');
    expect(f.actual.split('; not counted')[0]).toBe('web/priv-pod: privileged (container app)');
    expect(f.actual).toContain('kube-system/kube-proxy-7xk2p: privileged (container kube-proxy) (system namespace)');
  });

  it('5.2.6 (restricted) keeps failing a namespace that enforces only baseline, saying restricted is needed', () => {
    const raw = kubeadmCluster();
    raw.namespaces = raw.namespaces.map((n) => (n.metadata.name === 'web' ? namespace('web', { 'pod-security.kubernetes.io/enforce': 'baseline' }) : n));
    const f = finding(raw, '5.2.6');
    expect(f.actual).toContain('web: enforces baseline (restricted needed)');
    expect(f.actual).toContain('web/priv-pod: allowPrivilegeEscalation not set to false (container app)');
  });

  it('maps the 5.2 controls of both benchmarks to Pod Security rules, by title', () => {
    for (const benchmark of [cis112, cis111]) {
      const ids = benchmark.controls.filter((c) => c.section === '5.2').map((c) => c.id);
      expect(Object.keys(POD_SECURITY_CONTROLS[benchmark.id]).sort()).toEqual([...ids].sort());
      const byTitle = (word: RegExp) => benchmark.controls.find((c) => word.test(c.title))?.id ?? '';
      expect(POD_SECURITY_CONTROLS[benchmark.id][byTitle(/HostPath/)]).toEqual(['hostPath']);
      expect(POD_SECURITY_CONTROLS[benchmark.id][byTitle(/HostPorts/)]).toEqual(['hostPorts']);
      expect(POD_SECURITY_CONTROLS[benchmark.id][byTitle(/HostProcess/)]).toEqual(['hostProcess']);
    }
    expect(finding(kubeadmCluster(), '5.2.13', DEFAULT_PARAMETERS, cis111).expected).toContain('hostPorts');
  });

  it('5.3.2 names namespaces without a NetworkPolicy', () => {
    const f = finding(kubeadmCluster(), '5.3.2');
    expect(f.actual.split('; not counted')[0]).toBe('default: no NetworkPolicy; web: no NetworkPolicy');
  });

  it('5.4.1 names the pod, container, variable and Secret, never a value', () => {
    const f = finding(kubeadmCluster(), '5.4.1');
    expect(f.actual).toBe('default/nginx: container nginx env DB_PASSWORD from Secret db');
  });

  it('5.6.4 names the pods in the default namespace', () => {
    expect(finding(kubeadmCluster(), '5.6.4').actual).toBe('default/nginx: pod');
  });

  it('4.3.1 reads metricsBindAddress from the kube-proxy ConfigMap', () => {
    const f = finding(kubeadmCluster(), '4.3.1');
    expect(f.status).toBe('fail');
    expect(f.actual).toBe('ConfigMap kube-system/kube-proxy config.conf: metricsBindAddress: "0.0.0.0:10249"');
  });

  it("4.3.1 passes with kubeadm's empty default", () => {
    const raw = kubeadmCluster();
    const cm = raw.kubeProxyConfigMap[0] as unknown as { data: Record<string, string> };
    cm.data['config.conf'] = (cm.data['config.conf'] ?? '').replace('metricsBindAddress: 0.0.0.0:10249', 'metricsBindAddress: ""');
    expect(finding(raw, '4.3.1').status).toBe('pass');
  });

  it('reports a control whose resources are forbidden as not evaluated, naming the resource', () => {
    const ctx = contextOf(kubeadmCluster(), DEFAULT_PARAMETERS);
    const facts = { ...ctx.facts, clusterRoleBindings: { ok: false as const, reason: 'forbidden' as const, message: 'forbidden' } };
    const all = new Map(evaluateCluster(cis112.controls, { ...ctx, facts }).map((f) => [f.controlId, f]));
    expect(all.get('5.1.1')).toMatchObject({ status: 'error', actual: 'not evaluated: clusterRoleBindings: forbidden' });
    expect(all.get('5.1.5')?.status).toBe('fail');
  });

  it('leaves controls with nothing to read in the API to a human', () => {
    expect(finding(kubeadmCluster(), '5.1.7')).toMatchObject({ status: 'manual', fixable: false });
  });

  it('counts a RoleBinding to cluster-admin in a user namespace', () => {
    const raw = kubeadmCluster();
    raw.clusterRoleBindings = raw.clusterRoleBindings.filter((b) => b.metadata.name !== 'alice-admin');
    raw.clusterRoleBindings.push(clusterRoleBinding('ops', 'cluster-admin', [{ kind: 'ServiceAccount', name: 'argo', namespace: 'argocd' }]));
    expect(finding(raw, '5.1.1').actual.split('; not counted')[0]).toBe('ClusterRoleBinding ops binds ServiceAccount argocd/argo to cluster-admin');
  });
});
