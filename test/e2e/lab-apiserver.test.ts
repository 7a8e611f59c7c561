/**
 * The lab API server (test/lab/node/apiserver/) against a client nobody here
 * wrote: Debian's kubectl 1.20 (`.tools/kubectl`, extracted by
 * scripts/setup.sh). One `drifted` lab (its kube-apiserver runs with
 * --authorization-mode=AlwaysAllow until a test restores Node,RBAC) and a
 * one-node `stock` lab (Node,RBAC from the start).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { labDown, labStatus, labUp, nodeExec, type LabState } from '../lab/lab.js';

const KUBECTL = path.resolve('.tools/kubectl');
const DRIFTED = 'e2e-api';
const STOCK = 'e2e-api-stock';
const T = 60_000;
let lab: LabState;
let stock: LabState;
let tmp: string;

interface Run {
  stdout: string;
  stderr: string;
  code: number;
}

function kubectl(kubeconfig: string, args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 255) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

const admin = (...args: string[]) => kubectl(lab.kubeconfigFile, args);
const restricted = (...args: string[]) => kubectl(lab.restrictedKubeconfigFile, args);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function json<T = any>(run: Promise<Run>): Promise<T> {
  const r = await run;
  if (r.code !== 0) throw new Error(`kubectl failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, text);
  return p;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A raw HTTPS request to the lab API server (no client certificate unless given). */
function raw(state: LabState, urlPath: string, cert?: { cert: string; key: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: state.nodes[0]!.ip, port: 6443, path: urlPath, rejectUnauthorized: false, ...(cert ?? {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  if (!existsSync(KUBECTL)) throw new Error(`${KUBECTL} is missing: run scripts/setup.sh`);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-apiserver-'));
  lab = await labUp({ instance: DRIFTED, nodes: 3, scenario: 'drifted', recreate: true });
  stock = await labUp({ instance: STOCK, nodes: 1, recreate: true });
}, 180_000);

afterAll(async () => {
  await labDown(DRIFTED);
  await labDown(STOCK);
  rmSync(tmp, { recursive: true, force: true });
}, 120_000);

describe('the lab API server, through Debian kubectl 1.20', () => {
  it('records the kubeconfigs in the lab state', () => {
    expect(lab.kubeconfigFile).toBe(path.join(lab.dir, 'admin.kubeconfig'));
    expect(lab.restrictedKubeconfigFile).toBe(path.join(lab.dir, 'restricted.kubeconfig'));
    expect(readFileSync(lab.kubeconfigFile, 'utf8')).toContain(`server: https://${lab.nodes[0]!.ip}:6443`);
  });

  it(
    'kubectl version shows the server as v1.33.4 (TLS verified against the cluster CA)',
    async () => {
      const r = await admin('version');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Server Version: version\.Info\{Major:"1", Minor:"33", GitVersion:"v1\.33\.4"/);
    },
    T,
  );

  it(
    'get nodes -o wide: every lab node with its IP, role and kubelet version',
    async () => {
      const r = await admin('get', 'nodes', '-o', 'wide', '--no-headers');
      expect(r.code).toBe(0);
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/));
      expect(rows.map((c) => [c[0], c[1], c[2], c[4], c[5]])).toEqual(
        lab.nodes.map((n) => [n.name, 'Ready', n.roles.includes('control-plane') ? 'control-plane' : '<none>', 'v1.33.4', n.ip]),
      );
      const cp = await json(admin('get', 'node', 'cp-1', '-o', 'json'));
      expect(cp.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'cp-1', 'node-role.kubernetes.io/control-plane': '' });
      expect(cp.status.addresses).toEqual([
        { type: 'InternalIP', address: lab.nodes[0]!.ip },
        { type: 'Hostname', address: 'cp-1' },
      ]);
    },
    T,
  );

  it(
    'get pods -A: mirror pods of the static pods, owned by their Node, with the manifest as spec',
    async () => {
      const r = await admin('get', 'pods', '-A', '--no-headers');
      const names = r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/).slice(0, 2).join('/'));
      for (const p of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) expect(names).toContain(`kube-system/${p}-cp-1`);
      expect(names.filter((n) => n.startsWith('kube-system/kube-proxy-'))).toHaveLength(3);
      const pod = await json(admin('get', 'pod', '-n', 'kube-system', 'kube-apiserver-cp-1', '-o', 'json'));
      const node = await json(admin('get', 'node', 'cp-1', '-o', 'json'));
      expect(pod.metadata.annotations['kubernetes.io/config.source']).toBe('file');
      expect(pod.metadata.annotations['kubernetes.io/config.mirror']).toBe(pod.metadata.annotations['kubernetes.io/config.hash']);
      expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Node', name: 'cp-1', uid: node.metadata.uid })]);
      expect(pod.spec.nodeName).toBe('cp-1');
      expect(pod.spec.containers[0].command).toContain('--authorization-mode=AlwaysAllow');
    },
    T,
  );

  it(
    'get ns, and list selectors (label set-based, field metadata.name)',
    async () => {
      const ns = await admin('get', 'ns', '--no-headers');
      expect(
        ns.stdout
          .trim()
          .split('\n')
          .map((l) => l.split(/\s+/)[0]),
      ).toEqual(['apps', 'default', 'kube-node-lease', 'kube-public', 'kube-system', 'web']);
      const proxies = await json(admin('get', 'pods', '-A', '-l', 'k8s-app in (kube-proxy)', '-o', 'json'));
      expect(proxies.items.map((p: any) => p.spec.nodeName).sort()).toEqual(['cp-1', 'worker-1', 'worker-2']); // eslint-disable-line @typescript-eslint/no-explicit-any
      const one = await json(admin('get', 'pods', '-A', '--field-selector', 'metadata.name=api', '-o', 'json'));
      expect(one.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['apps/api']); // eslint-disable-line @typescript-eslint/no-explicit-any
      const bad = await admin('get', 'pods', '-A', '--field-selector', 'spec.bogus=1');
      expect(bad.stderr).toMatch(/field label not supported: spec\.bogus/);
    },
    T,
  );

  it(
    "seeds the drifted section-5 objects and kubeadm's kube-proxy",
    async () => {
      const crb = await json(admin('get', 'clusterrolebinding', 'alice-admin', '-o', 'json'));
      expect(crb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
      expect(crb.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }]);
      const cm = await json(admin('get', 'configmap', '-n', 'kube-system', 'kube-proxy', '-o', 'json'));
      expect(cm.data['config.conf']).toMatch(/^metricsBindAddress: ""$/m);
      const sa = await json(admin('get', 'sa', '-n', 'apps', 'default', '-o', 'json'));
      expect(sa).not.toHaveProperty('automountServiceAccountToken');
      const view = await json(admin('get', 'clusterrole', 'view', '-o', 'json'));
      expect(view.metadata.annotations).toEqual({ 'rbac.authorization.kubernetes.io/autoupdate': 'true' });
      expect(view.aggregationRule.clusterRoleSelectors).toEqual([{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }]);
    },
    T,
  );

  it(
    'client-side apply creates, then changes an object (resourceVersion increases, field manager recorded)',
    async () => {
      const cm = (v: string) => file(`cm-${v}.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n  namespace: apps\ndata:\n  key: ${v}\n`);
      const created = await admin('apply', '-f', cm('one'));
      expect(created).toMatchObject({ code: 0, stdout: 'configmap/demo created\n' });
      const first = await json(admin('get', 'cm', '-n', 'apps', 'demo', '-o', 'json'));
      expect(await admin('apply', '-f', cm('one'))).toMatchObject({ code: 0, stdout: 'configmap/demo unchanged\n' });
      expect(await admin('apply', '-f', cm('two'))).toMatchObject({ code: 0, stdout: 'configmap/demo configured\n' });
      const second = await json(admin('get', 'cm', '-n', 'apps', 'demo', '-o', 'json'));
      expect(second.data).toEqual({ key: 'two' });
      expect(second.metadata.uid).toBe(first.metadata.uid);
      expect(Number(second.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
      expect(second.metadata.managedFields.map((m: any) => [m.manager, m.operation])).toEqual([['kubectl-client-side-apply', 'Update']]); // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(JSON.parse(second.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).data).toEqual({ key: 'two' });
    },
    T,
  );

  it(
    'server-side apply: conflicts with another manager unless forced, takes ownership when forced',
    async () => {
      const f = file('ssa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n  namespace: apps\ndata:\n  key: three\n');
      const conflict = await admin('apply', '--server-side', '-f', f);
      expect(conflict.code).not.toBe(0);
      expect(conflict.stderr).toMatch(/Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: \.data\.key/);
      expect((await json(admin('get', 'cm', '-n', 'apps', 'demo', '-o', 'json'))).data).toEqual({ key: 'two' });
      const forced = await admin('apply', '--server-side', '--force-conflicts', '-f', f);
      expect(forced).toMatchObject({ code: 0, stdout: 'configmap/demo serverside-applied\n' });
      const after = await json(admin('get', 'cm', '-n', 'apps', 'demo', '-o', 'json'));
      expect(after.data).toEqual({ key: 'three' });
      const ssa = after.metadata.managedFields.find((m: any) => m.operation === 'Apply'); // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(ssa).toMatchObject({ manager: 'kubectl', fieldsType: 'FieldsV1' });
      expect(ssa.fieldsV1['f:data']).toHaveProperty(['f:key']);
      // a new object by server-side apply
      const created = await admin(
        'apply',
        '--server-side',
        '-f',
        file('ssa-new.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: robot\n  namespace: web\n'),
      );
      expect(created).toMatchObject({ code: 0, stdout: 'serviceaccount/robot serverside-applied\n' });
      expect((await json(admin('get', 'sa', '-n', 'web', 'robot', '-o', 'json'))).metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    },
    T,
  );

  it(
    '--dry-run=server admits but stores nothing',
    async () => {
      const f = file('dry.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\n  namespace: apps\ndata:\n  x: "1"\n');
      expect(await admin('apply', '--dry-run=server', '-f', f)).toMatchObject({ code: 0, stdout: 'configmap/dry created (server dry run)\n' });
      const get = await admin('get', 'cm', '-n', 'apps', 'dry');
      expect(get.code).not.toBe(0);
      expect(get.stderr).toMatch(/configmaps "dry" not found/);
      const before = await json(admin('get', 'sa', '-n', 'apps', 'default', '-o', 'json'));
      expect((await admin('patch', 'sa', 'default', '-n', 'apps', '--dry-run=server', '-p', '{"automountServiceAccountToken":false}')).code).toBe(0);
      const after = await json(admin('get', 'sa', '-n', 'apps', 'default', '-o', 'json'));
      expect(after).toEqual(before);
    },
    T,
  );

  it(
    'patch a serviceaccount (strategic merge, JSON patch)',
    async () => {
      const before = await json(admin('get', 'sa', '-n', 'web', 'default', '-o', 'json'));
      expect(await admin('patch', 'sa', 'default', '-n', 'web', '-p', '{"automountServiceAccountToken":false}')).toMatchObject({
        code: 0,
        stdout: 'serviceaccount/default patched\n',
      });
      const after = await json(admin('get', 'sa', '-n', 'web', 'default', '-o', 'json'));
      expect(after.automountServiceAccountToken).toBe(false);
      expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
      expect(after.metadata.managedFields).toEqual([
        expect.objectContaining({ manager: 'kubectl-patch', operation: 'Update', fieldsV1: { 'f:automountServiceAccountToken': {} } }),
      ]);
      const jp = await admin('patch', 'sa', 'default', '-n', 'web', '--type=json', '-p', '[{"op":"test","path":"/automountServiceAccountToken","value":true}]');
      expect(jp.code).not.toBe(0);
      expect((await admin('patch', 'sa', 'default', '-n', 'web', '--type=json', '-p', '[{"op":"remove","path":"/automountServiceAccountToken"}]')).code).toBe(
        0,
      );
      expect(await json(admin('get', 'sa', '-n', 'web', 'default', '-o', 'json'))).not.toHaveProperty('automountServiceAccountToken');
      const missing = await admin('patch', 'sa', 'nobody', '-n', 'web', '-p', '{"automountServiceAccountToken":false}');
      expect(missing.stderr).toMatch(/serviceaccounts "nobody" not found/);
    },
    T,
  );

  it(
    'merge patch honours a resourceVersion precondition; strategic merge merges containers by name',
    async () => {
      const stale = await admin(
        'patch',
        'sa',
        'default',
        '-n',
        'web',
        '--type=merge',
        '-p',
        '{"metadata":{"resourceVersion":"1"},"automountServiceAccountToken":false}',
      );
      expect(stale.code).not.toBe(0);
      expect(stale.stderr).toMatch(/Operation cannot be fulfilled on serviceaccounts "default": the object has been modified/);
      const before = await json(admin('get', 'ds', '-n', 'kube-system', 'kube-proxy', '-o', 'json'));
      const smp = '{"spec":{"template":{"spec":{"containers":[{"name":"kube-proxy","image":"registry.k8s.io/kube-proxy:v1.33.5"}]}}}}';
      expect((await admin('patch', 'ds', 'kube-proxy', '-n', 'kube-system', '-p', smp)).code).toBe(0);
      const after = await json(admin('get', 'ds', '-n', 'kube-system', 'kube-proxy', '-o', 'json'));
      const [c] = after.spec.template.spec.containers;
      expect(c.image).toBe('registry.k8s.io/kube-proxy:v1.33.5');
      expect(c.command).toEqual(before.spec.template.spec.containers[0].command);
      expect(after.spec.template.spec.volumes).toEqual(before.spec.template.spec.volumes);
      expect(after.metadata.generation).toBe(before.metadata.generation + 1);
      // a merge patch replaces the list
      expect((await admin('patch', 'ds', 'kube-proxy', '-n', 'kube-system', '--type=merge', '-p', smp)).code).toBe(0);
      expect((await json(admin('get', 'ds', '-n', 'kube-system', 'kube-proxy', '-o', 'json'))).spec.template.spec.containers[0]).toEqual({
        name: 'kube-proxy',
        image: 'registry.k8s.io/kube-proxy:v1.33.5',
      });
    },
    T,
  );

  it(
    'a stale replace is a Conflict; creating an existing object is AlreadyExists',
    async () => {
      const stale = (await admin('get', 'cm', '-n', 'apps', 'demo', '-o', 'yaml')).stdout;
      expect((await admin('label', 'cm', '-n', 'apps', 'demo', 'touched=yes')).code).toBe(0);
      const r = await admin('replace', '-f', file('stale.yaml', stale));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(
        /Operation cannot be fulfilled on configmaps "demo": the object has been modified; please apply your changes to the latest version and try again/,
      );
      const dup = await admin('create', 'ns', 'apps');
      expect(dup.stderr).toMatch(/AlreadyExists.*namespaces "apps" already exists/);
    },
    T,
  );

  it(
    "an update that changes a binding's roleRef is 422 Invalid",
    async () => {
      const rb = await json(admin('get', 'rolebinding', '-n', 'apps', 'carol-wildcard', '-o', 'json'));
      rb.roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' };
      const r = await admin('replace', '-f', file('rb.json', JSON.stringify(rb)));
      expect(r.code).not.toBe(0);
      // kubectl prints Status.details.kind: "The RoleBinding ... is invalid: ..."
      expect(r.stderr).toContain(
        'The RoleBinding "carol-wildcard" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"apps-wildcard"}: cannot change roleRef',
      );
      expect((await json(admin('get', 'rolebinding', '-n', 'apps', 'carol-wildcard', '-o', 'json'))).roleRef.name).toBe('apps-wildcard');
    },
    T,
  );

  it(
    'Pod Security: a server dry run of an enforce label names the violating pods; nothing is stored',
    async () => {
      const r = await admin('label', 'ns', 'web', 'pod-security.kubernetes.io/enforce=baseline', '--dry-run=server');
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('Warning: existing pods in namespace "web" violate the new PodSecurity enforce level "baseline:latest"');
      expect(r.stderr).toContain('Warning: privileged-agent: hostPath volumes, privileged');
      expect((await json(admin('get', 'ns', 'web', '-o', 'json'))).metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'web' });
      // apps: baseline-clean (no warning), but `api` is not restricted (`worker` is)
      const baseline = await admin('label', 'ns', 'apps', 'pod-security.kubernetes.io/enforce=baseline', '--dry-run=server');
      expect(baseline.stderr).not.toMatch(/Warning/);
      const strict = await admin('label', 'ns', 'apps', 'pod-security.kubernetes.io/enforce=restricted', '--dry-run=server');
      expect(strict.stderr).toContain('Warning: existing pods in namespace "apps" violate the new PodSecurity enforce level "restricted:latest"');
      expect(strict.stderr).toContain('Warning: api: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile');
      expect(strict.stderr).not.toMatch(/worker:/);
    },
    T,
  );

  it(
    "Pod Security: a pod that violates the namespace's enforce level is forbidden",
    async () => {
      expect((await admin('label', 'ns', 'web', 'pod-security.kubernetes.io/enforce=baseline')).code).toBe(0);
      const pod =
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: rooty\n  namespace: web\nspec:\n  hostPID: true\n  containers:\n  - name: c\n    image: busybox\n    securityContext:\n      privileged: true\n';
      const r = await admin('create', '-f', file('pod.yaml', pod));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(
        'pods "rooty" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostPID=true), privileged (container "c" must not set securityContext.privileged=true)',
      );
      const ok = await admin(
        'create',
        '-f',
        file('pod-ok.yaml', pod.replace('  hostPID: true\n', '').replace('      privileged: true\n', '      privileged: false\n')),
      );
      expect(ok).toMatchObject({ code: 0, stdout: 'pod/rooty created\n' });
    },
    T,
  );

  it(
    'delete: dry run keeps the object, then it is gone; a second delete is NotFound',
    async () => {
      expect(await admin('delete', 'cm', '-n', 'apps', 'demo', '--dry-run=server')).toMatchObject({
        code: 0,
        stdout: 'configmap "demo" deleted (server dry run)\n',
      });
      expect((await admin('get', 'cm', '-n', 'apps', 'demo', '-o', 'name')).stdout).toBe('configmap/demo\n');
      expect((await admin('create', 'cm', 'doomed', '-n', 'apps', '--from-literal=a=b')).code).toBe(0);
      expect(await admin('delete', 'cm', '-n', 'apps', 'doomed')).toMatchObject({ code: 0, stdout: 'configmap "doomed" deleted\n' });
      const again = await admin('delete', 'cm', '-n', 'apps', 'doomed');
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain('Error from server (NotFound): configmaps "doomed" not found');
    },
    T,
  );

  it(
    'pages lists with limit/continue (kubectl --chunk-size) without losing or repeating items',
    async () => {
      const all = await json(admin('get', 'clusterroles', '-o', 'json'));
      const paged = await json(admin('get', 'clusterroles', '-o', 'json', '--chunk-size=3'));
      expect(all.items.length).toBeGreaterThan(6);
      expect(paged.items.map((i: any) => i.metadata.name)).toEqual(all.items.map((i: any) => i.metadata.name)); // eslint-disable-line @typescript-eslint/no-explicit-any
    },
    T,
  );

  it(
    'answers kubectl auth can-i from the authorizer (SelfSubjectAccessReview)',
    async () => {
      const yes = await admin('auth', 'can-i', 'delete', 'nodes');
      expect(yes).toMatchObject({ code: 0, stdout: 'yes\n' });
    },
    T,
  );

  it(
    'requires a client certificate from the cluster CA (401 Status); health endpoints stay anonymous',
    async () => {
      const r = await raw(lab, '/api/v1/namespaces');
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
      expect(await raw(lab, '/readyz')).toEqual({ status: 200, body: 'ok' });
      expect((await nodeExec(lab, 'cp-1', ['curl', '-sk', 'https://127.0.0.1:6443/livez'])).stdout).toBe('ok');
    },
    T,
  );

  it('honours --authorization-mode=AlwaysAllow (drifted), then RBAC after the manifest is fixed; the store survives the restart', async () => {
    // AlwaysAllow: the restricted user may do anything
    expect((await restricted('get', 'clusterrolebindings', '-o', 'name')).code).toBe(0);
    const demo = await json(admin('get', 'cm', '-n', 'apps', 'demo', '-o', 'json'));
    const st = await labStatus(DRIFTED);
    const pidBefore = st.nodes[0]!.pods.find((p) => p.name === 'kube-apiserver')!.pid;
    const fix = await nodeExec(lab, 'cp-1', [
      'sed',
      '-i',
      's/--authorization-mode=AlwaysAllow/--authorization-mode=Node,RBAC/',
      '/etc/kubernetes/manifests/kube-apiserver.yaml',
    ]);
    expect(fix.code).toBe(0);
    await eventually('the kube-apiserver pod to restart', async () => {
      const s = await labStatus(DRIFTED);
      const p = s.nodes[0]!.pods.find((x) => x.name === 'kube-apiserver');
      return p?.state === 'running' && p.pid !== pidBefore && p.healthPort === 6443 ? true : undefined;
    });
    // the objects written before the restart are still there, unchanged
    const again = await json(admin('get', 'cm', '-n', 'apps', 'demo', '-o', 'json'));
    expect(again).toEqual(demo);
    // the mirror pod follows the new manifest
    const mirror = await json(admin('get', 'pod', '-n', 'kube-system', 'kube-apiserver-cp-1', '-o', 'json'));
    expect(mirror.spec.containers[0].command).toContain('--authorization-mode=Node,RBAC');
    // RBAC: the restricted user has no bindings
    const patchSa = () => restricted('patch', 'sa', 'default', '-n', 'apps', '-p', '{"automountServiceAccountToken":false}');
    const denied = await patchSa();
    expect(denied.code).not.toBe(0);
    // kubectl patch reads the object first
    expect(denied.stderr).toContain(
      'Error from server (Forbidden): serviceaccounts "default" is forbidden: User "lab-restricted" cannot get resource "serviceaccounts" in API group "" in the namespace "apps"',
    );
    // allowed to read (resourceNames), not to patch
    expect((await admin('create', 'role', 'sa-reader', '-n', 'apps', '--verb=get', '--resource=serviceaccounts', '--resource-name=default')).code).toBe(0);
    expect((await admin('create', 'rolebinding', 'restricted-sa-reader', '-n', 'apps', '--role=sa-reader', '--user=lab-restricted')).code).toBe(0);
    expect((await restricted('get', 'sa', 'default', '-n', 'apps', '-o', 'name')).stdout).toBe('serviceaccount/default\n');
    expect((await restricted('get', 'sa', 'robot', '-n', 'apps')).stderr).toMatch(
      /serviceaccounts "robot" is forbidden: User "lab-restricted" cannot get resource "serviceaccounts"/,
    );
    const noPatch = await patchSa();
    expect(noPatch.code).not.toBe(0);
    expect(noPatch.stderr).toContain(
      'Error from server (Forbidden): serviceaccounts "default" is forbidden: User "lab-restricted" cannot patch resource "serviceaccounts" in API group "" in the namespace "apps"',
    );
    const bind = await admin('create', 'rolebinding', 'restricted-edit', '-n', 'apps', '--clusterrole=edit', '--user=lab-restricted');
    expect(bind.code).toBe(0);
    expect(await patchSa()).toMatchObject({ code: 0, stdout: 'serviceaccount/default patched\n' });
    expect((await restricted('auth', 'can-i', 'create', 'configmaps', '-n', 'apps')).stdout).toBe('yes\n');
    const no = await restricted('auth', 'can-i', 'create', 'configmaps', '-n', 'web');
    expect(no).toMatchObject({ code: 1, stdout: 'no\n' });
    // impersonation (--as): carol's wildcard Role in apps (5.1.3) and nothing elsewhere; dave may create pods in web (5.1.4)
    expect((await admin('auth', 'can-i', 'delete', 'secrets', '-n', 'apps', '--as', 'carol')).stdout).toBe('yes\n');
    expect((await admin('auth', 'can-i', 'delete', 'secrets', '-n', 'web', '--as', 'carol')).stdout).toBe('no\n');
    expect((await admin('auth', 'can-i', 'create', 'pods', '-n', 'web', '--as', 'dave')).stdout).toBe('yes\n');
    expect((await admin('get', 'secrets', '-n', 'apps', '--as', 'bob', '-o', 'name')).stdout).toBe('secret/db-credentials\n');
    expect((await restricted('get', 'pods', '-n', 'apps', '--as', 'alice')).stderr).toContain(
      'users "alice" is forbidden: User "lab-restricted" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    // only in that namespace, and only what `edit` grants
    expect((await restricted('get', 'sa', '-n', 'web')).stderr).toMatch(/cannot list resource "serviceaccounts" in API group "" in the namespace "web"/);
    expect((await restricted('create', 'role', 'x', '-n', 'apps', '--verb=get', '--resource=pods')).stderr).toMatch(
      /cannot create resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "apps"/,
    );
  }, 90_000);
});

describe('the lab API server on a stock lab', () => {
  const stockAdmin = (...args: string[]) => kubectl(stock.kubeconfigFile, args);

  it(
    "has kubeadm's objects only (no section-5 drifts)",
    async () => {
      const ns = await stockAdmin('get', 'ns', '-o', 'name');
      expect(ns.stdout.trim().split('\n')).toEqual(['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
      const crbs = (await stockAdmin('get', 'clusterrolebindings', '-o', 'name')).stdout;
      expect(crbs).toContain('clusterrolebinding.rbac.authorization.k8s.io/kubeadm:cluster-admins');
      expect(crbs).not.toContain('alice-admin');
      expect((await stockAdmin('get', 'pods', '-n', 'default', '-o', 'name')).stdout).toBe('');
    },
    T,
  );

  it(
    'authorizes by RBAC: 403 for lab-restricted, cluster-scope wording',
    async () => {
      const r = await kubectl(stock.restrictedKubeconfigFile, ['get', 'nodes']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('nodes is forbidden: User "lab-restricted" cannot list resource "nodes" in API group "" at the cluster scope');
    },
    T,
  );
});
