/**
 * Decodes the `content` payload (output-format.ts): frames of lines per
 * file, and decides each file's exact bytes with the help of its sha256.
 * Pure.
 */

import { createHash } from 'node:crypto';

/** What the node sent for one file. */
export type ContentFrame = { readonly kind: 'lines'; readonly lines: readonly Buffer[] } | { readonly kind: 'withheld' };

const NEWLINE = 0x0a;

function splitLines(payload: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = payload.indexOf(NEWLINE); i >= 0; i = payload.indexOf(NEWLINE, start)) {
    lines.push(payload.subarray(start, i));
    start = i + 1;
  }
  if (start < payload.length) lines.push(payload.subarray(start));
  return lines;
}

/** `files` is the `content-files` list; frame `F<n>` belongs to files[n - 1]. */
export function parseContentFrames(files: readonly string[], payload: Buffer): Map<string, ContentFrame> {
  const frames = new Map<string, ContentFrame>();
  let current: { path: string; lines: Buffer[] } | undefined;
  for (const line of splitLines(payload)) {
    const tag = line[0];
    if (tag === 0x20 /* ' ' */) {
      if (!current) throw new Error('content line before any file frame');
      current.lines.push(line.subarray(1));
    } else if (tag === 0x46 /* F */) {
      const n = Number(line.subarray(1).toString('latin1'));
      const path = files[n - 1];
      if (!Number.isInteger(n) || path === undefined) throw new Error(`content frame for unknown file ${n}`);
      current = { path, lines: [] };
      frames.set(path, { kind: 'lines', lines: current.lines });
    } else if (tag === 0x57 /* W */ && line.length === 1) {
      if (!current) throw new Error('withheld mark before any file frame');
      frames.set(current.path, { kind: 'withheld' });
      current = undefined;
    } else {
      throw new Error('content line without a frame tag');
    }
  }
  return frames;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The file's bytes from its lines. awk does not say whether the last line
 * ended in a newline: the variant whose hash is the file's wins. When neither
 * matches (something was redacted, or the file changed), the text is not
 * verbatim and gets the usual final newline.
 */
export function assembleContent(lines: readonly Buffer[], expectedSha: string | null): { bytes: Buffer; verbatim: boolean } {
  const joined = Buffer.concat(lines.flatMap((l, i) => (i === 0 ? [l] : [Buffer.from('\n'), l])));
  const withNewline = lines.length > 0 ? Buffer.concat([joined, Buffer.from('\n')]) : joined;
  if (expectedSha !== null) {
    if (sha256(withNewline) === expectedSha) return { bytes: withNewline, verbatim: true };
    if (sha256(joined) === expectedSha) return { bytes: joined, verbatim: true };
  }
  return { bytes: withNewline, verbatim: false };
}
