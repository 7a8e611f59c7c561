/**
 * ClusterClient, gatherClusterFacts, the section 5 evaluation and the
 * api-object plan against the lab API server (test/lab/node/apiserver/):
 * the `drifted` lab (kube-apiserver with AlwaysAllow, section 5 violations
 * seeded) and a one-node `stock` lab (Node,RBAC: the restricted user is
 * refused).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateCluster } from '../../src/evaluate/cluster/evaluate-cluster.js';
import { gatherClusterFacts } from '../../src/facts/cluster-facts.js';
import { ClusterConflictError, ClusterForbiddenError, ClusterUnreachableError, KubeconfigError } from '../../src/model/cluster-errors.js';
import { loadBenchmark } from '../../src/playbook/load-playbooks.js';
import type { Benchmark } from '../../src/playbook/types.js';
import { planApiObjects } from '../../src/plan/kinds/api-object.js';
import { openClusterClient, type ClusterClient, type KubeObject } from '../../src/transport/cluster-client.js';
import { labDown, labUp, type LabState } from '../lab/lab.js';

const DRIFTED = 'cluster-client';
const STOCK = 'cluster-client-stock';
const T = 60_000;
let lab: LabState;
let stock: LabState;
let admin: ClusterClient;
let benchmark: Benchmark;
let tmp: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'cluster-client-'));
  [lab, stock] = await Promise.all([labUp({ instance: DRIFTED, scenario: 'drifted', recreate: true }), labUp({ instance: STOCK, nodes: 1, recreate: true })]);
  admin = openClusterClient({ kubeconfig: lab.kubeconfigFile, context: undefined });
  benchmark = await loadBenchmark('cis-1.12');
}, 180_000);

afterAll(async () => {
  await labDown(DRIFTED);
  await labDown(STOCK);
  rmSync(tmp, { recursive: true, force: true });
}, 120_000);

const PARAMS = { podSecurityLevels: { '*': 'baseline' }, podSecurityWarnLevel: 'restricted', podSecurityAuditLevel: 'restricted' };

describe('ClusterClient against the lab API server', () => {
  it(
    "reads the version over TLS verified against the cluster CA with the kubeconfig's client certificate",
    async () => {
      expect(admin.server).toBe(`https://${lab.nodes[0]!.ip}:6443`);
      expect(await admin.version()).toMatchObject({ major: '1', minor: '33', gitVersion: 'v1.33.4' });
    },
    T,
  );

  it(
    "gathers every resource, with kube-proxy's configuration and never a Secret's value",
    async () => {
      const facts = await gatherClusterFacts(admin);
      for (const key of [
        'namespaces',
        'serviceAccounts',
        'pods',
        'nodes',
        'clusterRoles',
        'clusterRoleBindings',
        'roles',
        'roleBindings',
        'networkPolicies',
        'kubeProxyConfigMap',
        'kubeProxyDaemonSet',
      ] as const) {
        expect([key, facts[key].ok]).toEqual([key, true]);
      }
      expect(facts.nodes.ok && facts.nodes.items.map((n) => [n.name, n.internalIP, n.kubeletVersion])).toEqual(lab.nodes.map((n) => [n.name, n.ip, 'v1.33.4']));
      expect(facts.kubeProxyConfigMap.ok && facts.kubeProxyConfigMap.items[0]?.configConf).toContain('kind: KubeProxyConfiguration');
      const text = JSON.stringify(facts);
      expect(text).not.toContain(Buffer.from('lab-not-a-secret').toString('base64'));
      // Only config.conf is kept from the ConfigMap; its other keys (kube-proxy's kubeconfig) are dropped.
      expect(facts.kubeProxyConfigMap.ok && Object.keys(facts.kubeProxyConfigMap.items[0] ?? {})).not.toContain('data');
      expect(text).not.toContain('"kubeconfig.conf"');
    },
    T,
  );

  it(
    'evaluates the seeded section 5 violations, naming the objects',
    async () => {
      const ctx = { benchmark: benchmark.id, facts: await gatherClusterFacts(admin), parameters: PARAMS };
      const findings = new Map(evaluateCluster(benchmark.controls, ctx).map((f) => [f.controlId, f]));
      expect(findings.get('5.1.1')?.actual).toMatch(/^ClusterRoleBinding alice-admin binds User alice to cluster-admin; not counted:/);
      expect(findings.get('5.1.2')?.actual).toContain('ClusterRole secret-reader: get, list secrets');
      expect(findings.get('5.1.3')?.actual).toContain('Role apps/apps-wildcard');
      expect(findings.get('5.1.4')?.actual).toContain('Role web/pod-creator: create pods');
      expect(findings.get('5.2.2')?.actual).toMatch(
        /^apps: no pod-security.kubernetes.io\/enforce label; default: .*; web\/privileged-agent: privileged \(container agent\); not counted: /,
      );
      expect(findings.get('5.2.11')?.actual).toContain('web/privileged-agent: hostPath volume host-root (/)');
      expect(findings.get('5.4.1')?.actual).toBe('apps/worker: container worker env DB_PASSWORD from Secret db-credentials');
      expect(findings.get('5.6.4')?.actual).toBe('default/legacy-app: pod');
    },
    T,
  );

  it(
    'dry-runs the planned Pod Security labels: the server warns about the pods it would reject, and stores nothing',
    async () => {
      const ctx = { benchmark: benchmark.id, facts: await gatherClusterFacts(admin), parameters: { ...PARAMS, podSecurityLevels: { '*': 'restricted' } } };
      const plan = planApiObjects(benchmark.controls, ctx, evaluateCluster(benchmark.controls, ctx));
      const web = plan.changes.find((c) => c.target === 'Namespace web');
      if (web?.action !== 'patch') throw new Error('no patch for Namespace web');
      const before = await admin.get(web.object);
      const result = await admin.patch(web.object, web.patch, { dryRun: true, resourceVersion: web.precondition.resourceVersion });
      expect(result.object.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(result.warnings.join('\n')).toContain('privileged-agent');
      expect(await admin.get(web.object)).toEqual(before);
    },
    T,
  );

  it(
    'patches with fieldManager cis-fix under a resourceVersion precondition, refuses a stale one (409) and restores with `before`',
    async () => {
      const ctx = { benchmark: benchmark.id, facts: await gatherClusterFacts(admin), parameters: { ...PARAMS, disableDefaultServiceAccountAutomount: true } };
      const plan = planApiObjects(benchmark.controls, ctx, evaluateCluster(benchmark.controls, ctx));
      const sa = plan.changes.find((c) => c.target === 'ServiceAccount apps/default');
      if (sa?.action !== 'patch') throw new Error('no patch for ServiceAccount apps/default');
      const done = await admin.patch(sa.object, sa.patch, { dryRun: false, resourceVersion: sa.precondition.resourceVersion });
      expect(done.object['automountServiceAccountToken']).toBe(false);
      expect(JSON.stringify(done.object.metadata['managedFields'] ?? [])).toContain('cis-fix');
      await expect(admin.patch(sa.object, sa.patch, { dryRun: false, resourceVersion: sa.precondition.resourceVersion })).rejects.toBeInstanceOf(
        ClusterConflictError,
      );
      const restored = await admin.patch(sa.object, sa.before, { dryRun: false, resourceVersion: done.object.metadata.resourceVersion });
      expect(restored.object['automountServiceAccountToken']).toBeUndefined();
    },
    T,
  );

  it(
    'creates and deletes a NetworkPolicy (dry run first), deleting only at the expected resourceVersion',
    async () => {
      const ctx = { benchmark: benchmark.id, facts: await gatherClusterFacts(admin), parameters: { ...PARAMS, defaultDenyNetworkPolicyNamespaces: ['apps'] } };
      const plan = planApiObjects(benchmark.controls, ctx, evaluateCluster(benchmark.controls, ctx));
      const create = plan.changes.find((c) => c.action === 'create');
      if (create?.action !== 'create') throw new Error('no create planned');
      await admin.create(create.content as unknown as KubeObject, { dryRun: true });
      expect((await gatherClusterFacts(admin)).networkPolicies).toEqual({ ok: true, items: [] });
      const made = await admin.create(create.content as unknown as KubeObject, { dryRun: false });
      await expect(admin.create(create.content as unknown as KubeObject, { dryRun: false })).rejects.toThrow(/already exists/);
      await expect(admin.delete(create.object, { dryRun: false, resourceVersion: '1' })).rejects.toBeInstanceOf(ClusterConflictError);
      await admin.delete(create.object, { dryRun: false, resourceVersion: made.object.metadata.resourceVersion });
      expect((await gatherClusterFacts(admin)).networkPolicies).toEqual({ ok: true, items: [] });
    },
    T,
  );

  it(
    'fixes 4.3.1 in the kube-proxy ConfigMap, rolls the DaemonSet after it, plans nothing more, and rolls back with `before`',
    async () => {
      const cmRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy' };
      const cm = await admin.get(cmRef);
      const original = (cm['data'] as Record<string, string>)['config.conf'] ?? '';
      await admin.patch(
        cmRef,
        { data: { 'config.conf': original.replace('metricsBindAddress: ""', 'metricsBindAddress: 0.0.0.0:10249') } },
        { dryRun: false, resourceVersion: cm.metadata.resourceVersion },
      );

      const ctx = { benchmark: benchmark.id, facts: await gatherClusterFacts(admin), parameters: PARAMS };
      const plan = planApiObjects(benchmark.controls, ctx, evaluateCluster(benchmark.controls, ctx));
      const proxy = plan.changes.filter((c) => c.controlIds.includes('4.3.1'));
      expect(proxy.map((c) => c.target)).toEqual(['ConfigMap kube-system/kube-proxy', 'DaemonSet kube-system/kube-proxy']);
      expect(plan.findings.find((f) => f.controlId === '4.3.1')).toMatchObject({ status: 'fail', fixable: true });
      for (const c of proxy) if (c.action === 'patch') await admin.patch(c.object, c.patch, { dryRun: false, resourceVersion: c.precondition.resourceVersion });

      const after = { ...ctx, facts: await gatherClusterFacts(admin) };
      expect(evaluateCluster(benchmark.controls, after).find((f) => f.controlId === '4.3.1')?.status).toBe('pass');
      expect(
        planApiObjects(benchmark.controls, after, evaluateCluster(benchmark.controls, after)).changes.filter((c) => c.controlIds.includes('4.3.1')),
      ).toEqual([]);
      const ds = await admin.get({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'kube-system', name: 'kube-proxy' });
      expect(JSON.stringify(ds['spec'])).toContain('cis-fix/kube-proxy-config-sha256');

      for (const c of [...proxy].reverse()) {
        if (c.action !== 'patch') continue;
        const now = await admin.get(c.object);
        await admin.patch(c.object, c.before, { dryRun: false, resourceVersion: now.metadata.resourceVersion });
      }
      expect(((await admin.get(cmRef))['data'] as Record<string, string>)['config.conf']).toContain('metricsBindAddress: 0.0.0.0:10249');
    },
    T,
  );

  it(
    'holds a Lease: absent, created, replaced at its resourceVersion, refused when stale',
    async () => {
      expect(await admin.getLease('kube-system', 'cis-fix')).toBeUndefined();
      const lease = await admin.createLease({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'cis-fix', namespace: 'kube-system' },
        spec: { holderIdentity: 'run-1', leaseDurationSeconds: 60 },
      });
      const renewed = await admin.replaceLease({
        ...lease,
        spec: { holderIdentity: 'run-1', leaseDurationSeconds: 60, renewTime: new Date().toISOString().replace('Z', '000Z') },
      });
      expect(renewed.metadata.resourceVersion).not.toBe(lease.metadata.resourceVersion);
      await expect(admin.replaceLease({ ...lease, spec: { holderIdentity: 'run-2' } })).rejects.toBeInstanceOf(ClusterConflictError);
      expect((await admin.getLease('kube-system', 'cis-fix'))?.['spec']).toMatchObject({ holderIdentity: 'run-1' });
    },
    T,
  );

  it(
    'records a 403 per resource for an identity without RBAC bindings, and refuses its writes with the verb and object',
    async () => {
      const restricted = openClusterClient({ kubeconfig: stock.restrictedKubeconfigFile, context: undefined });
      const facts = await gatherClusterFacts(restricted);
      expect(facts.pods).toMatchObject({ ok: false, reason: 'forbidden' });
      expect(facts.clusterRoles).toMatchObject({ ok: false, reason: 'forbidden' });
      const finding = evaluateCluster(benchmark.controls, { benchmark: benchmark.id, facts, parameters: PARAMS }).find((f) => f.controlId === '5.1.1');
      expect(finding).toMatchObject({ status: 'error' });
      expect(finding?.actual).toContain('forbidden');
      const err = await restricted
        .patch({ apiVersion: 'v1', kind: 'Namespace', name: 'default' }, { metadata: { labels: { a: 'b' } } }, { dryRun: true, resourceVersion: undefined })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterForbiddenError);
      expect((err as Error).message).toMatch(/^forbidden: cannot patch Namespace default: /);
    },
    T,
  );

  it(
    'refuses an unknown context and names the server it cannot reach',
    async () => {
      expect(() => openClusterClient({ kubeconfig: lab.kubeconfigFile, context: 'prod' })).toThrow(KubeconfigError);
      expect(() => openClusterClient({ kubeconfig: lab.kubeconfigFile, context: 'prod' })).toThrow(/no context found/);
      const moved = path.join(tmp, 'moved.kubeconfig');
      copyFileSync(lab.kubeconfigFile, moved);
      writeFileSync(moved, readFileSync(moved, 'utf8').replace(':6443', ':6553'));
      const err = await openClusterClient({ kubeconfig: moved, context: undefined })
        .version()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterUnreachableError);
      expect((err as Error).message).toContain(`https://${lab.nodes[0]!.ip}:6553`);
      expect((err as Error).message).not.toMatch(/BEGIN|PRIVATE KEY/);
    },
    T,
  );
});
