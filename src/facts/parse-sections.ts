/**
 * Splits the gathering script's output into sections (output-format.ts).
 * Pure; knows the framing only, not what the payloads mean.
 */

import { BugError, UnreachableError } from '../model/errors.js';
import { FACTS_HEADER, SECTION_MARK, SECTION_NAMES, type SectionName } from './output-format.js';

/** One section: its marker's name and arguments, and the decoded payload. */
export interface Section {
  readonly name: SectionName;
  readonly args: readonly string[];
  readonly payload: Buffer;
}

/** The sections in output order. Invariant: the `end` section was seen and is not included. */
export interface SectionedOutput {
  readonly sections: readonly Section[];
  /** The script hit MAX_LISTED_ENTRIES and listed no further. */
  readonly truncated: boolean;
}

const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;
const KNOWN = new Set<string>(SECTION_NAMES);

/**
 * Anything before the header line is ignored: a login shell may print a
 * banner or rc-file noise on stdout before the script starts.
 */
export function parseSections(node: string, stdout: Buffer): SectionedOutput {
  const text = stdout.toString('latin1'); // the framing is ASCII; latin1 keeps byte offsets
  const lines = text.split('\n');
  const start = lines.indexOf(FACTS_HEADER);
  if (start < 0) {
    throw new UnreachableError(node, 'fact gathering printed no facts (the gathering script did not run)', [
      'Check that /bin/sh runs for the SSH user (and under sudo -n) on this node.',
    ]);
  }
  const sections: Section[] = [];
  let current: { name: SectionName; args: string[]; chunks: string[] } | undefined;
  let lineNo = start;
  const flush = (): void => {
    if (!current) return;
    sections.push({ name: current.name, args: current.args, payload: Buffer.from(current.chunks.join(''), 'base64') });
    current = undefined;
  };
  for (const line of lines.slice(start + 1)) {
    lineNo += 1;
    if (line.startsWith(SECTION_MARK)) {
      flush();
      const [name = '', ...args] = line.slice(SECTION_MARK.length).split(' ');
      if (!KNOWN.has(name)) throw new BugError(`${node}: facts output line ${lineNo + 1}: unknown section "${name}"`);
      if (name === 'end') return { sections, truncated: args[0] === '1' };
      current = { name: name as SectionName, args, chunks: [] };
      continue;
    }
    if (line === '') continue;
    if (!current || !BASE64_LINE.test(line)) {
      throw new BugError(`${node}: facts output line ${lineNo + 1} is neither a section marker nor base64`);
    }
    current.chunks.push(line);
  }
  throw new UnreachableError(node, 'fact gathering output ended early (no end marker): the connection or the script was cut off', [
    'Run the command again; if it persists, check the node for a full disk or a killed shell.',
  ]);
}

/** Splits a payload into its NUL-terminated fields (a missing final NUL still ends a field). */
export function splitNul(payload: Buffer): string[] {
  if (payload.length === 0) return [];
  const text = payload.toString('utf8');
  const fields = text.split('\0');
  if (fields[fields.length - 1] === '') fields.pop();
  return fields;
}
