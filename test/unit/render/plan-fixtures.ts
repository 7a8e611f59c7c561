import type { Change } from '../../../src/model/change.js';
import type { Finding, FindingWaiver } from '../../../src/model/finding.js';
import { PLAN_FORMAT_VERSION, summarizePlan, type Plan } from '../../../src/plan/plan.js';

// Plans for the renderer tests: a small one, and a rich one holding every
// shape a renderer meets (one target with mode and content changes, a
// kubelet restart, a created file, a cluster object, waivers, an unreached
// node). Built by hand: renderers read nothing but the plan.

export function makePlan(findings: readonly Finding[], changes: readonly Change[], nodes: readonly string[]): Plan {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    tool: { name: 'cis-fix', version: '0.1.0' },
    createdAt: '2026-11-27T00:00:00.000Z',
    benchmark: { id: 'cis-1.12', chosenBy: 'auto: kubelet v1.33.4 maps to cis-1.12 as kube-bench maps it' },
    selection: { targets: [], only: [], skip: [], nodes },
    inventory: { file: '/etc/cis-fix/inventory.yaml', digest: 'c'.repeat(64) },
    findings,
    changes,
    summary: summarizePlan(findings, changes, nodes.length),
  };
}

const pre = (sha: string, mode = '644') => ({ exists: true, sha256: sha.repeat(64), mode, uid: 0, gid: 0 });

export const modeChange: Change = {
  id: 'cp-1:file-mode:/etc/kubernetes/admin.conf',
  node: 'cp-1',
  controlIds: ['1.1.13'],
  kind: 'file-mode',
  target: '/etc/kubernetes/admin.conf',
  action: 'update',
  precondition: pre('a'),
  restart: 'none',
  diff: 'mode 0644 -> 0600',
  before: { mode: '644' },
  after: { mode: '600' },
};
export const ownerChange: Change = {
  id: 'worker-1:file-owner:/var/lib/kubelet/config.yaml',
  node: 'worker-1',
  controlIds: ['4.1.10'],
  kind: 'file-owner',
  target: '/var/lib/kubelet/config.yaml',
  action: 'update',
  precondition: { exists: true, sha256: 'b'.repeat(64), mode: '600', uid: 1000, gid: 1000 },
  restart: 'none',
  diff: 'owner ops:ops -> root:root',
  before: { user: 'ops', group: 'ops' },
  after: { user: 'root', group: 'root', createAccount: false },
};
export const findings: Finding[] = [
  {
    controlId: '1.1.13',
    node: 'cp-1',
    status: 'fail',
    title: 'Ensure that the default administrative credential file permissions are set to 600',
    expected: 'mode 600',
    actual: '/etc/kubernetes/admin.conf mode 0644',
    fixable: true,
    kubeBench: 'FAIL',
  },
  {
    controlId: '1.1.12',
    node: 'cp-1',
    status: 'fail',
    title: 'Ensure that the etcd data directory ownership is set to etcd:etcd',
    expected: '/var/lib/etcd owned by <parameter etcdDataDirOwner>',
    actual: '/var/lib/etcd owned by root:root',
    fixable: false,
    notFixableReason: 'the owner is yours to choose: set parameter etcdDataDirOwner under parameters: in the inventory',
    decisionParameter: 'etcdDataDirOwner',
    kubeBench: 'FAIL',
  },
  {
    controlId: '1.2.20',
    node: 'cp-1',
    status: 'manual',
    title: 'Ensure that the --request-timeout argument is set as appropriate',
    expected: 'a human review',
    actual: 'needs a human review',
    fixable: false,
    notFixableReason: 'depends on the cluster',
    kubeBench: 'WARN',
  },
  {
    controlId: '4.1.10',
    node: 'worker-1',
    status: 'fail',
    title: 'Ensure that the kubelet configuration file ownership is set to root:root',
    expected: 'root:root',
    actual: 'ops:ops',
    fixable: true,
    kubeBench: 'FAIL',
  },
  {
    controlId: '4.1.9',
    node: 'worker-2',
    status: 'pass',
    title: 'Ensure that the kubelet configuration file has permissions set to 600 or more restrictive',
    expected: 'mode 600',
    actual: '1 path(s) compliant',
    fixable: false,
    kubeBench: 'PASS',
  },
];
export const plan: Plan = makePlan(findings, [modeChange, ownerChange], ['cp-1', 'worker-1', 'worker-2']);

// ---------------------------------------------------------------- the rich plan

const apiserver = '/etc/kubernetes/manifests/kube-apiserver.yaml';
const manifestMode: Change = {
  id: `cp-1:file-mode:${apiserver}`,
  node: 'cp-1',
  controlIds: ['1.1.1'],
  kind: 'file-mode',
  target: apiserver,
  action: 'update',
  precondition: pre('d'),
  restart: 'none',
  diff: 'mode 0644 -> 0600',
  before: { mode: '644' },
  after: { mode: '600' },
};
const manifestContent: Change = {
  id: `cp-1:static-pod-manifest:${apiserver}`,
  node: 'cp-1',
  controlIds: ['1.2.15', '1.2.6'],
  kind: 'static-pod-manifest',
  target: apiserver,
  action: 'update',
  precondition: pre('d'),
  restart: 'kube-apiserver',
  diff: `--- a${apiserver}\n+++ b${apiserver}\n@@ -20,3 +20,3 @@\n     - --authorization-mode=AlwaysAllow\n+    - --authorization-mode=Node,RBAC\n-    - --profiling=true\n+    - --profiling=false\n`,
  before: { sha256: 'd'.repeat(64), argv: ['kube-apiserver'] },
  after: { content: 'apiVersion: v1\n', sha256: 'e'.repeat(64), argv: ['kube-apiserver'] },
};
const kubeletFile: Change = {
  id: 'worker-1:kubelet-file:/var/lib/kubelet/config.yaml',
  node: 'worker-1',
  controlIds: ['4.2.1'],
  kind: 'kubelet-file',
  target: '/var/lib/kubelet/config.yaml',
  action: 'update',
  precondition: { exists: true, sha256: 'b'.repeat(64), mode: '600', uid: 1000, gid: 1000 },
  restart: 'kubelet',
  daemonReload: false,
  purpose: 'kubelet',
  edits: ['set authentication.anonymous.enabled: false'],
  diff: '--- a/var/lib/kubelet/config.yaml\n+++ b/var/lib/kubelet/config.yaml\n@@ -3,1 +3,1 @@\n-    enabled: true\n+    enabled: false\n',
  before: { sha256: 'b'.repeat(64), argv: ['kubelet'] },
  after: { content: 'x', sha256: 'f'.repeat(64), argv: ['kubelet'], healthUrl: 'http://127.0.0.1:10248/healthz' },
};
const supportFile: Change = {
  id: 'cp-1:support-file:/etc/kubernetes/audit/policy.yaml',
  node: 'cp-1',
  controlIds: ['3.2.1'],
  kind: 'support-file',
  target: '/etc/kubernetes/audit/policy.yaml',
  action: 'create',
  precondition: { exists: false, sha256: undefined, mode: '', uid: 0, gid: 0 },
  restart: 'none',
  diff: '--- /dev/null\n+++ b/etc/kubernetes/audit/policy.yaml\n@@ -0,0 +1,2 @@\n+apiVersion: audit.k8s.io/v1\n+kind: Policy\n',
  after: { content: 'apiVersion: audit.k8s.io/v1\nkind: Policy\n', mode: '600', secrets: [], sha256: '1'.repeat(64) },
};
/** A file name planted on a node to fake plan lines and clear the terminal. */
export const HOSTILE = '/etc/kubernetes/pki/evil\n  ~ /etc/fake  [1.1.1]\n+ fake line\u001b[2J\u001b]0;title\u0007\u009b31m';
const hostileChange: Change = {
  id: `cp-1:file-mode:${HOSTILE}`,
  node: 'cp-1',
  controlIds: ['1.1.21'],
  kind: 'file-mode',
  target: HOSTILE,
  action: 'update',
  precondition: pre('9'),
  restart: 'none',
  diff: `mode 0644 -> 0600`,
  before: { mode: '644' },
  after: { mode: '600' },
};
const namespacePatch: Change = {
  kind: 'api-object',
  id: 'cluster:api-object:Namespace//web',
  node: undefined,
  controlIds: ['5.2.2'],
  target: 'Namespace web',
  object: { apiVersion: 'v1', kind: 'Namespace', namespace: undefined, name: 'web' },
  precondition: { resourceVersion: '42' },
  after: [],
  diff: 'metadata.labels["pod-security.kubernetes.io/enforce"]: (none) -> "baseline"',
  notes: ['pod web/privileged-agent would be rejected on re-creation'],
  dryRunWarnings: ['existing pods in namespace "web" violate the new PodSecurity enforce level "baseline:latest"'],
  action: 'patch',
  patch: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
  before: { metadata: { labels: { 'pod-security.kubernetes.io/enforce': null } } },
};

const waiver = (daysLeft: number): FindingWaiver => ({
  control: '1.2.*',
  reason: 'the API server is behind a private load balancer; tracked in SEC-1234',
  owner: 'platform-team',
  expires: daysLeft < 0 ? '2026-11-20' : '2026-12-05',
  daysLeft,
  expired: daysLeft < 0,
  expiresSoon: daysLeft >= 0 && daysLeft <= 14,
});

const f = (controlId: string, node: string | undefined, status: Finding['status'], title: string, extra: Partial<Finding> = {}): Finding => ({
  controlId,
  node,
  status,
  title,
  expected: 'compliant',
  actual: 'not compliant',
  fixable: status === 'fail',
  kubeBench: undefined,
  ...extra,
});

export const richFindings: Finding[] = [
  f('1.1.1', 'cp-1', 'fail', 'Ensure that the API server pod specification file permissions are set to 600 or more restrictive'),
  f('1.1.21', 'cp-1', 'fail', 'Ensure that the Kubernetes PKI key file permissions are set to 600', { actual: `${HOSTILE} mode 0644` }),
  f('1.2.6', 'cp-1', 'fail', 'Ensure that the --authorization-mode argument is not set to AlwaysAllow'),
  f('1.2.15', 'cp-1', 'fail', 'Ensure that the --profiling argument is set to false'),
  f('1.2.16', 'cp-1', 'waived', 'Ensure that the --audit-log-path argument is set', { fixable: false, waiver: waiver(9) }),
  f('1.2.17', 'cp-1', 'fail', 'Ensure that the --audit-log-maxage argument is set to 30 or as appropriate', {
    fixable: false,
    waiver: waiver(-7),
    notFixableReason:
      'the retention of audit logs is a decision of your organisation, and it depends on where the logs are shipped, how much disk the control planes have and what your auditors ask for: set parameter auditLogMaxAge',
  }),
  f('1.1.12', 'cp-1', 'provider-managed', 'Ensure that the etcd data directory ownership is set to etcd:etcd', { fixable: false }),
  f('2.2', 'cp-1', 'pass', 'Ensure that the --client-cert-auth argument is set to true'),
  f('3.2.1', 'cp-1', 'fail', 'Ensure that a minimal audit policy is created'),
  f('4.1.9', 'cp-1', 'pass', 'Ensure that the kubelet configuration file has permissions set to 600 or more restrictive'),
  f('4.2.1', 'worker-1', 'fail', 'Ensure that the --anonymous-auth argument is set to false'),
  f('4.2.12', 'worker-1', 'manual', 'Ensure that the Kubelet only makes use of Strong Cryptographic Ciphers', { fixable: false, notEvaluated: true }),
  f('*', 'worker-9', 'error', 'facts could not be gathered', {
    fixable: false,
    actual: 'cannot connect to 198.18.0.99:22: ECONNREFUSED',
    expected: 'node reachable',
  }),
  f('5.2.2', undefined, 'fail', 'Minimize the admission of privileged containers'),
  f('5.1.1', undefined, 'fail', 'Ensure that the cluster-admin role is only used where required', {
    fixable: false,
    notFixableReason: 'name the subjects to remove in parameter clusterAdminSubjectsToRemove',
  }),
];

export const richChanges: Change[] = [manifestMode, hostileChange, supportFile, manifestContent, kubeletFile, namespacePatch];
export const richPlan: Plan = {
  ...makePlan(richFindings, richChanges, ['cp-1', 'worker-1', 'worker-9']),
  cluster: { kind: 'connected', server: 'https://198.18.0.10:6443', context: 'lab', version: 'v1.33.4' },
};
