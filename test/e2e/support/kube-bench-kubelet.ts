import { parse } from 'yaml';
import { nodeExec, type LabState } from '../../lab/lab.js';

/**
 * An independent judge of kube-bench's kubelet checks (4.2.x of cis-1.12),
 * written from kube-bench's cfg/cis-1.12/node.yaml and check.go semantics
 * and sharing no code with src/: the audit is `ps -fC kubelet`; a flag found
 * anywhere in it decides (value by kube-bench's regex); otherwise the
 * jsonpath is read from `$kubeletconf`, the first existing file of
 * kube-bench's candidate list, not the kubelet's --config.
 */
const KUBELET_CONFS = [
  '/etc/kubernetes/kubelet-config.yaml',
  '/etc/kubernetes/kubelet/kubelet-config.json',
  '/var/lib/rancher/rke2/agent/etc/kubelet.conf.d',
  '/var/lib/kubelet/config.yaml',
  '/etc/kubernetes/azure.json',
  '/var/lib/kubelet/config.yml',
  '/etc/kubernetes/kubelet/config.json',
  '/etc/kubernetes/kubelet/config',
  '/home/kubernetes/kubelet-config.yaml',
  '/home/kubernetes/kubelet-config.yml',
];

const STRONG_CIPHERS =
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384';

interface Item {
  readonly flag: string;
  /** Dotted keys of the simple jsonpath `{.a.b}`; 'ciphers' is 4.2.12's range expression. */
  readonly path: readonly string[] | 'ciphers';
  readonly set?: false;
  readonly compare?: { readonly op: 'eq' | 'nothave' | 'valid_elements'; readonly value: string };
}

const CHECKS: Readonly<Record<string, { readonly binOp: 'and' | 'or'; readonly items: readonly Item[] }>> = {
  '4.2.1': { binOp: 'and', items: [{ flag: '--anonymous-auth', path: ['authentication', 'anonymous', 'enabled'], compare: { op: 'eq', value: 'false' } }] },
  '4.2.2': { binOp: 'and', items: [{ flag: '--authorization-mode', path: ['authorization', 'mode'], compare: { op: 'nothave', value: 'AlwaysAllow' } }] },
  '4.2.4': {
    binOp: 'or',
    items: [
      { flag: '--read-only-port', path: ['readOnlyPort'], compare: { op: 'eq', value: '0' } },
      { flag: '--read-only-port', path: ['readOnlyPort'], set: false },
    ],
  },
  '4.2.9': {
    binOp: 'and',
    items: [
      { flag: '--tls-cert-file', path: ['tlsCertFile'] },
      { flag: '--tls-private-key-file', path: ['tlsPrivateKeyFile'] },
    ],
  },
  '4.2.10': {
    binOp: 'or',
    items: [
      { flag: '--rotate-certificates', path: ['rotateCertificates'], compare: { op: 'eq', value: 'true' } },
      { flag: '--rotate-certificates', path: ['rotateCertificates'], set: false },
    ],
  },
  '4.2.12': { binOp: 'and', items: [{ flag: '--tls-cipher-suites', path: 'ciphers', compare: { op: 'valid_elements', value: STRONG_CIPHERS } }] },
};

export const JUDGED_KUBELET_CONTROLS = Object.keys(CHECKS);

export async function judgeKubelet(lab: LabState, node: string): Promise<Record<string, 'PASS' | 'FAIL'>> {
  const ps = (await nodeExec(lab, node, ['ps', '-fC', 'kubelet'])).stdout;
  let config: unknown;
  for (const candidate of KUBELET_CONFS) {
    const read = await nodeExec(lab, node, ['cat', candidate]);
    if (read.code === 0) {
      config = read.stdout.trim() === '' ? undefined : parse(read.stdout);
      break;
    }
  }
  const verdicts: Record<string, 'PASS' | 'FAIL'> = {};
  for (const [id, check] of Object.entries(CHECKS)) {
    const results = check.items.map((item) => judgeItem(item, ps, config));
    verdicts[id] = (check.binOp === 'or' ? results.some(Boolean) : results.every(Boolean)) ? 'PASS' : 'FAIL';
  }
  return verdicts;
}

function judgeItem(item: Item, ps: string, config: unknown): boolean {
  let found = false;
  let value = '';
  if (ps.includes(item.flag)) {
    found = true;
    const match = new RegExp(`(${item.flag})(=|: *)*([^\\s]*) *`).exec(ps);
    value = match?.[3] === '' || match?.[3] === undefined ? 'true' : match[3];
  } else if (config !== undefined) {
    const text = lookup(config, item.path);
    found = text !== '';
    value = text;
  }
  if (item.set === false) return !found;
  if (!found) return false;
  if (!item.compare) return true;
  switch (item.compare.op) {
    case 'eq':
      return value === item.compare.value;
    case 'nothave':
      return !value.includes(item.compare.value);
    case 'valid_elements': {
      const allowed = item.compare.value.split(',');
      return value
        .split(',')
        .filter((e) => e !== '')
        .every((e) => allowed.includes(e));
    }
  }
}

function lookup(config: unknown, path: Item['path']): string {
  if (path === 'ciphers') {
    const list = (config as { tlsCipherSuites?: unknown }).tlsCipherSuites;
    return Array.isArray(list) ? list.map((e) => `${String(e)},`).join('') : '';
  }
  let node: unknown = config;
  for (const key of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node === undefined || node === null ? '' : String(node);
}
