import { nodeExec, type LabState } from '../../lab/lab.js';

/**
 * An independent judge of kube-bench's etcd checks (section 2 of cis-1.12
 * and cis-1.11, byte-identical there), written from kube-bench's
 * cfg/cis-1.12/etcd.yaml and check/test.go and sharing no code with src/:
 * - the audit is `/bin/ps -ef | /bin/grep etcd | /bin/grep -v grep` (every
 *   line naming etcd, kube-apiserver's `--etcd-*` line included); no line
 *   means the audit failed, and a scored check FAILs;
 * - a flag is "found" when the output contains it anywhere; its value is
 *   group 3 of `(<flag>)(=|: *)*([^\s]*) *`, "true" when empty;
 * - a flag not found falls back to the item's `env` in the generated
 *   audit_env, `cat /proc/$(ps -C etcd -o pid= | tr -d ' ')/environ | tr
 *   '\0' '\n'`: found when `<ENV>=.*` matches with a non-empty value;
 * - `set: false` passes iff the keyword is not found; `compare eq` lower-cases
 *   boolean values; `bin_op: or` needs one item, else all.
 */

interface Item {
  readonly flag: string;
  readonly env: string;
  readonly set?: false;
  readonly eq?: string;
}

const CHECKS: Readonly<Record<string, { readonly binOp: 'and' | 'or'; readonly items: readonly Item[] }>> = {
  '2.1': {
    binOp: 'and',
    items: [
      { flag: '--cert-file', env: 'ETCD_CERT_FILE' },
      { flag: '--key-file', env: 'ETCD_KEY_FILE' },
    ],
  },
  '2.2': { binOp: 'and', items: [{ flag: '--client-cert-auth', env: 'ETCD_CLIENT_CERT_AUTH', eq: 'true' }] },
  '2.3': {
    binOp: 'or',
    items: [
      { flag: '--auto-tls', env: 'ETCD_AUTO_TLS', set: false },
      { flag: '--auto-tls', env: 'ETCD_AUTO_TLS', eq: 'false' },
    ],
  },
  '2.4': {
    binOp: 'and',
    items: [
      { flag: '--peer-cert-file', env: 'ETCD_PEER_CERT_FILE' },
      { flag: '--peer-key-file', env: 'ETCD_PEER_KEY_FILE' },
    ],
  },
  '2.5': { binOp: 'and', items: [{ flag: '--peer-client-cert-auth', env: 'ETCD_PEER_CLIENT_CERT_AUTH', eq: 'true' }] },
  '2.6': {
    binOp: 'or',
    items: [
      { flag: '--peer-auto-tls', env: 'ETCD_PEER_AUTO_TLS', set: false },
      { flag: '--peer-auto-tls', env: 'ETCD_PEER_AUTO_TLS', eq: 'false' },
    ],
  },
};

export const JUDGED_ETCD_CONTROLS = Object.keys(CHECKS);

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function flagValue(output: string, flag: string): string | undefined {
  if (!output.includes(flag)) return undefined;
  const m = new RegExp(`(${escapeRegex(flag)})(=|: *)*([^\\s]*) *`).exec(output);
  return m?.[3] ? m[3] : 'true';
}

function envValue(output: string, name: string): string | undefined {
  const m = new RegExp(`${escapeRegex(name)}=.*(?:$|\\n)`, 'm').exec(output);
  const value = m ? m[0].replace('\n', '').replace(`${name}=`, '') : '';
  return value.length > 0 ? value : undefined;
}

function itemPasses(item: Item, ps: string, environ: string): boolean {
  const value = flagValue(ps, item.flag) ?? envValue(environ, item.env);
  if (item.set === false) return value === undefined;
  if (value === undefined) return false;
  if (item.eq === undefined) return true;
  const found = ['true', 'false'].includes(value.toLowerCase()) ? value.toLowerCase() : value;
  return found === item.eq;
}

/** kube-bench's verdict for each etcd check on a node, as the running processes show it now. */
export async function judgeEtcd(lab: LabState, node: string): Promise<Record<string, 'PASS' | 'FAIL'>> {
  const ps = await nodeExec(lab, node, ['/bin/sh', '-c', '/bin/ps -ef | /bin/grep etcd | /bin/grep -v grep']);
  const environ = await nodeExec(lab, node, ['/bin/sh', '-c', `cat "/proc/$(ps -C etcd -o pid= | tr -d ' ')/environ" | tr '\\0' '\\n'`]);
  const verdicts: Record<string, 'PASS' | 'FAIL'> = {};
  for (const [id, check] of Object.entries(CHECKS)) {
    if (ps.code !== 0) {
      verdicts[id] = 'FAIL';
      continue;
    }
    const results = check.items.map((item) => itemPasses(item, ps.stdout, environ.stdout));
    verdicts[id] = (check.binOp === 'or' ? results.some(Boolean) : results.every(Boolean)) ? 'PASS' : 'FAIL';
  }
  return verdicts;
}
