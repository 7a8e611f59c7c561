/**
 * The one escaping function for everything cis-fix prints that came from a
 * node or the cluster (DESIGN.md §3: "every name printed has its control
 * characters escaped"): paths, node names, object names, file contents in
 * diffs. A name like "a\n+ fake line" or "\x1b[2J" must never move the
 * cursor, clear a reviewer's terminal or fake a plan line, in any output
 * format. Every renderer calls this before its own format's escaping (HTML,
 * XML, Markdown, Prometheus label values).
 *
 * Escaped visibly: C0 controls (U+0000–U+001F, ESC included), DEL, C1
 * controls (U+0080–U+009F), the Unicode line and paragraph separators (some
 * viewers break lines there) and the bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069: "Trojan Source" reordering). Backslashes
 * are left as they are, so ordinary text keeps its look; a name holding a
 * literal backslash-n therefore prints like one holding a newline, which
 * can mislead but never inject.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeName(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? escapeCode(c.charCodeAt(0)));
}

function escapeCode(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Multi-line text (a diff, a message): each line escaped on its own, the line breaks kept. */
export function escapeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => escapeName(line))
    .join('\n');
}

/** True when the text holds nothing escapeName would change. */
export function isPrintable(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return !UNSAFE.test(text);
}
