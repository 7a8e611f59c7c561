/**
 * Decodes the `stat`/`stat-follow` payloads (STAT_FIELDS records) and the
 * `sha256` payload. Pure.
 */

import { FileMode } from '../model/file-mode.js';
import type { FileStat, FileType } from './types.js';
import { STAT_FIELDS } from './output-format.js';

/** One stat record, keyed by the name stat was given (root prefix still on). */
export interface StatRecord {
  readonly name: string;
  readonly stat: FileStat;
  /** Raw readlink text for a symlink, else null. */
  readonly symlinkTarget: string | null;
}

const S_IFMT = 0o170000;

function fileType(rawMode: number): FileType {
  switch (rawMode & S_IFMT) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'dir';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}

/** `stat -c %a`: permission and special bits in octal, no leading zeros ("600", "2600", "0"). */
export function modeString(rawMode: number): string {
  return FileMode.of(rawMode & 0o7777).toString(); // st_mode without its file-type bits
}

/**
 * With QUOTING_STYLE=literal, %N of a symlink is `name -> target`; older
 * coreutils ignore the variable and quote both sides ('name' -> 'target').
 */
function symlinkTarget(name: string, described: string): string | null {
  const literal = `${name} -> `;
  if (described.startsWith(literal)) return described.slice(literal.length);
  const quoted = /^'(?:[^']|'\\'')*' -> '((?:[^']|'\\'')*)'$/s.exec(described);
  if (quoted?.[1] !== undefined) return quoted[1].replace(/'\\''/g, "'");
  return null;
}

function int(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${what} is not a number: ${JSON.stringify(value)}`);
  return Number(value);
}

/** Throws a plain Error on a malformed record; the caller wraps it with the node's name. */
export function parseStatRecords(fields: readonly string[]): StatRecord[] {
  const width = STAT_FIELDS.length;
  if (fields.length % width !== 0) {
    throw new Error(`stat output has ${fields.length} fields, not a multiple of ${width}`);
  }
  const records: StatRecord[] = [];
  for (let i = 0; i < fields.length; i += width) {
    const [name = '', rawHex = '', uid = '', gid = '', user = '', group = '', size = '', dev = '', ino = '', described = ''] = fields.slice(i, i + width);
    if (!/^[0-9a-f]+$/i.test(rawHex)) throw new Error(`stat mode of ${JSON.stringify(name)} is not hex: ${rawHex}`);
    const rawMode = parseInt(rawHex, 16);
    const type = fileType(rawMode);
    records.push({
      name,
      stat: {
        type,
        mode: modeString(rawMode),
        uid: int(uid, 'uid'),
        gid: int(gid, 'gid'),
        // GNU stat prints UNKNOWN for an id without a name.
        user: user === 'UNKNOWN' ? null : user,
        group: group === 'UNKNOWN' ? null : group,
        size: int(size, 'size'),
        device: int(dev, 'device'),
        inode: int(ino, 'inode'),
      },
      symlinkTarget: type === 'symlink' ? symlinkTarget(name, described) : null,
    });
  }
  return records;
}

/** GNU sha256sum's escaping of a name holding a backslash or newline (and, since coreutils 9, CR). */
function escapedNames(name: string): string[] {
  const base = name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return [base, base.replace(/\r/g, '\\r')];
}

/**
 * `sha256sum` output for `files`, given in that order. Each record is
 * `<hex>  <name>\n`; GNU escapes a name holding a backslash or newline and
 * prefixes the record with `\`, busybox prints the name raw. Matching the
 * known names in order, instead of splitting lines, keeps both exact for any
 * name. A file sha256sum could not read has no record and gets no hash.
 */
export function parseSha256Output(files: readonly string[], output: string): Map<string, string> {
  const hashes = new Map<string, string>();
  let at = 0;
  for (const name of files) {
    const head = /^(\\?)([0-9a-f]{64}) [ *]/.exec(output.slice(at, at + 68));
    if (!head) break;
    const [prefix, escaped, hash = ''] = head;
    const spelled = (escaped ? escapedNames(name) : [name]).find((n) => output.startsWith(`${n}\n`, at + prefix.length));
    if (spelled === undefined) continue; // not this file's record: it was skipped
    hashes.set(name, hash);
    at += prefix.length + spelled.length + 1;
  }
  return hashes;
}
