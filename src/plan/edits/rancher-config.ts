import { isSeq, type Scalar } from 'yaml';
import { rangeOf } from '../../evaluate/static-pod/manifest-layout.js';
import { readRancherConfig, type ArgKey, type ConfigKey, type RancherConfigFile } from '../../evaluate/rancher/rancher-config.js';
import { columnOf, type ManifestStyle } from './manifest-style.js';
import { sequenceSplices, type ItemChange } from './sequence-splice.js';
import { applySplices, lineEnding, lineStart } from './text-splice.js';

/**
 * The `rancher-config` kind's edit (DESIGN.md §7 "Distributions are
 * layouts"): a pure before → after transform of one RKE2/k3s config file
 * that removes every entry of a flag from a `*-arg` list and, where the
 * caller says so, adds one `flag=value` entry. Only the lines that change
 * are written; comments, key order, quoting, indentation and line endings of
 * everything else stay byte for byte (the yaml Document API locates, a
 * splice of the original text changes).
 */

/**
 * One edit. `value` undefined removes the flag; `add` says whether this file
 * receives the new `flag=value` entry (the file whose list wins), else the
 * flag's entries are only removed from it (a file that appends to the list).
 */
export interface ArgEdit {
  readonly key: ArgKey;
  readonly flag: string;
  readonly value: string | undefined;
  readonly add: boolean;
}

/** Invariants: `changed` ⇔ `text` differs from the input; a problem leaves `text` as the input. */
export type RancherConfigEditResult =
  { readonly kind: 'edited'; readonly text: string; readonly changed: boolean } | { readonly kind: 'problem'; readonly problem: string };

/** Apply the edits in order, each to the previous result. Never throws on bad input. */
export function editRancherConfig(text: string, edits: readonly ArgEdit[]): RancherConfigEditResult {
  let current = text;
  for (const edit of edits) {
    const result = applyOne(current, edit);
    if (result.kind === 'problem') return result;
    current = result.text;
  }
  return { kind: 'edited', text: current, changed: current !== text };
}

/** What an edit does, in words for the plan. */
export function describeArgEdit(edit: ArgEdit): string {
  if (edit.value === undefined) return `${edit.key}: remove ${edit.flag}`;
  return edit.add ? `${edit.key}: set ${edit.flag}=${edit.value}` : `${edit.key}: remove ${edit.flag} (set in the file that wins)`;
}

function applyOne(text: string, edit: ArgEdit): { kind: 'edited'; text: string } | { kind: 'problem'; problem: string } {
  const reading = readRancherConfig(text);
  if (reading.kind === 'problem') return reading;
  const keys = reading.keys.filter((k) => k.name === edit.key);
  for (const key of keys) {
    if (key.entries === undefined && key.seq !== undefined) return problem(`${keyName(key)} holds something other than "flag=value" strings`);
    if (key.entries === undefined && !isNull(key)) return problem(`${keyName(key)} is not a list`);
  }
  const target = edit.add && edit.value !== undefined ? (keys.filter((k) => !k.append).pop() ?? keys[keys.length - 1]) : undefined;
  const entry = edit.value === undefined ? undefined : `${edit.flag}=${edit.value}`;
  const style = styleOf(reading);
  const splices = [];
  for (const key of keys) {
    const entries = key.entries ?? [];
    const kept = entries.filter((e) => e.flag !== edit.flag);
    const adding = key === target && entry !== undefined;
    if (kept.length === entries.length && !adding) continue;
    if (key.scalar) {
      // A lone string: rewritten in place, as one string when one entry remains, else as a flow list.
      const range = rangeOf(key.scalar);
      if (range === undefined) return problem(`${keyName(key)} has no source position`);
      const values = [...kept.map((e) => e.raw), ...(adding ? [entry] : [])];
      const insert = values.length === 1 ? quotedLike(values[0]!, key.scalar) : `[${values.map(quoted).join(', ')}]`;
      splices.push({ start: range[0], end: range[1], insert });
      continue;
    }
    if (kept.length === 0 && !adding && key.seq && !key.seq.flow) {
      // An emptied block list would read as null, which the distribution turns into an empty flag: write `[]`.
      const keyEnd = rangeOf(key.pair.key)?.[1];
      const seqEnd = rangeOf(key.seq)?.[1];
      if (keyEnd === undefined || seqEnd === undefined) return problem(`${keyName(key)} has no source position`);
      const removed = text.slice(keyEnd, seqEnd);
      splices.push({ start: keyEnd, end: seqEnd, insert: `: []${removed.endsWith('\n') ? lineEnding(text) : ''}` });
      continue;
    }
    const changes: ItemChange[] = kept.map((e) => ({ kind: 'keep', node: e.node }));
    if (adding) changes.push({ kind: 'insert', value: entry });
    const slot = { owner: reading.root!, key: keyName(key), pair: key.pair, seq: key.seq };
    const result = sequenceSplices(text, slot, changes, style);
    if (result.kind === 'problem') return result;
    splices.push(...result.splices);
  }
  if (entry !== undefined && edit.add && target === undefined) {
    // No list for this component in the file yet: a new key at the end.
    if (!reading.root) {
      const eol = lineEnding(text);
      const sep = text.length === 0 || text.endsWith('\n') ? '' : eol;
      splices.push({ start: text.length, end: text.length, insert: `${sep}${edit.key}:${eol}${' '.repeat(style.sequenceOffset)}- ${quoted(entry)}${eol}` });
    } else {
      const slot = { owner: reading.root, key: edit.key, pair: undefined, seq: undefined };
      const result = sequenceSplices(text, slot, [{ kind: 'insert', value: entry }], style);
      if (result.kind === 'problem') return result;
      splices.push(...result.splices);
    }
  }
  return { kind: 'edited', text: applySplices(text, splices) };
}

function keyName(key: ConfigKey): string {
  return key.append ? `${key.name}+` : key.name;
}

function isNull(key: ConfigKey): boolean {
  const value = key.pair.value as { value?: unknown } | null | undefined;
  return value === null || value === undefined || value.value === null;
}

/** A string written in place of `node`, in its quoting when that can hold it. */
function quotedLike(value: string, node: Scalar): string {
  if (node.type === 'QUOTE_SINGLE' && !value.includes("'")) return `'${value}'`;
  if (node.type === 'PLAIN' && /^[A-Za-z0-9][\w.,:/=+-]*$/.test(value) && !/: |:$/.test(value)) return value;
  return quoted(value);
}

/** A new entry on its own, written as RKE2's documentation writes them. */
function quoted(entry: string): string {
  return JSON.stringify(entry);
}

/** The file's sequence indentation (from its first block list), two spaces when it has none. */
function styleOf(file: RancherConfigFile): ManifestStyle {
  for (const key of file.keys) {
    const seq = key.pair.value;
    const first = isSeq(seq) && !seq.flow ? rangeOf(seq.items[0]) : undefined;
    const keyStart = rangeOf(key.pair.key)?.[0];
    if (!first || keyStart === undefined) continue;
    const prefix = file.text.slice(lineStart(file.text, first[0]), first[0]);
    const dash = prefix.indexOf('-');
    if (dash >= 0) return { sequenceOffset: Math.max(0, dash - columnOf(file.text, keyStart)), mapIndent: 2, json: false };
  }
  return { sequenceOffset: 2, mapIndent: 2, json: false };
}

function problem(text: string): { kind: 'problem'; problem: string } {
  return { kind: 'problem', problem: text };
}
