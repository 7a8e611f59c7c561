import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { labDown, labUp, nodeExec, type LabState } from '../lab/lab.js';
import { runCli } from './support/cli.js';

// Issue 5 on the drifted lab through the lab API server, with Debian's
// kubectl as the second, independent client: section 5 findings name the
// seeded objects; apply dry-runs, changes exactly those objects under the
// Lease; re-plan is empty; rollback restores every object; stale, 403 and
// a held Lease are refused with nothing changed.
const INSTANCE = 'e2e-cluster';
const KUBECTL = fileURLToPath(new URL('../../.tools/kubectl', import.meta.url));
const run = promisify(execFile);
const SELECTION = ['--targets', 'policies'];
const TOUCHED = [
  ['namespace', 'apps'],
  ['namespace', 'default'],
  ['namespace', 'web'],
  ['serviceaccount', 'default', '-n', 'apps'],
  ['serviceaccount', 'default', '-n', 'default'],
  ['serviceaccount', 'default', '-n', 'web'],
  ['clusterrolebinding', 'alice-admin'],
];
const PARAMETERS = `parameters:
  disableDefaultServiceAccountAutomount: true
  defaultDenyNetworkPolicyNamespaces: [apps]
  removeClusterAdminSubjects: ["User:alice"]
`;

let lab: LabState;
let stateDir: string;
let scratch: string;
let inventory: string;
let restrictedInventory: string;
let before: Map<string, unknown>;

const cli = (...args: string[]) => runCli(args, { CIS_FIX_STATE_DIR: stateDir });
const kubectl = async (...args: string[]) => (await run(KUBECTL, ['--kubeconfig', lab.kubeconfigFile, ...args])).stdout;
const restrictedKubectl = (...args: string[]) => run(KUBECTL, ['--kubeconfig', lab.restrictedKubeconfigFile, ...args]);
/** An object as kubectl shows it, without what the server changes on every write. */
const content = async (args: readonly string[]) => {
  const object = JSON.parse(await kubectl('get', ...args, '-o', 'json')) as { metadata: Record<string, unknown> };
  for (const key of ['resourceVersion', 'managedFields', 'generation']) delete object.metadata[key];
  return object;
};
const snapshot = async () => new Map(await Promise.all(TOUCHED.map(async (t) => [t.join(' '), await content(t)] as const)));

interface PlanJson {
  findings: { controlId: string; node?: string; status: string; fixable: boolean; actual: string }[];
  changes: { kind: string; target: string; action: string; controlIds: string[]; dryRunWarnings?: string[] }[];
  cluster?: { kind: string };
  benchmark: { id: string; chosenBy: string };
}
const plan = async (inv = inventory): Promise<PlanJson> => {
  const result = await cli('plan', '-i', inv, ...SELECTION, '--json');
  if (result.code !== 0) throw new Error(`plan exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as PlanJson;
};

beforeAll(async () => {
  lab = await labUp({ instance: INSTANCE, nodes: 2, scenario: 'drifted', recreate: true });
  stateDir = mkdtempSync(join(tmpdir(), 'cisfix-state-'));
  scratch = mkdtempSync(join(tmpdir(), 'cisfix-cluster-'));
  inventory = join(scratch, 'inventory.yaml');
  writeFileSync(inventory, `${readFileSync(lab.apiInventoryFile, 'utf8')}${PARAMETERS}`);
  restrictedInventory = join(scratch, 'restricted.yaml');
  writeFileSync(restrictedInventory, readFileSync(inventory, 'utf8').replace(lab.kubeconfigFile, lab.restrictedKubeconfigFile));
  // The drifted API server authorizes everyone (AlwaysAllow, 1.2.7); RBAC must apply for the 403 test.
  await nodeExec(lab, 'cp-1', [
    'sed',
    '-i',
    's/--authorization-mode=AlwaysAllow/--authorization-mode=Node,RBAC/',
    '/etc/kubernetes/manifests/kube-apiserver.yaml',
  ]);
  for (let i = 0; i < 100; i += 1) {
    const probe = await restrictedKubectl('get', 'namespaces').then(
      () => 'allowed',
      (e: { stderr?: string }) => e.stderr ?? '',
    );
    if (probe.includes('forbidden')) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  before = await snapshot();
}, 180_000);

afterAll(async () => {
  await labDown(INSTANCE);
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe('the cluster side (section 5) against the lab API server', () => {
  it('names exactly the seeded objects that fail, and chooses the benchmark from /version', async () => {
    const { findings, changes, benchmark, cluster } = await plan();
    expect(cluster?.kind).toBe('connected');
    expect(benchmark.chosenBy).toMatch(/API server's \/version v1\.33\.4 maps to cis-1\.12/);
    const actual = (id: string) => findings.find((f) => f.controlId === id)!.actual;
    expect(actual('5.1.1')).toMatch(/^ClusterRoleBinding alice-admin binds User alice to cluster-admin;/);
    expect(actual('5.1.2')).toContain('ClusterRole secret-reader: get, list secrets');
    expect(actual('5.1.3')).toContain('Role apps/apps-wildcard');
    expect(actual('5.1.4')).toContain('Role web/pod-creator: create pods');
    expect(actual('5.4.1')).toBe('apps/worker: container worker env DB_PASSWORD from Secret db-credentials');
    expect(actual('5.6.4')).toBe('default/legacy-app: pod');
    expect(actual('5.3.2')).toMatch(/^apps: no NetworkPolicy; default: no NetworkPolicy; web: no NetworkPolicy;/);
    expect(changes.map((c) => [c.action, c.target]).sort()).toEqual(
      [
        ['patch', 'Namespace apps'],
        ['patch', 'Namespace default'],
        ['patch', 'Namespace web'],
        ['patch', 'ServiceAccount apps/default'],
        ['patch', 'ServiceAccount default/default'],
        ['patch', 'ServiceAccount web/default'],
        ['create', 'NetworkPolicy apps/cis-fix-default-deny'],
        ['patch', 'ClusterRoleBinding alice-admin'],
      ].sort(),
    );
    // The server-side dry run's Pod Security warnings name the pod baseline would reject.
    expect(changes.find((c) => c.target === 'Namespace web')!.dryRunWarnings!.join('\n')).toMatch(/privileged-agent: .*privileged/);
    // kube-system is never touched unless asked.
    expect(changes.some((c) => c.target.includes('kube-system'))).toBe(false);
  });

  it('refuses a plan whose object changed meanwhile (stale), changing nothing', async () => {
    const planFile = join(scratch, 'plan.json');
    expect((await cli('plan', '-i', inventory, ...SELECTION, '-o', planFile)).code).toBe(0);
    await kubectl('annotate', 'namespace', 'apps', 'team=payments');
    const result = await cli('apply', planFile, '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/stale[\s\S]*Namespace apps \(resourceVersion/);
    await kubectl('annotate', 'namespace', 'apps', 'team-');
    before = await snapshot();
    expect(before.get('namespace web')).toEqual(await content(['namespace', 'web']));
    expect(JSON.stringify(before.get('namespace web'))).not.toContain('pod-security');
  });

  it('reports a 403 for the one object the identity may not change, and changes nothing else', async () => {
    // lab-restricted may read everything, hold the Lease, and patch namespaces apps and default only.
    writeFileSync(
      join(scratch, 'rbac.yaml'),
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: cisfix-partial }
rules:
  - { apiGroups: ["*"], resources: ["*"], verbs: [get, list] }
  - { apiGroups: [""], resources: [namespaces], resourceNames: [apps, default], verbs: [patch] }
  - { apiGroups: [""], resources: [serviceaccounts], verbs: [patch] }
  - { apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [create] }
  - { apiGroups: [rbac.authorization.k8s.io], resources: [clusterrolebindings], verbs: [patch, delete] }
  - { apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, create, update, delete] }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: cisfix-partial }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cisfix-partial }
subjects: [{ kind: User, name: lab-restricted, apiGroup: rbac.authorization.k8s.io }]
`,
    );
    await kubectl('apply', '-f', join(scratch, 'rbac.yaml'));
    const result = await cli('apply', '-i', restrictedInventory, ...SELECTION, '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Namespace web: forbidden/);
    expect(result.stderr).not.toMatch(/Namespace apps: forbidden/);
    expect(await snapshot()).toEqual(before);
    await kubectl('delete', '-f', join(scratch, 'rbac.yaml'));
  });

  it('refuses to run beside another apply that holds the Lease, naming it', async () => {
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    writeFileSync(
      join(scratch, 'lease.yaml'),
      `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: { name: cis-fix, namespace: kube-system }
spec: { holderIdentity: "run 20260101T000000Z-abcdef by alice@ops-box pid 42", leaseDurationSeconds: 60, renewTime: "${now}" }
`,
    );
    await kubectl('apply', '-f', join(scratch, 'lease.yaml'));
    const result = await cli('apply', '-i', inventory, ...SELECTION, '--yes');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run 20260101T000000Z-abcdef by alice@ops-box pid 42');
    expect(await snapshot()).toEqual(before);
    // That run died 10 minutes ago: its Lease expired, and the next apply takes it over.
    const stale = new Date(Date.now() - 600_000).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    writeFileSync(join(scratch, 'lease.yaml'), readFileSync(join(scratch, 'lease.yaml'), 'utf8').replace(now, stale));
    await kubectl('apply', '-f', join(scratch, 'lease.yaml'));
  });

  it('takes over the expired Lease and applies exactly the planned objects, dry run first; the re-plan is empty', async () => {
    const result = await cli('apply', '-i', inventory, ...SELECTION, '--yes');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.indexOf('dry run Namespace web')).toBeGreaterThan(-1);
    expect(result.stdout.indexOf('dry run Namespace web')).toBeLessThan(result.stdout.indexOf('applied Namespace'));
    const labels = JSON.parse(await kubectl('get', 'namespace', 'web', '-o', 'json')).metadata.labels as Record<string, string>;
    expect(labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(JSON.parse(await kubectl('get', 'serviceaccount', 'default', '-n', 'apps', '-o', 'json')).automountServiceAccountToken).toBe(false);
    expect(await kubectl('get', 'networkpolicy', '-n', 'apps', '-o', 'name')).toBe('networkpolicy.networking.k8s.io/cis-fix-default-deny\n');
    expect(await kubectl('get', 'clusterrolebinding', 'alice-admin', '-o', 'json').catch(() => '{}')).not.toContain('"alice"');
    // kube-system untouched; no Lease left behind.
    expect(JSON.stringify(JSON.parse(await kubectl('get', 'namespace', 'kube-system', '-o', 'json')).metadata.labels)).not.toContain('pod-security');
    expect(await kubectl('get', 'lease', '-n', 'kube-system', '-o', 'name')).not.toContain('lease.coordination.k8s.io/cis-fix');
    const again = await plan();
    expect(again.changes).toEqual([]);
  });

  it('rolls back every object to its content before the apply', async () => {
    const result = await cli('rollback', '--last', '--yes');
    expect(result.code).toBe(0);
    expect(await snapshot()).toEqual(before);
    expect(await kubectl('get', 'networkpolicy', '-n', 'apps', '-o', 'name')).toBe('');
  });

  it('without a kubeconfig, plans the nodes and says which controls were not evaluated and why', async () => {
    const { findings, cluster } = await plan(lab.inventoryFile);
    expect(cluster).toMatchObject({ kind: 'none' });
    const policies = findings.filter((f) => f.controlId.startsWith('5.'));
    expect(policies.length).toBeGreaterThan(10);
    expect(policies.every((f) => f.status === 'manual' && /not evaluated: the inventory names no cluster\.kubeconfig/.test(f.actual))).toBe(true);
  });
});
