import { SourcedBuilder, lineOf, type SourcedText } from './sourced-text.js';

/**
 * The `Key=value` assignments of a systemd unit file or drop-in, as
 * systemd's config_parse() reads them (systemd.syntax(7)). Pure.
 *
 * Lines starting with `#` or `;` are comments; a line ending in a backslash
 * continues on the next one (the backslash becomes a space; comment lines
 * inside a continuation are skipped); key and value are stripped of
 * surrounding whitespace. Each value keeps the file offsets of its
 * characters, so a word in it can be edited in place.
 */
export interface UnitDirective {
  /** The section the assignment is in, without brackets ("Service"). */
  readonly section: string;
  readonly key: string;
  readonly value: SourcedText;
  /** 1-based line where the assignment starts. */
  readonly line: number;
}

export function parseUnitDirectives(text: string): UnitDirective[] {
  const directives: UnitDirective[] = [];
  let section = '';
  // Each logical line: its characters with offsets.
  let logical: SourcedBuilder | null = null;
  let logicalStart = 0;
  let at = 0;
  while (at <= text.length) {
    const newline = text.indexOf('\n', at);
    const end = newline < 0 ? text.length : newline;
    let lineEnd = end;
    if (lineEnd > at && text[lineEnd - 1] === '\r') lineEnd -= 1;
    const raw = text.slice(at, lineEnd);
    const trimmedStart = raw.length - raw.trimStart().length;
    const isComment = /^[#;]/.test(raw.trimStart());
    if (logical !== null && isComment) {
      // systemd skips comment lines inside a continuation.
    } else if (logical === null && (isComment || raw.trim() === '')) {
      // blank or comment line
    } else {
      if (logical === null) {
        logical = new SourcedBuilder();
        logicalStart = at + trimmedStart;
      }
      const from = logical.length === 0 ? at + trimmedStart : at;
      for (let i = from; i < lineEnd; i += 1) logical.push(text[i] ?? '', i);
      const built = logical.build();
      if (built.text.endsWith('\\')) {
        // Continuation: the backslash is replaced by a space.
        logical.truncate(logical.length - 1);
        logical.push(' ', built.offsets[built.offsets.length - 1] ?? at);
      } else {
        const directive = toDirective(built, section, lineOf(text, logicalStart));
        if (directive === 'section') section = sectionName(built.text);
        else if (directive) directives.push(directive);
        logical = null;
      }
    }
    if (newline < 0) break;
    at = newline + 1;
  }
  if (logical !== null) {
    const built = logical.build();
    const directive = toDirective(built, section, lineOf(text, logicalStart));
    if (directive && directive !== 'section') directives.push(directive);
  }
  return directives;
}

function sectionName(line: string): string {
  return line.trim().replace(/^\[/, '').replace(/\].*$/, '');
}

function toDirective(line: SourcedText, section: string, lineNumber: number): UnitDirective | 'section' | undefined {
  const text = line.text;
  if (text.trimStart().startsWith('[')) return 'section';
  const eq = text.indexOf('=');
  if (eq < 0) return undefined;
  const key = text.slice(0, eq).trim();
  let start = eq + 1;
  let end = text.length;
  while (start < end && /\s/.test(text[start] ?? '')) start += 1;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end -= 1;
  return { section, key, value: { text: text.slice(start, end), offsets: line.offsets.slice(start, end) }, line: lineNumber };
}
