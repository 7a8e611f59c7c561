import { SourcedBuilder, type SourcedText, type SourcedWord } from './sourced-text.js';

/**
 * Splitting text into words the way systemd's extract_first_word() does,
 * keeping each word's extent in the source file. Pure.
 *
 * - `unit`: ExecStart= and Environment= values (EXTRACT_UNQUOTE |
 *   EXTRACT_CUNESCAPE): double and single quotes group, anywhere in a word;
 *   C escapes (\n, \t, \s, \xNN, \\, \", \') are decoded.
 * - `variable`: a `$VAR` on an ExecStart line is replaced by its value split
 *   at whitespace (EXTRACT_RELAX | EXTRACT_UNQUOTE): quotes group, a
 *   backslash keeps the next character, no C escapes.
 * An unterminated quote ends the word at the end of the text (relaxed).
 */
export type WordMode = 'unit' | 'variable';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

const C_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  s: ' ',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

export function splitWords(input: SourcedText, mode: WordMode): SourcedWord[] {
  const { text, offsets } = input;
  const words: SourcedWord[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && WHITESPACE.has(text[i] ?? '')) i += 1;
    if (i >= text.length) break;
    const first = i;
    let last = i;
    const word = new SourcedBuilder();
    let quote: string | null = null;
    while (i < text.length) {
      const c = text[i] ?? '';
      if (quote === null && WHITESPACE.has(c)) break;
      last = i;
      if (c === '\\' && i + 1 < text.length) {
        const next = text[i + 1] ?? '';
        last = i + 1;
        i += 2;
        if (mode === 'unit') {
          const hex = next === 'x' ? /^[0-9a-fA-F]{2}/.exec(text.slice(i, i + 2)) : null;
          if (hex) {
            last = i + 1;
            word.push(String.fromCharCode(parseInt(hex[0], 16)), offsets[last] ?? 0);
            i += 2;
          } else {
            word.push(C_ESCAPES[next] ?? next, offsets[last] ?? 0);
          }
        } else {
          word.push(next, offsets[last] ?? 0);
        }
        continue;
      }
      if (quote === null && (c === '"' || c === "'")) quote = c;
      else if (quote !== null && c === quote) quote = null;
      else word.push(c, offsets[i] ?? 0);
      i += 1;
    }
    const chars = word.build();
    words.push({ text: chars.text, span: { start: offsets[first] ?? 0, end: (offsets[last] ?? 0) + 1 }, chars });
  }
  return words;
}
