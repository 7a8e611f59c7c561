import { isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { memoByText } from '../../facts/text-memo.js';

/**
 * Reading a Rancher distribution's configuration (RKE2, k3s): config.yaml
 * and its config.yaml.d/*.yaml drop-ins, as k3s' pkg/configfilearg reads
 * them, and the `*-arg` lists they give each component (k3s' util.GetArgs
 * applies them over the distribution's defaults). Pure; no editing here
 * (src/plan/edits/rancher-config.ts edits).
 *
 * The rules, from k3s' configfilearg (RKE2 uses the same package):
 * - the files are config.yaml, then config.yaml.d/ entries whose names end
 *   in .yaml or .yml (case-insensitive), in lexical order;
 * - a top-level key of a later file replaces the same key of an earlier one,
 *   except a key written with a trailing `+` (`kube-apiserver-arg+:`), which
 *   appends to the value gathered so far;
 * - each list element `flag=value` becomes `--flag=value` on the component's
 *   command line; `flag+=value` appends to the default, `flag-=value`
 *   prepends; repeated flags stay repeated; the result is sorted by flag.
 */

/** The `*-arg` keys cis-fix edits, by the component they configure. */
export const ARG_KEYS = {
  'kube-apiserver': 'kube-apiserver-arg',
  'kube-controller-manager': 'kube-controller-manager-arg',
  'kube-scheduler': 'kube-scheduler-arg',
  etcd: 'etcd-arg',
  kubelet: 'kubelet-arg',
  // Not a component cis-fix restarts on its own: k3s runs it inside its process and restarts it with its service.
  'kube-proxy': 'kube-proxy-arg',
} as const;

export type ArgComponent = keyof typeof ARG_KEYS;
export type ArgKey = (typeof ARG_KEYS)[ArgComponent];

/** One element of a `*-arg` list: `flag=value` as written, its flag (no dashes, no `+`/`-` suffix) and value. */
export interface ArgEntry {
  readonly raw: string;
  readonly flag: string;
  /** undefined for `flag` alone (GetArgs reads it as `true`). */
  readonly value: string | undefined;
  /** `flag+=v` appends to the default value, `flag-=v` prepends; `set` replaces it. */
  readonly mode: 'set' | 'append' | 'prepend';
  readonly node: Scalar;
}

/** One top-level key of a file, as configfilearg sees it. */
export interface ConfigKey {
  /** The key without a trailing `+`. */
  readonly name: string;
  readonly append: boolean;
  readonly pair: Pair;
  /**
   * The list's elements when the value is a list of plain strings, or the one
   * element of a lone string (configfilearg passes a scalar as one
   * `--key=value`, and a later `key+:` appends to it as to a one-element
   * list); undefined otherwise.
   */
  readonly entries: readonly ArgEntry[] | undefined;
  readonly seq: YAMLSeq | undefined;
  /** The lone string when the value is one (`kubelet-arg: "read-only-port=0"`). */
  readonly scalar: Scalar | undefined;
}

/**
 * Invariants: `keys` are the document's top-level keys in order; a file
 * that is empty or only comments has no keys and `root` undefined.
 */
export interface RancherConfigFile {
  readonly kind: 'config';
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly root: YAMLMap | undefined;
  readonly keys: readonly ConfigKey[];
}

export type RancherConfigReading = RancherConfigFile | { readonly kind: 'problem'; readonly problem: string };

/** Parse one config file; a problem when cis-fix could not edit it safely. */
export const readRancherConfig = memoByText((text: string): RancherConfigReading => {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { uniqueKeys: true });
  } catch (error) {
    return { kind: 'problem', problem: `it is not valid YAML: ${String(error)}` };
  }
  const error = doc.errors[0];
  if (error) return { kind: 'problem', problem: `it is not valid YAML: ${error.message.split('\n')[0] ?? ''}` };
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return { kind: 'config', text, doc, root: undefined, keys: [] };
  if (!isMap(contents)) return { kind: 'problem', problem: 'it is not a YAML mapping of options' };
  if (contents.flow) return { kind: 'problem', problem: 'it is written as a flow mapping ({...}); cis-fix edits block mappings only' };
  const keys: ConfigKey[] = [];
  for (const pair of contents.items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string') return { kind: 'problem', problem: 'it has a key that is not a plain string' };
    const written = pair.key.value;
    const append = written.endsWith('+');
    const name = append ? written.slice(0, -1) : written;
    const value = pair.value;
    let entries: ArgEntry[] | undefined;
    let seq: YAMLSeq | undefined;
    let scalar: Scalar | undefined;
    if (isSeq(value) && !isAlias(value)) {
      seq = value;
      const items: unknown[] = value.items;
      const scalars = items.filter((item): item is Scalar => isScalar(item) && !isAlias(item) && typeof item.value === 'string');
      if (scalars.length === items.length) entries = scalars.map((node) => argEntry(node.value as string, node));
    } else if (isScalar(value) && typeof value.value === 'string' && value.value.trim() !== '') {
      scalar = value;
      entries = [argEntry(value.value, value)];
    }
    keys.push({ name, append, pair, entries, seq, scalar });
  }
  return { kind: 'config', text, doc, root: contents, keys };
});

/** `flag=value`, `--flag=value`, `flag+=value`, `flag-=value`, `flag`. */
export function argEntry(raw: string, node: Scalar): ArgEntry {
  const at = raw.indexOf('=');
  const name = (at < 0 ? raw : raw.slice(0, at)).replace(/^--?/, '');
  const mode = name.endsWith('+') ? 'append' : name.endsWith('-') ? 'prepend' : 'set';
  return { raw, flag: name.replace(/[-+]+$/, ''), value: at < 0 ? undefined : raw.slice(at + 1), mode, node };
}

/** A file among the distribution's config files, in the order the distribution reads them. */
export interface RancherConfigSource {
  readonly path: string;
  readonly text: string;
}

/**
 * Where one `*-arg` key of a component comes from: the file whose plain
 * `key:` wins (the last one; none when no file sets it) and the files after
 * it that append with `key+:`. Entries earlier than the winner are ignored by
 * the distribution. Invariant: `contributors` are in reading order, the
 * winner (when any) first.
 */
export interface ArgKeySources {
  readonly key: ArgKey;
  readonly winner: string | undefined;
  readonly contributors: readonly { readonly path: string; readonly key: ConfigKey }[];
  /** The flags in effect as `flag=value` list elements, in order. */
  readonly entries: readonly ArgEntry[];
}

/** configfilearg's merge of one key over the files in reading order. A file that does not parse makes the merge unknown. */
export function argKeySources(files: readonly RancherConfigSource[], key: ArgKey): ArgKeySources | { readonly problem: string } {
  let winner: string | undefined;
  let contributors: { path: string; key: ConfigKey }[] = [];
  for (const file of files) {
    const reading = readRancherConfig(file.text);
    if (reading.kind === 'problem') return { problem: `${file.path}: ${reading.problem}` };
    for (const k of reading.keys) {
      if (k.name !== key) continue;
      if (k.entries === undefined && !isEmpty(k))
        return { problem: `${file.path}: ${k.name} is not a list of "flag=value" strings; cis-fix edits only such lists` };
      if (k.append && contributors.length > 0) contributors.push({ path: file.path, key: k });
      else {
        winner = file.path;
        contributors = [{ path: file.path, key: k }];
      }
    }
  }
  return { key, winner, contributors, entries: contributors.flatMap((c) => c.key.entries ?? []) };
}

function isEmpty(key: ConfigKey): boolean {
  const value = key.pair.value;
  return value === null || value === undefined || (isScalar(value) && value.value === null);
}

/**
 * The files a distribution reads, in order: config.yaml when it exists, then
 * the drop-ins whose names end in .yaml/.yml (any case), sorted as Go's
 * os.ReadDir sorts them (by bytes).
 */
export function configFileOrder(configPath: string, dropIns: readonly string[]): string[] {
  const dir = `${configPath}.d/`;
  const names = dropIns
    .filter((p) => p.startsWith(dir) && !p.slice(dir.length).includes('/') && /\.ya?ml$/i.test(p))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)) as number);
  return [configPath, ...names];
}
