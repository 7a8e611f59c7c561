import { parse as parseYaml } from 'yaml';
import { nodeExec, type LabState } from '../../lab/lab.js';

/**
 * An independent judge of kube-bench's rke2-cis-1.8 checks that read a node
 * (the scored file, flag and kubelet checks), written from kube-bench's
 * cfg/rke2-cis-1.8/{master,node}.yaml and its check.go semantics, sharing no
 * code with src/. Its facts are copied here (kube-bench's YAML is not needed
 * to run it):
 * - `stat` audits print `permissions=%a` / `%U:%G` of the file kube-bench's
 *   variable resolves to on RKE2 (the first existing candidate of its
 *   config.yaml: RKE2's paths on these nodes); a missing file prints nothing
 *   (the check fails) unless the audit prints a fallback line;
 * - `ps -ef | grep <bin> | grep -v grep` audits: a flag is found when the
 *   output contains it; its value is what follows `flag=` up to a blank (the
 *   first match), `true` for a bare flag;
 * - the kubelet's audit is `ps -fC kubelet`, with the config file's jsonpath
 *   only when the flag is absent and `$kubeletconf` exists (none on the lab:
 *   RKE2 v1.33 runs its kubelet with flags here);
 * - compare ops: eq (exact), noteq, has / nothave (substring), gte (integer),
 *   valid_elements (every comma element allowed), bitmask (no bit outside);
 * - etcd (cfg/rke2-cis-1.8/etcd.yaml) audits `cat $etcdconf`, which on RKE2
 *   is /var/lib/rancher/rke2/server/db/etcd/config (the file RKE2 generates):
 *   an item with a flag searches the flag in that text like any audit
 *   output (so `client-cert-auth` is the FIRST one in the file, top-level or
 *   under either *-transport-security); an item with only a path (2.4, 2.7,
 *   whose audit_config cats the same file) reads the YAML at that path.
 */

type Compare = { readonly op: 'eq' | 'noteq' | 'has' | 'nothave' | 'gte' | 'valid_elements' | 'bitmask'; readonly value: string };
interface Item {
  /** '' for a path-only item. */
  readonly flag: string;
  /** Dot path into the audited YAML, for items without a flag. */
  readonly path?: readonly string[];
  /** undefined: only presence counts; false: passes when absent. */
  readonly set?: boolean;
  readonly compare?: Compare;
}
type Audit =
  | { readonly kind: 'stat'; readonly path: string; readonly format: 'permissions' | 'owner'; readonly missing?: string }
  | { readonly kind: 'ps'; readonly bin: string }
  | { readonly kind: 'kubelet' }
  | { readonly kind: 'cat'; readonly path: string };
interface Check {
  readonly audit: Audit;
  readonly binOp: 'and' | 'or';
  readonly items: readonly Item[];
  /** Only on servers (target master); node checks run everywhere. */
  readonly server: boolean;
}

const DATA = '/var/lib/rancher/rke2';
const POD = `${DATA}/agent/pod-manifests`;
const perm = (path: string, mask: string, missing?: string): Check => ({
  audit: { kind: 'stat', path, format: 'permissions', ...(missing ? { missing } : {}) },
  binOp: missing ? 'or' : 'and',
  items: [{ flag: 'permissions', compare: { op: 'bitmask', value: mask } }, ...(missing ? [{ flag: missing }] : [])],
  server: true,
});
const owner = (path: string): Check => ({ audit: { kind: 'stat', path, format: 'owner' }, binOp: 'and', items: [{ flag: 'root:root' }], server: true });
const ps = (bin: string, items: readonly Item[], binOp: 'and' | 'or' = 'and'): Check => ({ audit: { kind: 'ps', bin }, binOp, items, server: true });
const kubelet = (items: readonly Item[], binOp: 'and' | 'or' = 'and'): Check => ({ audit: { kind: 'kubelet' }, binOp, items, server: false });
const node = (check: Check): Check => ({ ...check, server: false });
const eq = (value: string): Compare => ({ op: 'eq', value });
const etcd = (items: readonly Item[], binOp: 'and' | 'or' = 'and'): Check => ({
  audit: { kind: 'cat', path: `${DATA}/server/db/etcd/config` },
  binOp,
  items,
  server: true,
});
const ETCD_TLS = `${DATA}/server/tls/etcd`;

const API = 'kube-apiserver';
const CM = 'kube-controller-manager';
const SCHED = 'kube-scheduler';
const APISERVER_CIPHERS =
  'TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_RSA_WITH_3DES_EDE_CBC_SHA,TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_256_GCM_SHA384';
const KUBELET_CIPHERS =
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_128_GCM_SHA256';

export const RKE2_CHECKS: Readonly<Record<string, Check>> = {
  '1.1.1': perm(`${POD}/kube-apiserver.yaml`, '600'),
  '1.1.2': owner(`${POD}/kube-apiserver.yaml`),
  '1.1.3': perm(`${POD}/kube-controller-manager.yaml`, '600'),
  '1.1.4': owner(`${POD}/kube-controller-manager.yaml`),
  '1.1.5': perm(`${POD}/kube-scheduler.yaml`, '600'),
  '1.1.6': owner(`${POD}/kube-scheduler.yaml`),
  '1.1.7': perm(`${DATA}/server/db/etcd/config`, '600', 'Directory not found'),
  '1.1.11': perm(`${DATA}/server/db/etcd`, '700', `Directory not found: ${DATA}/server/db/etcd`),
  '1.1.13': perm(`${DATA}/server/cred/admin.kubeconfig`, '600'),
  '1.1.14': owner(`${DATA}/server/cred/admin.kubeconfig`),
  '1.1.15': perm(`${DATA}/server/cred/scheduler.kubeconfig`, '600'),
  '1.1.16': owner(`${DATA}/server/cred/scheduler.kubeconfig`),
  '1.1.17': perm(`${DATA}/server/cred/controller.kubeconfig`, '600'),
  '1.1.18': owner(`${DATA}/server/cred/controller.kubeconfig`),
  '1.2.2': ps(API, [{ flag: '--token-auth-file', set: false }]),
  '1.2.4': ps(API, [{ flag: '--kubelet-client-certificate' }, { flag: '--kubelet-client-key' }]),
  '1.2.5': ps(API, [{ flag: '--kubelet-certificate-authority', set: true }]),
  '1.2.6': ps(API, [{ flag: '--authorization-mode', compare: { op: 'nothave', value: 'AlwaysAllow' } }]),
  '1.2.7': ps(API, [{ flag: '--authorization-mode', compare: { op: 'has', value: 'Node' } }]),
  '1.2.8': ps(API, [{ flag: '--authorization-mode', compare: { op: 'has', value: 'RBAC' } }]),
  '1.2.10': ps(
    API,
    [
      { flag: '--enable-admission-plugins', compare: { op: 'nothave', value: 'AlwaysAdmit' } },
      { flag: '--enable-admission-plugins', set: false },
    ],
    'or',
  ),
  '1.2.15': ps(API, [{ flag: '--enable-admission-plugins', compare: { op: 'has', value: 'NodeRestriction' } }]),
  '1.2.16': ps(API, [{ flag: '--profiling', compare: eq('false') }]),
  '1.2.17': ps(API, [{ flag: '--audit-log-path' }]),
  '1.2.18': ps(API, [{ flag: '--audit-log-maxage', compare: { op: 'gte', value: '30' } }]),
  '1.2.19': ps(API, [{ flag: '--audit-log-maxbackup', compare: { op: 'gte', value: '10' } }]),
  '1.2.20': ps(API, [{ flag: '--audit-log-maxsize', compare: { op: 'gte', value: '100' } }]),
  '1.2.23': ps(API, [{ flag: '--service-account-key-file' }]),
  '1.2.24': ps(API, [{ flag: '--etcd-certfile' }, { flag: '--etcd-keyfile' }]),
  '1.2.25': ps(API, [{ flag: '--tls-cert-file' }, { flag: '--tls-private-key-file' }]),
  '1.2.26': ps(API, [{ flag: '--client-ca-file' }]),
  '1.2.27': ps(API, [{ flag: '--etcd-cafile' }]),
  '1.2.30': ps(API, [{ flag: '--tls-cipher-suites', compare: { op: 'valid_elements', value: APISERVER_CIPHERS } }]),
  '1.3.1': ps(CM, [{ flag: '--terminated-pod-gc-threshold' }]),
  '1.3.2': ps(CM, [{ flag: '--profiling', compare: eq('false') }]),
  '1.3.3': ps(CM, [{ flag: '--use-service-account-credentials', compare: { op: 'noteq', value: 'false' } }]),
  '1.3.7': ps(
    CM,
    [
      { flag: '--bind-address', compare: eq('127.0.0.1') },
      { flag: '--bind-address', set: false },
    ],
    'or',
  ),
  '1.4.1': ps(SCHED, [{ flag: '--profiling', compare: eq('false') }]),
  '1.4.2': ps(
    SCHED,
    [
      { flag: '--bind-address', compare: eq('127.0.0.1') },
      { flag: '--bind-address', set: false },
    ],
    'or',
  ),
  '2.1': etcd([
    { flag: 'cert-file', compare: eq(`${ETCD_TLS}/server-client.crt`) },
    { flag: 'key-file', compare: eq(`${ETCD_TLS}/server-client.key`) },
  ]),
  '2.2': etcd([{ flag: 'client-cert-auth', compare: eq('true') }]),
  '2.3': etcd(
    [
      { flag: 'auto-tls', compare: { op: 'noteq', value: 'true' } },
      { flag: 'auto-tls', set: false },
    ],
    'or',
  ),
  '2.4': etcd([
    { flag: '', path: ['peer-transport-security', 'cert-file'], compare: eq(`${ETCD_TLS}/peer-server-client.crt`) },
    { flag: '', path: ['peer-transport-security', 'key-file'], compare: eq(`${ETCD_TLS}/peer-server-client.key`) },
  ]),
  '2.5': etcd([{ flag: 'client-cert-auth', compare: eq('true') }]),
  '2.6': etcd(
    [
      { flag: 'peer-auto-tls', compare: { op: 'noteq', value: 'true' } },
      { flag: 'peer-auto-tls', set: false },
    ],
    'or',
  ),
  '2.7': etcd([{ flag: '', path: ['peer-transport-security', 'trusted-ca-file'], compare: eq(`${ETCD_TLS}/peer-ca.crt`) }]),
  '4.1.5': node(perm(`${DATA}/agent/kubelet.kubeconfig`, '600')),
  '4.1.6': node(owner(`${DATA}/agent/kubelet.kubeconfig`)),
  '4.1.7': node(perm(`${DATA}/agent/client-ca.crt`, '600')),
  '4.1.8': node(owner(`${DATA}/agent/client-ca.crt`)),
  '4.2.1': kubelet([{ flag: 'anonymous-auth', compare: eq('false') }]),
  '4.2.2': kubelet([{ flag: 'authorization-mode', compare: { op: 'nothave', value: 'AlwaysAllow' } }]),
  '4.2.4': kubelet(
    [
      { flag: '--read-only-port', compare: eq('0') },
      { flag: '--read-only-port', set: false },
    ],
    'or',
  ),
  '4.2.6': kubelet(
    [
      { flag: '--make-iptables-util-chains', compare: eq('true') },
      { flag: '--make-iptables-util-chains', set: false },
    ],
    'or',
  ),
  '4.2.10': kubelet([{ flag: '--rotate-certificates=false', set: false }]),
  '4.2.12': kubelet([{ flag: '--tls-cipher-suites', compare: { op: 'valid_elements', value: KUBELET_CIPHERS } }]),
};

export type Verdicts = Record<string, 'PASS' | 'FAIL'>;

/** kube-bench's verdict on every check above that applies to the node (servers: all; agents: the node checks). */
export async function judgeRke2(lab: LabState, nodeName: string): Promise<Verdicts> {
  const server = lab.nodes.find((n) => n.name === nodeName)?.roles.includes('control-plane') ?? false;
  const psOutput = (await nodeExec(lab, nodeName, ['ps', '-eo', 'args'])).stdout.split('\n');
  const kubeletPs = (await nodeExec(lab, nodeName, ['ps', '-fC', 'kubelet'])).stdout;
  const verdicts: Verdicts = {};
  for (const [id, check] of Object.entries(RKE2_CHECKS)) {
    if (check.server && !server) continue;
    const output = await auditOutput(lab, nodeName, check.audit, psOutput, kubeletPs);
    if (output === undefined) {
      verdicts[id] = 'FAIL'; // cat failed
      continue;
    }
    const results = check.items.map((item) => (item.path ? judgePathItem(item, item.path, output) : judgeItem(item, output)));
    verdicts[id] = (check.binOp === 'or' ? results.some(Boolean) : results.every(Boolean)) ? 'PASS' : 'FAIL';
  }
  return verdicts;
}

async function auditOutput(lab: LabState, nodeName: string, audit: Audit, psLines: readonly string[], kubeletPs: string): Promise<string | undefined> {
  switch (audit.kind) {
    case 'ps':
      return psLines.filter((l) => l.includes(audit.bin) && !l.includes('grep')).join('\n');
    case 'kubelet':
      return kubeletPs;
    case 'stat': {
      const format = audit.format === 'permissions' ? 'permissions=%a' : '%U:%G';
      const result = await nodeExec(lab, nodeName, ['stat', '-c', format, audit.path]);
      return result.code === 0 ? result.stdout : (audit.missing ?? '');
    }
    case 'cat': {
      const result = await nodeExec(lab, nodeName, ['cat', audit.path]);
      return result.code === 0 ? result.stdout : undefined;
    }
  }
}

function judgeItem(item: Item, output: string): boolean {
  const found = output.includes(item.flag);
  if (item.set === false) return !found;
  if (!found) return false;
  if (!item.compare) return true;
  const match = new RegExp(`(${escape(item.flag)})(=|: *)*([^\\s]*) *`).exec(output);
  return compare(item.compare, match?.[3] ? match[3] : 'true');
}

/** A jsonpath item: found when the value at the path prints as something (booleans as true/false). */
function judgePathItem(item: Item, path: readonly string[], output: string): boolean {
  let value: unknown = parseYaml(output);
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  const text = value === undefined || value === null ? '' : String(value);
  if (item.set === false) return text === '';
  if (text === '') return false;
  return item.compare ? compare(item.compare, text) : true;
}

function compare(compare: Compare, value: string): boolean {
  const want = compare.value;
  switch (compare.op) {
    case 'eq':
      return value === want;
    case 'noteq':
      return value !== want;
    case 'has':
      return value.includes(want);
    case 'nothave':
      return !value.includes(want);
    case 'gte':
      return /^\d+$/.test(value) && Number(value) >= Number(want);
    case 'valid_elements': {
      const allowed = want.split(',');
      return value
        .split(',')
        .filter((e) => e !== '')
        .every((e) => allowed.includes(e));
    }
    case 'bitmask': {
      const mode = Number.parseInt(value, 8);
      const mask = Number.parseInt(want, 8);
      return Number.isInteger(mode) && (mode & mask) === mode;
    }
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
