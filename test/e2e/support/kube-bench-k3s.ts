import { parse } from 'yaml';
import type { LabState } from '../../lab/lab.js';
import { nodeExec } from '../../lab/lab.js';

/**
 * An independent judge for kube-bench's k3s-cis-1.9 checks that cis-fix
 * automates on a k3s node: kube-bench's own audit commands (from its
 * cfg/k3s-cis-1.9/{master,node}.yaml, variables resolved as its k3s config
 * resolves them) run on the node as root — so the node's journalctl and
 * stat answer — and kube-bench's test semantics (KUBE-BENCH-SEMANTICS.md)
 * re-implemented here without any cis-fix code. `PASS` / `FAIL` / `WARN` as
 * kube-bench would print them.
 */

export type Verdict = 'PASS' | 'FAIL' | 'WARN';

type Op = 'eq' | 'noteq' | 'has' | 'nothave' | 'bitmask' | 'gte' | 'valid_elements';
interface Item {
  readonly flag: string;
  /** kube-bench's jsonpath `{.a.b}`, read from the audit_config output when the flag is not in the audit's. */
  readonly path?: string;
  readonly set?: boolean;
  readonly compare?: { readonly op: Op; readonly value: string };
}
interface Check {
  readonly id: string;
  readonly target: 'master' | 'node';
  readonly scored: boolean;
  readonly audit: string;
  /** kube-bench's audit_config command. */
  readonly auditConfig?: string;
  readonly items: readonly Item[];
  readonly binOp?: 'and' | 'or';
  readonly multi?: boolean;
}

const TLS = '/var/lib/rancher/k3s/server/tls';
const ADMIN = '/var/lib/rancher/k3s/server/cred/admin.kubeconfig';
const SCHED = '/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig';
const CTRL = '/var/lib/rancher/k3s/server/cred/controller.kubeconfig';
const KUBELET_KUBECONFIG = '/var/lib/rancher/k3s/agent/kubelet.kubeconfig';
const PROXY_KUBECONFIG = '/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig';
const CA_FILE = '/var/lib/rancher/k3s/agent/client-ca.crt';

const ifStat = (path: string, format: string) => `/bin/sh -c 'if test -e ${path}; then stat -c ${format} ${path}; fi'`;
const api = (grep?: string) => `journalctl -m -u k3s | grep 'Running kube-apiserver' | tail -n1${grep ? ` | grep '${grep}'` : ''}`;
const cm = (grep?: string) => `journalctl -m -u k3s | grep 'Running kube-controller-manager' | tail -n1${grep ? ` | grep '${grep}'` : ''}`;
const sched = (grep: string) => `journalctl -m -u k3s | grep 'Running kube-scheduler' | tail -n1 | grep '${grep}'`;
const kubelet = "journalctl -m -u k3s -u k3s-agent | grep 'Running kubelet' | tail -n1";
const KUBELET_CONF = `/bin/sh -c 'if test -e ${KUBELET_KUBECONFIG}; then /bin/cat ${KUBELET_KUBECONFIG}; fi'`;
/**
 * kube-bench's $proxyconf (cfg/config.yaml node.proxy): the first of `confs` that exists, else `defaultconf`
 * (itself one of the confs): `if test -e $proxyconf; then cat $proxyconf; fi` prints the first existing one or nothing.
 */
const PROXY_CONFS = [
  '/etc/kubernetes/proxy',
  '/etc/kubernetes/addons/kube-proxy-daemonset.yaml',
  '/etc/kubernetes/addons/kube-proxy-daemonset.yml',
  '/var/snap/kube-proxy/current/args',
  '/var/snap/microk8s/current/args/kube-proxy',
];
const PROXY_CONF = `/bin/sh -c 'for f in ${PROXY_CONFS.join(' ')}; do if test -e $f; then /bin/cat $f; exit 0; fi; done'`;
const perm600: Item = { flag: 'permissions', compare: { op: 'bitmask', value: '600' } };
const rootRoot: Item = { flag: 'root:root' };

export const K3S_CHECKS: readonly Check[] = [
  {
    id: '1.1.9',
    target: 'master',
    scored: true,
    audit: 'find /var/lib/cni/networks -type f ! -name lock 2> /dev/null | xargs --no-run-if-empty stat -c permissions=%a',
    items: [perm600],
    multi: true,
  },
  {
    id: '1.1.10',
    target: 'master',
    scored: true,
    audit: 'find /var/lib/cni/networks -type f 2> /dev/null | xargs --no-run-if-empty stat -c %U:%G',
    items: [rootRoot],
    multi: true,
  },
  { id: '1.1.13', target: 'master', scored: true, audit: ifStat(ADMIN, 'permissions=%a'), items: [perm600] },
  {
    id: '1.1.14',
    target: 'master',
    scored: true,
    audit: ifStat(ADMIN, '%U:%G'),
    items: [{ flag: 'root:root', set: true, compare: { op: 'eq', value: 'root:root' } }],
  },
  { id: '1.1.15', target: 'master', scored: true, audit: ifStat(SCHED, 'permissions=%a'), items: [perm600] },
  { id: '1.1.16', target: 'master', scored: true, audit: ifStat(SCHED, '%U:%G'), items: [rootRoot] },
  { id: '1.1.17', target: 'master', scored: true, audit: ifStat(CTRL, 'permissions=%a'), items: [perm600] },
  {
    id: '1.1.18',
    target: 'master',
    scored: true,
    audit: `stat -c %U:%G ${CTRL}`,
    items: [{ flag: 'root:root', set: true, compare: { op: 'eq', value: 'root:root' } }],
  },
  { id: '1.1.19', target: 'master', scored: true, audit: `stat -c %U:%G ${TLS}`, items: [rootRoot], multi: true },
  { id: '1.1.20', target: 'master', scored: true, audit: `/bin/sh -c 'stat -c permissions=%a ${TLS}/*.crt'`, items: [perm600], multi: true },
  { id: '1.1.21', target: 'master', scored: true, audit: `/bin/sh -c 'stat -c permissions=%a ${TLS}/*.key'`, items: [perm600], multi: true },
  { id: '1.2.1', target: 'master', scored: true, audit: api('anonymous-auth'), items: [{ flag: '--anonymous-auth', compare: { op: 'eq', value: 'false' } }] },
  { id: '1.2.2', target: 'master', scored: true, audit: api(), items: [{ flag: '--token-auth-file', set: false }] },
  { id: '1.2.4', target: 'master', scored: true, audit: api(), items: [{ flag: '--kubelet-client-certificate' }, { flag: '--kubelet-client-key' }] },
  { id: '1.2.5', target: 'master', scored: true, audit: api('kubelet-certificate-authority'), items: [{ flag: '--kubelet-certificate-authority' }] },
  {
    id: '1.2.6',
    target: 'master',
    scored: true,
    audit: api('authorization-mode'),
    items: [{ flag: '--authorization-mode', compare: { op: 'nothave', value: 'AlwaysAllow' } }],
  },
  {
    id: '1.2.7',
    target: 'master',
    scored: true,
    audit: api('authorization-mode'),
    items: [{ flag: '--authorization-mode', compare: { op: 'has', value: 'Node' } }],
  },
  {
    id: '1.2.8',
    target: 'master',
    scored: true,
    audit: api('authorization-mode'),
    items: [{ flag: '--authorization-mode', compare: { op: 'has', value: 'RBAC' } }],
  },
  {
    id: '1.2.10',
    target: 'master',
    scored: true,
    audit: api('enable-admission-plugins'),
    binOp: 'or',
    items: [
      { flag: '--enable-admission-plugins', compare: { op: 'nothave', value: 'AlwaysAdmit' } },
      { flag: '--enable-admission-plugins', set: false },
    ],
  },
  {
    id: '1.2.12',
    target: 'master',
    scored: true,
    audit: api(),
    binOp: 'or',
    items: [
      { flag: '--disable-admission-plugins', compare: { op: 'nothave', value: 'ServiceAccount' } },
      { flag: '--disable-admission-plugins', set: false },
    ],
  },
  {
    id: '1.2.13',
    target: 'master',
    scored: true,
    audit: api(),
    binOp: 'or',
    items: [
      { flag: '--disable-admission-plugins', compare: { op: 'nothave', value: 'NamespaceLifecycle' } },
      { flag: '--disable-admission-plugins', set: false },
    ],
  },
  {
    id: '1.2.14',
    target: 'master',
    scored: true,
    audit: api('enable-admission-plugins'),
    items: [{ flag: '--enable-admission-plugins', compare: { op: 'has', value: 'NodeRestriction' } }],
  },
  { id: '1.2.15', target: 'master', scored: true, audit: api('profiling'), items: [{ flag: '--profiling', compare: { op: 'eq', value: 'false' } }] },
  {
    id: '1.2.21',
    target: 'master',
    scored: true,
    audit: api(),
    binOp: 'or',
    items: [
      { flag: '--service-account-lookup', set: false },
      { flag: '--service-account-lookup', compare: { op: 'eq', value: 'true' } },
    ],
  },
  { id: '1.2.22', target: 'master', scored: true, audit: api(), items: [{ flag: '--service-account-key-file' }] },
  { id: '1.2.25', target: 'master', scored: true, audit: api('client-ca-file'), items: [{ flag: '--client-ca-file' }] },
  { id: '1.2.26', target: 'master', scored: true, audit: api('etcd-cafile'), items: [{ flag: '--etcd-cafile' }] },
  { id: '1.3.2', target: 'master', scored: true, audit: cm('profiling'), items: [{ flag: '--profiling', compare: { op: 'eq', value: 'false' } }] },
  {
    id: '1.3.3',
    target: 'master',
    scored: true,
    audit: cm('use-service-account-credentials'),
    items: [{ flag: '--use-service-account-credentials', compare: { op: 'noteq', value: 'false' } }],
  },
  { id: '1.3.4', target: 'master', scored: true, audit: cm('service-account-private-key-file'), items: [{ flag: '--service-account-private-key-file' }] },
  { id: '1.3.5', target: 'master', scored: true, audit: cm('root-ca-file'), items: [{ flag: '--root-ca-file' }] },
  {
    id: '1.3.6',
    target: 'master',
    scored: true,
    audit: cm(),
    binOp: 'or',
    items: [
      { flag: '--feature-gates', compare: { op: 'nothave', value: 'RotateKubeletServerCertificate=false' } },
      { flag: '--feature-gates', set: false },
    ],
  },
  {
    id: '1.3.7',
    target: 'master',
    scored: true,
    audit: cm(),
    binOp: 'or',
    items: [
      { flag: '--bind-address', compare: { op: 'eq', value: '127.0.0.1' } },
      { flag: '--bind-address', set: false },
    ],
  },
  { id: '1.4.1', target: 'master', scored: true, audit: sched('profiling'), items: [{ flag: '--profiling', compare: { op: 'eq', value: 'false' } }] },
  {
    id: '1.4.2',
    target: 'master',
    scored: true,
    audit: sched('bind-address'),
    binOp: 'or',
    items: [
      { flag: '--bind-address', compare: { op: 'eq', value: '127.0.0.1' } },
      { flag: '--bind-address', set: false },
    ],
  },
  { id: '4.1.3', target: 'node', scored: true, audit: ifStat(PROXY_KUBECONFIG, 'permissions=%a'), items: [perm600] },
  { id: '4.1.4', target: 'node', scored: true, audit: ifStat(PROXY_KUBECONFIG, '%U:%G'), items: [rootRoot] },
  { id: '4.1.5', target: 'node', scored: true, audit: ifStat(KUBELET_KUBECONFIG, 'permissions=%a'), items: [perm600] },
  { id: '4.1.6', target: 'node', scored: true, audit: `stat -c %U:%G ${KUBELET_KUBECONFIG}`, items: [rootRoot] },
  { id: '4.1.7', target: 'node', scored: true, audit: `stat -c permissions=%a ${CA_FILE}`, items: [perm600] },
  { id: '4.1.8', target: 'node', scored: true, audit: `stat -c %U:%G ${CA_FILE}`, items: [rootRoot] },
  // 4.2.1-4.2.3: kube-bench's scripts, verbatim: they read the kube-apiserver's line (sic), else echo a passing value.
  {
    id: '4.2.1',
    target: 'node',
    scored: true,
    audit: `/bin/sh -c 'if test $(journalctl -m -u k3s | grep  "Running kube-apiserver" | wc -l) -gt 0; then journalctl -m -u k3s | grep  "Running kube-apiserver" | tail -n1 | grep "anonymous-auth" | grep -v grep; else echo "--anonymous-auth=false"; fi' `,
    items: [{ flag: '--anonymous-auth', path: '{.authentication.anonymous.enabled}', compare: { op: 'eq', value: 'false' } }],
  },
  {
    id: '4.2.2',
    target: 'node',
    scored: true,
    audit: `/bin/sh -c 'if test $(journalctl -m -u k3s | grep  "Running kube-apiserver" | wc -l) -gt 0; then journalctl -m -u k3s | grep  "Running kube-apiserver" | tail -n1 | grep "authorization-mode"; else echo "--authorization-mode=Webhook"; fi' `,
    auditConfig: KUBELET_CONF,
    items: [{ flag: '--authorization-mode', path: '{.authorization.mode}', compare: { op: 'nothave', value: 'AlwaysAllow' } }],
  },
  {
    id: '4.2.3',
    target: 'node',
    scored: true,
    audit: `/bin/sh -c 'if test "$(journalctl -m -u k3s | grep "Running kube-apiserver" | wc -l)" -gt 0; then journalctl -m -u k3s | grep "Running kube-apiserver" | tail -n1 | grep "client-ca-file"; else echo "--client-ca-file=/var/lib/rancher/k3s/server/tls/request-header-ca.crt"; fi'`,
    items: [{ flag: '--client-ca-file', path: '{.authentication.x509.clientCAFile}' }],
  },
  {
    // kube-bench's audit_config ($kubeletconf: the kubelet's kubeconfig on k3s) is read for the path when the flag is not printed.
    id: '4.2.4',
    target: 'node',
    scored: true,
    audit: `journalctl -m -u k3s -u k3s-agent | grep 'Running kubelet' | tail -n1 | grep -o -- "--read-only-port=0"`,
    auditConfig: KUBELET_CONF,
    binOp: 'or',
    items: [
      { flag: '--read-only-port', path: '{.readOnlyPort}', compare: { op: 'eq', value: '0' } },
      { flag: '--read-only-port', path: '{.readOnlyPort}', set: false },
    ],
  },
  {
    id: '4.2.6',
    target: 'node',
    scored: true,
    audit: kubelet,
    binOp: 'or',
    items: [
      { flag: '--make-iptables-util-chains', path: '{.makeIPTablesUtilChains}', compare: { op: 'eq', value: 'true' } },
      { flag: '--make-iptables-util-chains', path: '{.makeIPTablesUtilChains}', set: false },
    ],
  },
  {
    id: '4.2.10',
    target: 'node',
    scored: true,
    audit: kubelet,
    auditConfig: KUBELET_CONF,
    binOp: 'or',
    items: [
      { flag: '--rotate-certificates', path: '{.rotateCertificates}', compare: { op: 'eq', value: 'true' } },
      { flag: '--rotate-certificates', path: '{.rotateCertificates}', set: false },
    ],
  },
  {
    id: '4.3.1',
    target: 'node',
    scored: true,
    audit: "journalctl -m -u k3s -u k3s-agent | grep 'Running kube-proxy' | tail -n1",
    auditConfig: PROXY_CONF,
    binOp: 'or',
    items: [
      { flag: '--metrics-bind-address', path: '{.metricsBindAddress}', compare: { op: 'has', value: '127.0.0.1' } },
      { flag: '--metrics-bind-address', path: '{.metricsBindAddress}', set: false },
    ],
  },
];

/** kube-bench's flag search: substring presence, then `(flag)(=|: *)*([^\s]*) *`, first match; an empty `--x` value is "true". */
function findValue(output: string, flag: string): { found: boolean; value: string } {
  if (!output.includes(flag)) return { found: false, value: '' };
  const m = new RegExp(`(${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(=|: *)*([^\\s]*) *`).exec(output);
  const value = m?.[3] ?? '';
  if (value === '') return { found: true, value: flag.startsWith('--') ? 'true' : flag };
  return { found: true, value };
}

function compare(op: Op, found: string, expected: string): boolean {
  const bool = /^(true|false)$/i.test(found);
  switch (op) {
    case 'eq':
      return (bool ? found.toLowerCase() : found) === expected;
    case 'noteq':
      return (bool ? found.toLowerCase() : found) !== expected;
    case 'has':
      return found.includes(expected);
    case 'nothave':
      return !found.includes(expected);
    case 'gte':
      return /^\d+$/.test(found) && Number(found) >= Number(expected);
    case 'bitmask': {
      if (!/^[0-7]+$/.test(found)) return false;
      const actual = parseInt(found, 8);
      return (parseInt(expected, 8) & actual) === actual;
    }
    case 'valid_elements': {
      const allowed = expected.split(',').map((e) => e.trim());
      const have = found
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      return have.length > 0 && have.every((e) => allowed.includes(e));
    }
  }
}

/** `{.a.b}` on the decoded config: what kube-bench's jsonpath prints ('' when a key is missing). */
function jsonPath(config: unknown, path: string): string {
  let value: unknown = config;
  for (const key of path.replace(/^\{\.|\}$/g, '').split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function itemPasses(item: Item, row: string, config: string): boolean {
  let { found, value } = row === '' ? { found: false, value: '' } : findValue(row, item.flag);
  // Only when the flag is not in the audit's output, and audit_config printed something: the path in that file.
  if (!found && item.path !== undefined && config.trim() !== '') {
    value = jsonPath(parse(config) as unknown, item.path);
    found = value !== '';
  }
  if (item.set === false) return !found;
  if (!found) return false;
  return item.compare ? compare(item.compare.op, value, item.compare.value) : true;
}

function judge(check: Check, output: string, exitCode: number, config: string): Verdict {
  const failed: Verdict = check.scored ? 'FAIL' : 'WARN';
  if (exitCode !== 0) return failed;
  const trimmed = output.replace(/[ \n]+$/, '');
  const rows = check.multi ? trimmed.split('\n') : [trimmed];
  const results = check.items.map((item) => rows.every((row) => itemPasses(item, row, config)));
  const pass = check.binOp === 'or' ? results.some(Boolean) : results.every(Boolean);
  return pass ? 'PASS' : failed;
}

/** kube-bench's verdicts on a node for the checks of `targets`, by control id. */
export async function judgeK3s(lab: LabState, node: string, targets: readonly ('master' | 'node')[]): Promise<Map<string, Verdict>> {
  const checks = K3S_CHECKS.filter((c) => targets.includes(c.target));
  // One exec: each audit's output and status, framed by a marker line.
  const script = checks
    .map((c, i) => {
      const audit = `out=$( ${c.audit} 2>/dev/null ); rc=$?; printf '@@%d %d\\n%s\\n' ${i} "$rc" "$out"`;
      return c.auditConfig ? `${audit}\ncfg=$( ${c.auditConfig} 2>/dev/null ); printf '@@%d config\\n%s\\n' ${i} "$cfg"` : audit;
    })
    .join('\n');
  const result = await nodeExec(lab, node, ['/bin/bash', '-c', script]);
  if (result.code !== 0) throw new Error(`kube-bench audits on ${node} failed: ${result.stderr}`);
  const audits = new Map<number, { rc: number; out: string }>();
  const configs = new Map<number, string>();
  for (const part of result.stdout.split(/^@@/m).filter((p) => p !== '')) {
    const nl = part.indexOf('\n');
    const [index, what] = part.slice(0, nl).split(' ');
    if (what === 'config') configs.set(Number(index), part.slice(nl + 1));
    else audits.set(Number(index), { rc: Number(what), out: part.slice(nl + 1) });
  }
  const verdicts = new Map<string, Verdict>();
  for (const [index, { rc, out }] of audits) {
    const check = checks[index]!;
    verdicts.set(check.id, judge(check, out, rc, configs.get(index) ?? ''));
  }
  return verdicts;
}
