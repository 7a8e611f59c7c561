import { isDeepStrictEqual } from 'node:util';
import { applyEdits, findNodeAtLocation, modify, parseTree, type FormattingOptions } from 'jsonc-parser';
import type { SettingValue } from '../../playbook/types.js';
import { withKey, type ConfigKeyEdit } from './config-key-edit.js';

/**
 * Set a dotted key in a JSON kubelet configuration in place, as JSON (the
 * EKS node image's kubelet-config.json). Pure.
 *
 * The file is never re-serialised: jsonc-parser's `modify` computes a text
 * edit at the key (a replaced value, or a new property appended to its
 * object, missing parent objects created), formatted with the file's own
 * indentation and line ends when the file is pretty-printed, and inline when
 * it is written on one line. The result must parse as strict JSON to
 * exactly the old data with only that key changed, and every byte the edit
 * does not own must be the file's: only whitespace and punctuation around
 * the insertion point, or bytes of the old value itself, may differ. Otherwise the
 * edit is refused, never approximated.
 */
export function setJsonConfigKey(text: string, parts: readonly string[], value: SettingValue): ConfigKeyEdit {
  let before: unknown;
  try {
    before = JSON.parse(text);
  } catch (e) {
    return { kind: 'unsupported', reason: `the file is not valid JSON (${(e as Error).message})` };
  }
  const expected = withKey(before, parts, value);
  if (expected === undefined) return { kind: 'unsupported', reason: `a parent of ${parts.join('.')} is not an object` };
  if (isDeepStrictEqual(before, expected)) return { kind: 'unchanged' };

  const jsonValue = Array.isArray(value) ? [...(value as readonly string[])] : value;
  const oldValue = oldValueRange(text, parts);
  for (const formatting of formattingsFor(text)) {
    const edits = modify(text, [...parts], jsonValue, formatting ? { formattingOptions: formatting } : {});
    const after = applyEdits(text, edits);
    if (parsesTo(after, expected) && onlyTheKeyChanged(text, after, oldValue)) return { kind: 'edited', after };
  }
  return { kind: 'unsupported', reason: `cis-fix could not set ${parts.join('.')} without disturbing the rest of the JSON file; set it by hand` };
}

/** The file's own formatting first (pretty-printed files), then an inline edit. */
function formattingsFor(text: string): (FormattingOptions | undefined)[] {
  const body = text.trimEnd();
  if (!body.includes('\n')) return [undefined];
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const formatting: FormattingOptions = {
    insertSpaces: !indent.startsWith('\t'),
    tabSize: indent.startsWith('\t') ? 1 : indent.length,
    eol: text.includes('\r\n') ? '\r\n' : '\n',
    insertFinalNewline: false,
  };
  return [formatting, undefined];
}

function parsesTo(text: string, expected: unknown): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(text), expected);
  } catch {
    return false;
  }
}

/** Where the value the key holds today is in the text, when it exists. */
function oldValueRange(text: string, parts: readonly string[]): { readonly start: number; readonly end: number } | undefined {
  const root = parseTree(text);
  const node = root ? findNodeAtLocation(root, [...parts]) : undefined;
  return node ? { start: node.offset, end: node.offset + node.length } : undefined;
}

/**
 * The bytes of `before` that `after` does not keep (between the common
 * prefix and suffix) are either the old value or only layout and
 * punctuation: nothing else of the file was rewritten.
 */
function onlyTheKeyChanged(before: string, after: string, oldValue: { readonly start: number; readonly end: number } | undefined): boolean {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start += 1;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end += 1;
  const stop = before.length - end;
  if (before.slice(start, stop).replace(/[\s,{}[\]]/g, '') === '') return true;
  return oldValue !== undefined && start >= oldValue.start && stop <= oldValue.end;
}
