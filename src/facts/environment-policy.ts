/**
 * Which environment variables of a component process leave the node, and in
 * what form (the `env` section, output-format.ts).
 *
 * kube-bench evaluates `env:` test items against an audit it generates for
 * the check's binary, `cat /proc/$(ps -C BIN -o pid=)/environ | tr '\0' '\n'`,
 * searching each output line for `NAME=` anywhere (an unanchored regex). The
 * node keeps, in order, every line of that text that can decide such a test
 * (it holds `NAME=` for a NAME below) and every line whose variable starts
 * with a component prefix (what the component is configured with), and
 * counts all lines: a line left out holds none of the names, so the kept
 * lines and the count reproduce kube-bench's verdict exactly.
 *
 * The value of a variable whose name looks like a credential is replaced on
 * the node by REDACTION_MARK; the parser checks it again.
 */

import { REDACTION_MARK } from './content-policy.js';

/**
 * Every environment variable a shipped benchmark's kube-bench test reads
 * (`env:` items of playbooks/*, all in etcd's section 2). A unit test fails
 * when a playbook names one that is missing here: the node would not send it.
 */
export const KUBE_BENCH_ENV_NAMES: readonly string[] = [
  'ETCD_CERT_FILE',
  'ETCD_KEY_FILE',
  'ETCD_CLIENT_CERT_AUTH',
  'ETCD_AUTO_TLS',
  'ETCD_PEER_CERT_FILE',
  'ETCD_PEER_KEY_FILE',
  'ETCD_PEER_CLIENT_CERT_AUTH',
  'ETCD_PEER_AUTO_TLS',
  'ETCD_TRUSTED_CA_FILE',
];

/** Variables starting with these are kept too: etcd's flags as variables, the Kubernetes components' own. */
export const ENV_PREFIXES: readonly string[] = ['ETCD_', 'KUBE'];

/**
 * Words that mark a credential in a variable's name (case-insensitive):
 * anything holding one of these, or ending in KEY (ETCD_KEY_FILE names a
 * file and is kept; an API_KEY or ENCRYPTION_KEY is a secret).
 */
export const SECRET_WORDS: readonly string[] = ['PASSWORD', 'PASSWD', 'TOKEN', 'SECRET', 'CREDENTIAL', 'PRIVATE'];

function caseless(word: string): string {
  return [...word].map((c) => (/[A-Za-z]/.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
}

/** Shell glob patterns on a variable's name whose value is withheld (the script's SECRET_ENV). */
export const SECRET_ENV_PATTERNS: readonly string[] = [...SECRET_WORDS.map((w) => `*${caseless(w)}*`), `*${caseless('KEY')}`, `*${caseless('KEY_DATA')}`];

const SECRET_NAME = new RegExp(`(${SECRET_WORDS.join('|')})|KEY$|KEY_DATA$`, 'i');

/** True when a variable of this name has its value withheld. */
export function isSecretEnvName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A kept line as it may leave the node: a secret variable's value replaced by the mark. */
export function redactEnvLine(line: string): string {
  const eq = line.indexOf('=');
  if (eq < 0) return line;
  const name = line.slice(0, eq);
  return isSecretEnvName(name) && line.slice(eq + 1) !== REDACTION_MARK ? `${name}=${REDACTION_MARK}` : line;
}
