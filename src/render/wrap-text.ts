/**
 * Word-wraps text to a terminal width (long decision texts, DESIGN.md §5:
 * a plan a reviewer reads). `first` prefixes the first line, `rest` every
 * following one; a word longer than the width stays whole on its own line
 * (paths are not broken). Widths are in characters, colour codes excluded
 * by the caller (pass plain text).
 */
export function wrapText(text: string, width: number, first: string, rest = ' '.repeat(first.length)): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const prefix = lines.length === 0 ? first : rest;
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
      continue;
    }
    line = empty ? prefix + word : `${line} ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** The width to wrap at: the terminal's, or 100 when stdout is not a terminal. */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY && stream.columns && stream.columns > 20 ? stream.columns : 100;
}
