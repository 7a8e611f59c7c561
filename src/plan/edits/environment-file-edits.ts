import { parseEnvironmentFile } from '../../evaluate/kubelet/environment-file.js';
import { deleteLines, insertLines, lineEnding, type Splice } from './text-splice.js';

/**
 * Byte-exact edits of a systemd environment file (`KEY=value` lines, as
 * `EnvironmentFile=` reads them; environment-file.ts parses them as
 * systemd does). Only the assignment an edit is about changes: comments,
 * blank lines, other assignments and the line endings stay byte-identical.
 * A value keeps the quoting its line used where it can. Pure; every edit is
 * idempotent (applied to its own result it changes nothing).
 */

/** A value written so that systemd reads back exactly `value`, in the style the old line used when that is safe. */
export function quoteEnvironmentValue(value: string, style: 'double' | 'single' | 'plain'): string {
  if (style === 'plain' && /^[A-Za-z0-9_.,:/@%+=-]*$/.test(value)) return value;
  if (style === 'single' && !value.includes("'") && !value.includes('\n')) return `'${value}'`;
  return `"${value.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

/**
 * Sets `name` to `value`: the assignment in effect (the last one) is
 * rewritten where it stands; without one, `KEY="value"` is appended at the
 * end of the file. Returns no splice when the file already says so.
 */
export function setVariable(text: string, name: string, value: string): Splice[] {
  const assignments = parseEnvironmentFile(text).filter((a) => a.name === name);
  const last = assignments[assignments.length - 1];
  if (last === undefined) return [insertLines(text, text.length, [`${name}=${quoteEnvironmentValue(value, 'double')}`], lineEnding(text))];
  if (last.value.text === value) return [];
  const written = text.slice(last.span.start, last.span.end);
  const eq = written.indexOf('=');
  const rest = written.slice(eq + 1).replace(/^[ \t]*/, '');
  const style = rest.startsWith('"') ? 'double' : rest.startsWith("'") ? 'single' : 'plain';
  return [{ start: last.span.start, end: last.span.end, insert: `${written.slice(0, eq + 1)}${quoteEnvironmentValue(value, style)}` }];
}

/** Removes every assignment of `name` (its whole lines). */
export function removeVariable(text: string, name: string): Splice[] {
  return parseEnvironmentFile(text)
    .filter((a) => a.name === name)
    .map((a) => deleteLines(text, a.span.start, Math.max(a.span.start, a.span.end - 1)));
}

/**
 * Every `NAME=` a file may assign, in an environment file or on a unit's
 * `Environment=` line alike (to refuse files that hold a credential): more
 * than systemd would read, never less.
 */
export function assignedNames(text: string): string[] {
  return [...new Set([...parseEnvironmentFile(text).map((a) => a.name), ...[...text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!)])];
}
