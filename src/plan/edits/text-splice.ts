/**
 * Byte-exact text edits. The manifest is never re-serialised as a whole:
 * the yaml package would normalise indentation, sequence style and line
 * folding of lines no control touches, and the plan promises that those stay
 * byte-identical. Edits are therefore expressed as splices of the original
 * text at offsets the yaml parser reported.
 */

/**
 * Replace `text.slice(start, end)` with `insert`. Invariant: 0 <= start <=
 * end <= text length. Splices applied together must not overlap (two
 * insertions at the same offset keep their given order).
 */
export interface Splice {
  readonly start: number;
  readonly end: number;
  readonly insert: string;
}

/** Apply non-overlapping splices; throws on overlap, which is a bug in the caller. */
export function applySplices(text: string, splices: readonly Splice[]): string {
  const ordered = splices.map((s, i) => ({ ...s, i })).sort((a, b) => a.start - b.start || a.end - b.end || a.i - b.i);
  let out = '';
  let cursor = 0;
  for (const splice of ordered) {
    if (splice.start < cursor || splice.end < splice.start || splice.end > text.length) {
      throw new Error(`overlapping or out-of-range splice ${splice.start}-${splice.end} (cursor ${cursor})`);
    }
    out += text.slice(cursor, splice.start) + splice.insert;
    cursor = splice.end;
  }
  return out + text.slice(cursor);
}

/** The offset where the line holding `offset` begins. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * The offset just after the line that holds `offset` ends (after its
 * newline, or the text length on a last line without one). An offset that
 * already sits at the start of a line (just after a newline, as block
 * collections' end offsets do) is returned unchanged.
 */
export function afterLineEnd(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline + 1;
}

/** The line ending the file already uses, so inserted lines match it. */
export function lineEnding(text: string): '\n' | '\r\n' {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * Insert whole lines at a line boundary (`offset` must be a line start or
 * the text length). On a last line without a newline the inserted lines are
 * put on a line of their own.
 */
export function insertLines(text: string, offset: number, lines: readonly string[], eol: string): Splice {
  const body = lines.map((line) => line + eol).join('');
  if (offset === text.length && text.length > 0 && !text.endsWith('\n')) return { start: offset, end: offset, insert: eol + body.slice(0, -eol.length) };
  return { start: offset, end: offset, insert: body };
}

/**
 * Delete the whole lines spanning [from, to): from the start of the line
 * holding `from` to the end of the line holding `to`. When they are the last
 * lines and have no newline, the newline before them goes instead.
 */
export function deleteLines(text: string, from: number, to: number): Splice {
  const start = lineStart(text, from);
  const end = afterLineEnd(text, to);
  if (end === text.length && !text.endsWith('\n') && start > 0) {
    const newline = text[start - 2] === '\r' ? start - 2 : start - 1;
    return { start: newline, end, insert: '' };
  }
  return { start, end, insert: '' };
}
