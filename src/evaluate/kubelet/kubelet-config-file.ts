import { isMap, isNode, parseAllDocuments, type Document } from 'yaml';
import { memoByText } from '../../facts/text-memo.js';
import { existsFollowing, normalizePath } from '../../facts/index.js';
import type { NodeFacts } from '../../facts/types.js';
import { kubeletProblem, type KubeletProblem } from './kubelet-problem.js';
import { lineOf } from './sourced-text.js';

/**
 * A KubeletConfiguration file as cis-fix read it from the facts. YAML is
 * parsed with YAML 1.1 rules (yes/no/on/off are booleans), as the kubelet's
 * decoder (sigs.k8s.io/yaml over go-yaml v2) and kube-bench (go-yaml v2) do;
 * JSON is YAML. Pure.
 *
 * Invariant: `data` is set iff the file exists, its text was gathered, and
 * it holds exactly one document that is a mapping (or is empty); otherwise
 * `problem` says why.
 */
export interface KubeletConfigFile {
  readonly path: string;
  readonly exists: boolean;
  readonly text: string | undefined;
  /** The gathered text is byte-for-byte the file (FileContent.verbatim): only then may it be edited. */
  readonly verbatim: boolean;
  readonly data: Readonly<Record<string, unknown>> | undefined;
  readonly document: Document | undefined;
  readonly problem: KubeletProblem | undefined;
}

export const YAML_OPTIONS = { version: '1.1', uniqueKeys: true } as const;

/** Parsed once per distinct text (read-only: lookupConfigKey only reads it). */
export const parseConfigDocuments = memoByText((text: string) => parseAllDocuments(text, YAML_OPTIONS));

export function readKubeletConfigFile(facts: NodeFacts, path: string): KubeletConfigFile {
  const normalized = normalizePath(path);
  const entry = facts.paths[normalized];
  const base = { path: normalized, text: undefined, verbatim: false, data: undefined, document: undefined };
  if (!entry || !existsFollowing(facts.paths, normalized) || !entry.exists) {
    const looked = entry !== undefined;
    return {
      ...base,
      exists: false,
      problem: kubeletProblem(
        'config-unreadable',
        looked ? `the kubelet's --config ${normalized} does not exist` : `cis-fix did not gather the kubelet's --config ${normalized}`,
        normalized,
      ),
    };
  }
  if (entry.content.kind !== 'text') {
    const why = entry.content.kind === 'withheld' ? `withheld (${entry.content.reason})` : 'not gathered';
    return {
      ...base,
      exists: true,
      problem: kubeletProblem('config-unreadable', `the content of the kubelet's --config ${normalized} was ${why}`, normalized),
    };
  }
  const text = entry.content.text;
  const verbatim = entry.content.verbatim;
  const documents = parseConfigDocuments(text);
  const invalid = (why: string): KubeletConfigFile => ({
    ...base,
    exists: true,
    text,
    verbatim,
    problem: kubeletProblem('config-invalid', `${normalized} ${why}`, normalized),
  });
  if (documents.length > 1) return invalid('holds more than one YAML document');
  const document = documents[0];
  if (!document || document.contents === null) return { ...base, exists: true, text, verbatim, data: {}, document, problem: undefined };
  if (document.errors.length > 0) return invalid(`is not valid YAML/JSON: ${document.errors[0]?.message.split('\n')[0] ?? ''}`);
  if (!isMap(document.contents)) return invalid('is not a mapping');
  const data = document.toJS() as Record<string, unknown>;
  return { ...base, exists: true, text, verbatim, data, document, problem: undefined };
}

/** A dotted key ("authentication.anonymous.enabled") in the file: its value and 1-based line, when present. */
export function lookupConfigKey(file: KubeletConfigFile, key: string): { readonly value: unknown; readonly line: number } | undefined {
  if (!file.data || !file.document || file.text === undefined) return undefined;
  const parts = key.split('.');
  let cursor: unknown = file.data;
  for (const part of parts) {
    if (cursor === null || typeof cursor !== 'object' || Array.isArray(cursor) || !Object.prototype.hasOwnProperty.call(cursor, part)) return undefined;
    cursor = (cursor as Record<string, unknown>)[part];
  }
  const node = file.document.getIn(parts, true);
  const start = isNode(node) ? (node.range?.[0] ?? 0) : 0;
  return { value: cursor, line: lineOf(file.text, start) };
}
