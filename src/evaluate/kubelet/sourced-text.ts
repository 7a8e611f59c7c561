/**
 * Text that remembers where each of its characters came from in a file.
 * systemd unquotes, unescapes and joins continued lines before the kubelet
 * ever sees a flag; to remove that flag again, cis-fix must map the word
 * back to the exact bytes of the file that produced it. Pure.
 */

/** A half-open range [start, end) of UTF-16 offsets into a file's text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/**
 * Invariants: `offsets.length === text.length`; `offsets[i]` is the index
 * in the source file of the character that produced `text[i]`; offsets are
 * strictly increasing.
 */
export interface SourcedText {
  readonly text: string;
  readonly offsets: readonly number[];
}

/**
 * A word after unquoting. `span` runs from the first to the last source
 * character it consumed, quotes and escapes included; `chars` maps each
 * character of `text` to its source offset (an escape maps to its last
 * character). Invariant: `chars.text === text`.
 */
export interface SourcedWord {
  readonly text: string;
  readonly span: Span;
  readonly chars: SourcedText;
}

/** The characters of `text` from index `from` on. */
export function sourcedTail(text: SourcedText, from: number): SourcedText {
  return { text: text.text.slice(from), offsets: text.offsets.slice(from) };
}

export function sourcedSlice(source: string, start: number, end: number): SourcedText {
  const offsets: number[] = [];
  for (let i = start; i < end; i += 1) offsets.push(i);
  return { text: source.slice(start, end), offsets };
}

/** A builder that appends characters with their origins. */
export class SourcedBuilder {
  private chars: string[] = [];
  private offsets: number[] = [];

  push(char: string, offset: number): void {
    this.chars.push(char);
    this.offsets.push(offset);
  }

  get length(): number {
    return this.chars.length;
  }

  /** Drops characters from the end back to `length`. */
  truncate(length: number): void {
    this.chars.length = length;
    this.offsets.length = length;
  }

  build(): SourcedText {
    return { text: this.chars.join(''), offsets: [...this.offsets] };
  }
}

/** 1-based line number of `offset` in `text`. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}
