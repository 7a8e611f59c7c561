import { isMap, parse, stringify, type Pair } from 'yaml';
import type { NodeFacts } from '../../facts/types.js';

/**
 * RKE2's generated etcd configuration, predicted (DESIGN.md §7: never edit a
 * generated file; predict it). RKE2 starts etcd as a static pod with only
 * `--config-file=<data-dir>/server/db/etcd/config` and writes that file at
 * every start of rke2-server from its own settings and the `etcd-arg` list
 * (k3s pkg/daemons/executor ETCDConfig.ToConfigFile):
 * - the settings are marshalled, decoded again into a map, and each
 *   `etcd-arg` element that holds a `=` sets the TOP-LEVEL key named by what
 *   precedes the first `=`, leading dashes trimmed and nothing else (no
 *   `+`/`-` suffix handling): `client-cert-auth=false` writes
 *   `client-cert-auth: false` beside, not inside, `client-transport-security`;
 *   an element without `=` is ignored;
 * - the value is typed: an integer (strconv.Atoi), else a duration when the
 *   key names a time, duration, interval or retention, else a string list
 *   when it decodes as a YAML list (or as null: an empty list), else a bool
 *   for true/false in any case, else the string;
 * - the map is written by go-yaml v2, keys sorted by its key order.
 * kube-bench's 2.x checks `cat` this file, so what they see after an edit of
 * `etcd-arg` is this prediction. Pure.
 */

/** The file, under the distribution's data directory. */
export const ETCD_CONFIG_FILE = 'server/db/etcd/config';

/**
 * Top-level keys RKE2 writes itself (ETCDConfig's json tags): an `etcd-arg`
 * that replaced one hides RKE2's own value, so its removal cannot be
 * predicted from the file.
 */
export const RKE2_ETCD_KEYS: ReadonlySet<string> = new Set([
  'initial-advertise-peer-urls',
  'initial-cluster',
  'initial-cluster-state',
  'name',
  'listen-client-urls',
  'listen-client-http-urls',
  'listen-metrics-urls',
  'listen-peer-urls',
  'advertise-client-urls',
  'data-dir',
  'snapshot-count',
  'client-transport-security',
  'peer-transport-security',
  'force-new-cluster',
  'heartbeat-interval',
  'election-timeout',
  'logger',
  'log-outputs',
  'socket-options',
  'experimental-initial-corrupt-check',
  'experimental-watch-progress-notify-interval',
]);

export type EtcdConfigPrediction = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'problem'; readonly problem: string };

/** The key an `etcd-arg` element sets, or undefined when RKE2 ignores it (no `=`). */
export function etcdArgKey(raw: string): string | undefined {
  const at = raw.indexOf('=');
  return at < 0 ? undefined : raw.slice(0, at).replace(/^-+/, '');
}

/**
 * The file RKE2 will write when `etcd-arg` becomes `after`, from the file it
 * wrote with `before`: the keys only `before` set are dropped, then `after`
 * is merged as ToConfigFile merges it.
 */
export function predictEtcdConfig(current: string, before: readonly string[], after: readonly string[]): EtcdConfigPrediction {
  let decoded: unknown;
  try {
    decoded = parse(current, { version: '1.1' });
  } catch (error) {
    return { kind: 'problem', problem: `it is not valid YAML: ${String(error).split('\n')[0] ?? ''}` };
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return { kind: 'problem', problem: 'it is not a YAML mapping' };
  const config = { ...(decoded as Record<string, unknown>) };
  const kept = new Set(after.map(etcdArgKey).filter((k): k is string => k !== undefined));
  for (const raw of before) {
    const key = etcdArgKey(raw);
    if (key === undefined || kept.has(key)) continue;
    if (RKE2_ETCD_KEYS.has(key))
      return { kind: 'problem', problem: `etcd-arg ${raw} replaced RKE2's own ${key}, whose value without it the file does not show` };
    delete config[key];
  }
  for (const raw of after) {
    const key = etcdArgKey(raw);
    if (key === undefined) continue;
    config[key] = typedValue(key, raw.slice(raw.indexOf('=') + 1));
  }
  return { kind: 'text', text: writeGoYaml(config) };
}

/** ToConfigFile's typing of one value. */
export function typedValue(key: string, value: string): unknown {
  if (/^[+-]?\d+$/.test(value)) return Number.parseInt(value, 10);
  const lower = key.toLowerCase();
  // time.ParseDuration's syntax; go-yaml v2 writes a Duration with its String(): kept as written here (no 2.x key names a time).
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))*$|^[+-]?0$/.test(value)) {
    if (['time', 'duration', 'interval', 'retention'].some((word) => lower.includes(word))) return value;
  }
  const list = stringList(value);
  if (list !== undefined) return list;
  if (value.toLowerCase() === 'true') return true;
  if (value.toLowerCase() === 'false') return false;
  return value;
}

/** sigs.k8s.io/yaml.Unmarshal into []string: null (or nothing) is an empty list, a list of strings is itself, anything else fails. */
function stringList(value: string): string[] | undefined {
  let decoded: unknown;
  try {
    decoded = parse(value);
  } catch {
    return undefined;
  }
  if (decoded === null || decoded === undefined) return [];
  if (Array.isArray(decoded) && decoded.every((e): e is string => typeof e === 'string')) return decoded;
  return undefined;
}

/** go-yaml v2's Marshal of a decoded map: keys in its order, lists not indented under their key. */
export function writeGoYaml(config: Record<string, unknown>): string {
  return stringify(config, {
    indentSeq: false,
    lineWidth: 0,
    version: '1.1',
    sortMapEntries: (a: Pair, b: Pair) => (goYamlKeyLess(String(keyOf(a)), String(keyOf(b))) ? -1 : goYamlKeyLess(String(keyOf(b)), String(keyOf(a))) ? 1 : 0),
  });
}

function keyOf(pair: Pair): unknown {
  const key = pair.key as unknown;
  return isMap(key) ? '' : typeof key === 'object' && key !== null && 'value' in key ? (key as { value: unknown }).value : key;
}

/**
 * go-yaml v2 sorter.go keyList.Less for two string keys: rune by rune,
 * letters by code point, a non-letter before a letter, digit runs compared
 * as numbers; a prefix first.
 */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i += 1) {
    const x = ar[i]!;
    const y = br[i]!;
    if (x === y) continue;
    const al = isLetter(x);
    const bl = isLetter(y);
    if (al && bl) return x < y;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (x === '0' || y === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j -= 1) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai += 1) an = an * 10 + Number(ar[ai]);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]!); bi += 1) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return x < y;
  }
  return ar.length < br.length;
}

function isLetter(c: string): boolean {
  return /\p{L}/u.test(c);
}

function isDigit(c: string): boolean {
  return /\p{Nd}/u.test(c);
}

/** Why the generated file cannot be predicted from the gathered facts, or undefined when it can (it was gathered verbatim). */
export function generatedEtcdConfigProblem(facts: NodeFacts, dataDir: string): string | undefined {
  const path = `${dataDir}/${ETCD_CONFIG_FILE}`;
  const entry = facts.paths[path];
  if (!entry?.exists) return `RKE2 has not written etcd's config file ${path} yet, so cis-fix cannot predict what kube-bench reads after an etcd-arg edit`;
  if (entry.content.kind !== 'text' || !entry.content.verbatim || !entry.sha256)
    return `${path} (etcd's config, which RKE2 generates with etcd-arg merged in) could not be read verbatim, so cis-fix cannot predict it after an edit`;
  return undefined;
}
