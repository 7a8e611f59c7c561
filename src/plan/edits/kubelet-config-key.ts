import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isNode, isScalar, isSeq, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { parseConfigDocuments, YAML_OPTIONS } from '../../evaluate/kubelet/kubelet-config-file.js';
import type { SettingValue } from '../../playbook/types.js';
import { withKey, type ConfigKeyEdit } from './config-key-edit.js';
import { setJsonConfigKey } from './json-config-key.js';
import { kubeletConfigSyntax } from './kubelet-config-syntax.js';
import { applySplices, type Splice } from './text-splice.js';

export type { ConfigKeyEdit } from './config-key-edit.js';

/**
 * Set a dotted key ("authentication.anonymous.enabled") in a
 * KubeletConfiguration file. Pure.
 *
 * YAML is never re-serialised: the yaml Document API locates the nodes and
 * the edit is a splice of the original text at the offsets it reports, so
 * every byte outside the changed value (comments, quoting, sequence style,
 * blank lines) stays identical. A new key goes where a reviewer expects it:
 * in key order when the mapping is sorted (kubeadm writes it sorted), else
 * at the end of the mapping, indented like its siblings. The result is
 * re-parsed and must equal the old data with only that key changed, or the
 * edit is refused. A JSON file (kubelet-config-syntax.ts decides, from its
 * `path` and text) is edited as JSON, in place (json-config-key.ts).
 */
export function setKubeletConfigKey(text: string, key: string, value: SettingValue, path?: string): ConfigKeyEdit {
  const parts = key.split('.');
  if (parts.some((p) => p === '')) return { kind: 'unsupported', reason: `"${key}" is not a dotted key` };
  if (kubeletConfigSyntax(path, text) === 'json') return setJsonConfigKey(text, parts, value);
  const documents = parseConfigDocuments(text);
  if (documents.length > 1) return { kind: 'unsupported', reason: 'the file holds more than one YAML document' };
  const document = documents[0];
  if (document && document.errors.length > 0)
    return { kind: 'unsupported', reason: `the file is not valid YAML: ${document.errors[0]?.message.split('\n')[0] ?? ''}` };
  const before: unknown = document?.toJS() ?? null;
  const expected = withKey(before ?? {}, parts, value);
  if (expected === undefined) return { kind: 'unsupported', reason: `a parent of ${key} is not a mapping` };
  if (isDeepStrictEqual(before, expected)) return { kind: 'unchanged' };

  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const style = detectStyle(text, document?.contents ?? null);
  const edit = document?.contents ? planEdit(text, document.contents as Node, parts, value, style, eol) : appendAtEnd(text, parts, value, 0, style, eol);
  if ('reason' in edit) return { kind: 'unsupported', reason: edit.reason };
  const after = applySplices(text, [edit]);
  const reparsed = parseConfigDocuments(after);
  const data: unknown = reparsed[0]?.toJS() ?? null;
  if (reparsed.length !== 1 || (reparsed[0]?.errors.length ?? 0) > 0 || !isDeepStrictEqual(data, expected)) {
    return { kind: 'unsupported', reason: `cis-fix could not set ${key} without disturbing the rest of the file; set it by hand` };
  }
  return { kind: 'edited', after };
}

interface Style {
  /** Spaces between a key's column and its children's. */
  readonly unit: number;
  /** Spaces between a key's column and the `-` of its block sequence items (kubeadm: 0). */
  readonly seqOffset: number;
}

type Edit = Splice | { readonly reason: string };

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

function detectStyle(text: string, root: unknown): Style {
  let unit: number | undefined;
  let seqOffset: number | undefined;
  const visit = (node: unknown): void => {
    if (!isMap(node) || node.flow) return;
    for (const pair of node.items) {
      const keyStart = isNode(pair.key) ? pair.key.range?.[0] : undefined;
      const value = pair.value;
      if (keyStart === undefined || !isNode(value) || !value.range) continue;
      if (unit === undefined && isMap(value) && !value.flow && value.items.length > 0) {
        const childStart = isNode(value.items[0]?.key) ? (value.items[0]?.key as Node).range?.[0] : undefined;
        if (childStart !== undefined) unit = column(text, childStart) - column(text, keyStart);
      }
      if (seqOffset === undefined && isSeq(value) && !value.flow && value.items.length > 0) seqOffset = column(text, value.range[0]) - column(text, keyStart);
      visit(value);
    }
  };
  visit(root);
  return { unit: unit !== undefined && unit > 0 ? unit : 2, seqOffset: seqOffset !== undefined && seqOffset >= 0 ? seqOffset : 0 };
}

/** Array.isArray does not narrow readonly arrays out of a union. */
function isList(value: SettingValue): value is readonly string[] {
  return Array.isArray(value);
}

function renderScalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  return new Document(value, { version: '1.1' }).toString({ lineWidth: 0 }).trimEnd();
}

/** A key written plain when YAML 1.1 reads it back as the same string (`y`, `on`, `no` would be booleans). */
function renderKey(key: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(key) && parseDocument(key, YAML_OPTIONS).toJS() === key;
  return plain ? key : renderScalar(key);
}

/** Where a value's text ends: block collections' ranges run on over the newline that follows them. */
function contentEnd(text: string, offset: number): number {
  let end = offset;
  while (end > 0 && /[ \t\r\n]/.test(text[end - 1] ?? '')) end -= 1;
  return end;
}

/** Block lines for `parts: value` at column `col`. */
function blockLines(parts: readonly string[], value: SettingValue, col: number, style: Style): string[] {
  const lines: string[] = [];
  parts.forEach((part, j) => {
    const pad = ' '.repeat(col + j * style.unit);
    if (j < parts.length - 1) {
      lines.push(`${pad}${renderKey(part)}:`);
    } else if (isList(value)) {
      if (value.length === 0) lines.push(`${pad}${renderKey(part)}: []`);
      else {
        lines.push(`${pad}${renderKey(part)}:`);
        for (const item of value) lines.push(`${' '.repeat(col + j * style.unit + style.seqOffset)}- ${renderScalar(item)}`);
      }
    } else {
      lines.push(`${pad}${renderKey(part)}: ${renderScalar(value)}`);
    }
  });
  return lines;
}

function flowValue(parts: readonly string[], value: SettingValue): string {
  const [head, ...rest] = parts;
  const inner = rest.length > 0 ? `{${flowValue(rest, value)}}` : isList(value) ? `[${value.map((v) => renderScalar(v)).join(', ')}]` : renderScalar(value);
  return `${renderKey(head ?? '')}: ${inner}`;
}

/** The offset just after the newline that ends the line holding `offset` (text length when none). */
function nextLineStart(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline + 1;
}

function appendAtEnd(text: string, parts: readonly string[], value: SettingValue, col: number, style: Style, eol: string): Edit {
  const block = blockLines(parts, value, col, style).join(eol);
  if (text === '' || text.endsWith('\n')) return { start: text.length, end: text.length, insert: block + eol };
  return { start: text.length, end: text.length, insert: eol + block + eol };
}

function planEdit(text: string, root: Node, parts: readonly string[], value: SettingValue, style: Style, eol: string): Edit {
  let map: Node = root;
  let parentKeyCol = -style.unit;
  let parentPair: Pair | undefined;
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] as string;
    const rest = parts.slice(i);
    if (isScalar(map) && (map.value === null || map.value === '') && parentPair) return fillEmpty(text, parentPair, rest, value, parentKeyCol, style, eol);
    if (!isMap(map)) return { reason: i === 0 ? 'the file is not a YAML mapping' : `${parts.slice(0, i).join('.')} is not a mapping` };
    if (map.flow) return insertIntoFlow(text, map, parentPair, rest, value, parentKeyCol, style, eol);
    const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === part);
    if (!pair) return insertIntoBlock(text, map, rest, value, style, eol);
    const keyNode = pair.key as Node;
    const keyStart = keyNode.range?.[0] ?? 0;
    if (i === parts.length - 1) return replaceValue(text, pair, value, column(text, keyStart), style, eol);
    if (pair.value === null || !isNode(pair.value)) return fillEmpty(text, pair, parts.slice(i + 1), value, column(text, keyStart), style, eol);
    parentKeyCol = column(text, keyStart);
    parentPair = pair;
    map = pair.value;
  }
  return { reason: 'nothing to edit' };
}

/** Offset of the `:` that ends a block pair's key. */
function colonAfterKey(text: string, pair: Pair): number {
  const keyEnd = isNode(pair.key) ? (pair.key.range?.[1] ?? 0) : 0;
  return text.indexOf(':', keyEnd);
}

function replaceValue(text: string, pair: Pair, value: SettingValue, keyCol: number, style: Style, eol: string): Edit {
  const node = pair.value;
  const colon = colonAfterKey(text, pair);
  if (isList(value)) {
    if (isSeq(node) && node.flow && node.range)
      return { start: node.range[0], end: node.range[1], insert: `[${value.map((v) => renderScalar(v)).join(', ')}]` };
    if ((isSeq(node) && !node.flow) || isScalar(node) || node === null) {
      const itemCol = isSeq(node) && node.range ? column(text, node.range[0]) : keyCol + style.seqOffset;
      const end = isNode(node) && node.range ? contentEnd(text, node.range[1]) : colon + 1;
      if (value.length === 0) return { start: colon + 1, end, insert: ' []' };
      return { start: colon + 1, end, insert: value.map((v) => `${eol}${' '.repeat(itemCol)}- ${renderScalar(v)}`).join('') };
    }
    return { reason: 'the key holds a mapping, not a list' };
  }
  if (isScalar(node) && node.range) {
    if (node.range[1] > node.range[0]) return { start: node.range[0], end: node.range[1], insert: renderScalar(value) };
    return { start: colon + 1, end: colon + 1, insert: ` ${renderScalar(value)}` };
  }
  if (node === null || node === undefined) return { start: colon + 1, end: colon + 1, insert: ` ${renderScalar(value)}` };
  return { reason: 'the key holds a mapping or list, not a single value' };
}

/** `key:` with nothing (or null) after it gains children on the following lines. */
function fillEmpty(text: string, pair: Pair, rest: readonly string[], value: SettingValue, keyCol: number, style: Style, eol: string): Edit {
  const node = pair.value;
  const colon = colonAfterKey(text, pair);
  const end = isScalar(node) && node.range && node.range[1] > node.range[0] ? node.range[1] : colon + 1;
  return { start: colon + 1, end, insert: eol + blockLines(rest, value, keyCol + style.unit, style).join(eol) };
}

function insertIntoFlow(
  text: string,
  map: YAMLMap,
  parentPair: Pair | undefined,
  rest: readonly string[],
  value: SettingValue,
  parentKeyCol: number,
  style: Style,
  eol: string,
): Edit {
  const range = map.range;
  if (!range) return { reason: 'a flow mapping without a position' };
  if (map.items.length === 0 && parentPair) {
    // `memorySwap: {}` becomes a block mapping: the braces go, the key keeps its line.
    const colon = colonAfterKey(text, parentPair);
    return { start: colon + 1, end: range[1], insert: eol + blockLines(rest, value, parentKeyCol + style.unit, style).join(eol) };
  }
  const close = text.lastIndexOf('}', range[1]);
  if (close < range[0]) return { reason: 'a flow mapping cis-fix cannot read' };
  return { start: close, end: close, insert: `${map.items.length > 0 ? ', ' : ''}${flowValue(rest, value)}` };
}

function insertIntoBlock(text: string, map: YAMLMap, rest: readonly string[], value: SettingValue, style: Style, eol: string): Edit {
  const keys = map.items.map((p) => (isScalar(p.key) ? String(p.key.value) : undefined));
  const firstKey = map.items[0]?.key;
  const firstStart = isNode(firstKey) ? firstKey.range?.[0] : undefined;
  if (firstStart === undefined) return { reason: 'an empty block mapping' };
  const col = column(text, firstStart);
  const block = blockLines(rest, value, col, style).join(eol) + eol;
  const name = rest[0] as string;
  const sorted = keys.every((k, i) => k !== undefined && (i === 0 || (keys[i - 1] as string) <= k));
  if (sorted) {
    const at = keys.findIndex((k) => (k as string) > name);
    const next = at >= 0 ? map.items[at]?.key : undefined;
    const nextStart = isNode(next) ? next.range?.[0] : undefined;
    if (nextStart !== undefined) {
      let start = text.lastIndexOf('\n', nextStart - 1) + 1;
      if (text.slice(start, nextStart).trim() === '') {
        // Keep comments that introduce the next key above it, with it.
        for (;;) {
          const prevStart = text.lastIndexOf('\n', start - 2) + 1;
          if (start === 0 || !/^\s*#/.test(text.slice(prevStart, start))) break;
          start = prevStart;
        }
        return { start, end: start, insert: block };
      }
    }
  }
  const last = map.items[map.items.length - 1];
  const lastNode = last?.value ?? last?.key;
  const lastEnd = isNode(lastNode) ? contentEnd(text, lastNode.range?.[1] ?? 0) : 0;
  const at = nextLineStart(text, Math.max(lastEnd - 1, 0));
  if (at === text.length && !text.endsWith('\n')) return { start: at, end: at, insert: eol + block.slice(0, -eol.length) };
  return { start: at, end: at, insert: block };
}
