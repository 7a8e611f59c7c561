import { isMap, isScalar } from 'yaml';
import type { Scalar } from 'yaml';
import type { ManifestStyle } from './manifest-style.js';
import { columnOf } from './manifest-style.js';
import { rangeOf } from '../../evaluate/static-pod/manifest-layout.js';
import type { SequenceSlot, SourceRange } from '../../evaluate/static-pod/manifest-layout.js';
import { blockScalarText, flowMapText, flowScalarText, jsonText } from './scalar-text.js';
import { afterLineEnd, deleteLines, insertLines, lineEnding, lineStart } from './text-splice.js';
import type { Splice } from './text-splice.js';

/**
 * A sequence's new content, expressed against its old items, turned into
 * splices that touch only the lines of items that change. A block sequence
 * loses whole lines for removed items, gets new lines (indented like their
 * siblings) for new ones, and has replaced items rewritten in place; a flow
 * sequence (`[a, b]`) is rewritten as a whole, keeping the source text of
 * the items it keeps.
 */

/** A new item: a string scalar, or a mapping written with its keys in the given order. */
export type NewItem = string | Readonly<Record<string, unknown>>;

/**
 * The sequence's new items in order. Invariants: `keep` and `replace` name
 * old items of the sequence, each at most once, in their old order; an old
 * item not named is removed. `replace` only applies to scalars.
 */
export type ItemChange =
  | { readonly kind: 'keep'; readonly node: unknown }
  | { readonly kind: 'replace'; readonly node: Scalar; readonly value: string }
  | { readonly kind: 'insert'; readonly value: NewItem };

export type SpliceResult = { readonly kind: 'splices'; readonly splices: readonly Splice[] } | { readonly kind: 'problem'; readonly problem: string };

export function sequenceSplices(text: string, slot: SequenceSlot, changes: readonly ItemChange[], style: ManifestStyle): SpliceResult {
  const seq = slot.seq;
  if (!seq || seq.items.length === 0) {
    if (seq?.flow) return flowSplices(text, rangeOf(seq), [], changes, style);
    return newItemsSplices(text, slot, changes, style);
  }
  if (seq.flow) return flowSplices(text, rangeOf(seq), seq.items, changes, style);
  return blockSplices(text, slot, changes, style);
}

function blockSplices(text: string, slot: SequenceSlot, changes: readonly ItemChange[], style: ManifestStyle): SpliceResult {
  const items = slot.seq?.items ?? [];
  const eol = lineEnding(text);
  const named = new Set(changes.flatMap((c) => (c.kind === 'insert' ? [] : [c.node])));
  const splices: Splice[] = [];
  for (const item of items) {
    if (named.has(item)) continue;
    const range = rangeOf(item);
    if (!range || !isScalar(item)) return problem(`cannot remove a ${slot.key} item that is not a single value`);
    const linePrefix = prefixOf(text, range);
    if (linePrefix === undefined) return problem(`cannot remove ${slot.key} item ${JSON.stringify(item.value)}: it shares its line with other content`);
    splices.push(deleteLines(text, range[0], range[1]));
  }
  for (const change of changes) {
    if (change.kind !== 'replace') continue;
    const range = rangeOf(change.node);
    if (!range) return problem(`cannot replace a ${slot.key} item without a source position`);
    splices.push({ start: range[0], end: range[1], insert: blockScalarText(change.value, change.node.type) });
  }
  const reference = items.find((item) => isMap(item) || isScalar(item));
  const referenceRange = rangeOf(reference);
  const dashPrefix = referenceRange ? prefixOf(text, referenceRange) : undefined;
  if (changes.some((c) => c.kind === 'insert') && dashPrefix === undefined)
    return problem(`cannot add to ${slot.key}: its items do not each start a line with "- "`);
  let index = 0;
  while (index < changes.length) {
    if (changes[index]?.kind !== 'insert') {
      index += 1;
      continue;
    }
    const run: NewItem[] = [];
    const runStart = index;
    for (let c = changes[index]; c?.kind === 'insert'; c = changes[++index]) run.push(c.value);
    const before = rangeOf(lastAnchor(changes, runStart));
    const after = rangeOf(firstAnchor(changes, index));
    const first = rangeOf(items[0]);
    const at = before ? afterLineEnd(text, before[1]) : after ? lineStart(text, after[0]) : first ? lineStart(text, first[0]) : text.length;
    const lines = run.flatMap((value) => itemLines(value, dashPrefix ?? '- ', reference, style));
    splices.push(insertLines(text, at, lines, eol));
  }
  return { kind: 'splices', splices };
}

function lastAnchor(changes: readonly ItemChange[], before: number): unknown {
  for (let i = before - 1; i >= 0; i -= 1) {
    const change = changes[i];
    if (change && change.kind !== 'insert') return change.node;
  }
  return undefined;
}

function firstAnchor(changes: readonly ItemChange[], from: number): unknown {
  return changes.slice(from).find((c) => c.kind !== 'insert')?.node as unknown;
}

/** `    - ` before a block item's first character, or undefined when the line holds something else too. */
function prefixOf(text: string, range: SourceRange): string | undefined {
  const prefix = text.slice(lineStart(text, range[0]), range[0]);
  return /^ *- +$/.test(prefix) ? prefix : undefined;
}

/** A rewritten flow sequence `[a, b]`; nothing when its items do not change. */
function flowSplices(
  text: string,
  range: SourceRange | undefined,
  items: readonly unknown[],
  changes: readonly ItemChange[],
  style: ManifestStyle,
): SpliceResult {
  if (!range) return problem('cannot edit a flow sequence without a source position');
  const unchanged = changes.length === items.length && changes.every((c, i) => c.kind === 'keep' && c.node === items[i]);
  if (unchanged) return { kind: 'splices', splices: [] };
  const parts: string[] = [];
  for (const change of changes) {
    if (change.kind === 'keep') {
      const itemRange = rangeOf(change.node);
      if (!itemRange) return problem('cannot keep a flow item without a source position');
      parts.push(text.slice(itemRange[0], itemRange[1]));
    } else if (change.kind === 'replace') {
      parts.push(flowScalarText(change.value, change.node.type));
    } else if (style.json) {
      parts.push(jsonText(change.value));
    } else {
      const quoted = items.find((item) => isScalar(item) && (item.type === 'QUOTE_DOUBLE' || item.type === 'QUOTE_SINGLE')) as Scalar | undefined;
      parts.push(typeof change.value === 'string' ? flowScalarText(change.value, quoted?.type) : flowMapText(change.value));
    }
  }
  const padded = /^\[[ \t]/.test(text.slice(range[0], range[1]));
  const insert = parts.length === 0 ? '[]' : padded ? `[ ${parts.join(', ')} ]` : `[${parts.join(', ')}]`;
  return { kind: 'splices', splices: [{ start: range[0], end: range[1], insert }] };
}

/**
 * Items for a key that has none yet: under an existing empty `key:`, or as
 * a new `key:` after the mapping's last key, indented as the manifest
 * indents its other sequences.
 */
function newItemsSplices(text: string, slot: SequenceSlot, changes: readonly ItemChange[], style: ManifestStyle): SpliceResult {
  const values = changes.flatMap((c) => (c.kind === 'insert' ? [c.value] : []));
  if (values.length === 0) return { kind: 'splices', splices: [] };
  const eol = lineEnding(text);
  if (slot.pair) {
    const keyRange = rangeOf(slot.pair.key);
    const valueRange = rangeOf(slot.pair.value);
    if (!keyRange) return problem(`cannot add to ${slot.key}: no source position`);
    if (valueRange && valueRange[1] > valueRange[0]) return problem(`cannot add to ${slot.key}: it holds an explicit null`);
    const dash = `${' '.repeat(columnOf(text, keyRange[0]) + style.sequenceOffset)}- `;
    const lines = values.flatMap((value) => itemLines(value, dash, undefined, style));
    return { kind: 'splices', splices: [insertLines(text, afterLineEnd(text, keyRange[1]), lines, eol)] };
  }
  const owner = slot.owner;
  const last = owner.items[owner.items.length - 1];
  const lastKey = rangeOf(last?.key);
  if (owner.flow || !last || !lastKey) return problem(`cannot add the key ${slot.key}: its mapping is written in flow style or is empty`);
  const end = rangeOf(last.value)?.[1] ?? lastKey[1];
  const column = columnOf(text, lastKey[0]);
  const dash = `${' '.repeat(column + style.sequenceOffset)}- `;
  const lines = [`${' '.repeat(column)}${slot.key}:`, ...values.flatMap((value) => itemLines(value, dash, undefined, style))];
  return { kind: 'splices', splices: [insertLines(text, afterLineEnd(text, end), lines, eol)] };
}

/**
 * The lines of one new block item: `dash` before its first line, the same
 * width of spaces before the others. A new scalar copies the quoting of its
 * reference sibling when that is quoted by choice (its value would be plain
 * without quotes); a new mapping keeps the key order
 * of a mapping sibling when it has the same keys.
 */
function itemLines(value: NewItem, dash: string, reference: unknown, style: ManifestStyle): string[] {
  if (typeof value === 'string') {
    // Quoting is copied only where it was the writer's habit: a sibling whose value needs quotes anyway (`"a: b"`)
    // says nothing about style, and copying it would make the result depend on the order edits arrive in.
    const habit =
      isScalar(reference) &&
      (reference.type === 'QUOTE_DOUBLE' || reference.type === 'QUOTE_SINGLE') &&
      blockScalarText(String(reference.value)) === String(reference.value);
    const quoted = habit ? (reference.type as 'QUOTE_DOUBLE' | 'QUOTE_SINGLE') : undefined;
    return [dash + blockScalarText(value, quoted)];
  }
  const lines = mappingLines(orderLike(value, reference), ' '.repeat(dash.length), style);
  return lines.map((line, i) => (i === 0 ? dash + line.slice(dash.length) : line));
}

function mappingLines(value: Readonly<Record<string, unknown>>, indent: string, style: ManifestStyle): string[] {
  return Object.entries(value).flatMap(([key, child]) => {
    if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
      return [`${indent}${blockScalarText(key)}:`, ...mappingLines(child as Record<string, unknown>, indent + ' '.repeat(style.mapIndent), style)];
    }
    const text = typeof child === 'string' ? blockScalarText(child) : String(child);
    return [`${indent}${blockScalarText(key)}: ${text}`];
  });
}

/** `value` with its keys in the order a sibling mapping uses (unknown keys last, in their given order). */
function orderLike(value: Readonly<Record<string, unknown>>, reference: unknown): Readonly<Record<string, unknown>> {
  if (!isMap(reference)) return value;
  const order = reference.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : ''));
  const rank = (key: string) => {
    const i = order.indexOf(key);
    return i < 0 ? order.length : i;
  };
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b));
  return Object.fromEntries(keys.map((key) => [key, value[key]]));
}

function problem(text: string): SpliceResult {
  return { kind: 'problem', problem: text };
}
