import { SourcedBuilder, lineOf, type SourcedText, type Span } from './sourced-text.js';

/**
 * The assignments of a file named by `EnvironmentFile=`, parsed like
 * systemd's load_env_file() (systemd.exec(5)). Pure.
 *
 * `KEY=value` per line; blank lines, lines without `=`, and lines starting
 * with `#` or `;` are ignored. An unquoted value is trimmed; a backslash
 * keeps the next character and a backslash-newline continues the line.
 * 'single' quotes keep everything verbatim; "double" quotes understand
 * \" \\ \` \$ and backslash-newline. Quoted and unquoted parts concatenate.
 * A later assignment of the same name replaces an earlier one.
 */
export interface EnvironmentAssignment {
  readonly name: string;
  /** The value after unquoting, each character mapped to its offset in the file. */
  readonly value: SourcedText;
  /** 1-based line of the name. */
  readonly line: number;
  /** From the first character of the name to the end of the value. */
  readonly span: Span;
}

type State = 'pre-key' | 'key' | 'pre-value' | 'value' | 'value-escape' | 'single' | 'double' | 'double-escape' | 'comment' | 'comment-escape';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseEnvironmentFile(text: string): EnvironmentAssignment[] {
  const assignments: EnvironmentAssignment[] = [];
  let state: State = 'pre-key';
  let keyStart = 0;
  let key = '';
  let value = new SourcedBuilder();
  // Length of the value up to its last character that is not trailing unquoted whitespace.
  let kept = 0;
  let valueEnd = 0;

  const commit = (end: number): void => {
    value.truncate(kept);
    const name = key.trim();
    if (NAME.test(name)) {
      assignments.push({ name, value: value.build(), line: lineOf(text, keyStart), span: { start: keyStart, end: Math.max(end, keyStart) } });
    }
    key = '';
    value = new SourcedBuilder();
    kept = 0;
  };
  const keep = (char: string, offset: number): void => {
    value.push(char, offset);
    kept = value.length;
    valueEnd = offset + 1;
  };

  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] ?? '';
    const eol = c === '\n' || (c === '\r' && text[i + 1] === '\n');
    switch (state) {
      case 'pre-key':
        if (c === '#' || c === ';') state = 'comment';
        else if (!/\s/.test(c)) {
          state = 'key';
          keyStart = i;
          key = c;
        }
        break;
      case 'key':
        if (eol) {
          state = 'pre-key';
          key = '';
        } else if (c === '=') {
          state = 'pre-value';
          valueEnd = i + 1;
        } else key += c;
        break;
      case 'pre-value':
        if (eol) {
          commit(valueEnd);
          state = 'pre-key';
        } else if (c === "'") {
          state = 'single';
          valueEnd = i + 1;
        } else if (c === '"') {
          state = 'double';
          valueEnd = i + 1;
        } else if (c === '\\') state = 'value-escape';
        else if (!/\s/.test(c)) {
          state = 'value';
          keep(c, i);
        }
        break;
      case 'value':
        if (eol) {
          commit(valueEnd);
          state = 'pre-key';
        } else if (c === '\\') state = 'value-escape';
        else if (/\s/.test(c)) value.push(c, i);
        else keep(c, i);
        break;
      case 'value-escape':
        state = 'value';
        if (c === '\r' && text[i + 1] === '\n') i += 1;
        else if (c !== '\n') keep(c, i);
        break;
      case 'single':
        if (c === "'") {
          state = 'pre-value';
          valueEnd = i + 1;
        } else keep(c, i);
        break;
      case 'double':
        if (c === '"') {
          state = 'pre-value';
          valueEnd = i + 1;
        } else if (c === '\\') state = 'double-escape';
        else keep(c, i);
        break;
      case 'double-escape':
        state = 'double';
        if (c === '"' || c === '\\' || c === '`' || c === '$') keep(c, i);
        else if (c === '\n') {
          // line continuation: nothing
        } else {
          keep('\\', i - 1);
          keep(c, i);
        }
        break;
      case 'comment':
        if (c === '\\') state = 'comment-escape';
        else if (eol) state = 'pre-key';
        break;
      case 'comment-escape':
        state = 'comment';
        break;
      default: {
        const never: never = state;
        return never;
      }
    }
  }
  // systemd keeps a last assignment that has no final newline, even inside an unterminated quote.
  if (state !== 'pre-key' && state !== 'key' && state !== 'comment' && state !== 'comment-escape') commit(valueEnd);
  return assignments;
}
