/**
 * Turns the gathering script's output into NodeFacts. Pure: no I/O, so it
 * is tested with recorded outputs.
 */

import { redactAssignments } from './assignment-redaction.js';
import { BugError } from '../model/errors.js';
import { parseAccounts } from './accounts.js';
import { componentProcesses, primaryComponents } from './component-processes.js';
import { assembleContent, parseContentFrames, type ContentFrame } from './content-frames.js';
import { containsPrivateKey, isKeyFileName } from './content-policy.js';
import { detectRoles } from './detect-roles.js';
import { parseHostInfo, parseKubeletVersion } from './host-info.js';
import { resolveKubeletService } from './kubelet-service.js';
import { directoryListings } from './directory-listings.js';
import { embeddedComponents, parseJournalSections } from './journal-lines.js';
import { parseSections, splitNul, type Section } from './parse-sections.js';
import { normalizePath } from './path-lookup.js';
import { resolvePaths } from './resolve-paths.js';
import { STAT_FIELDS } from './output-format.js';
import { parseSha256Output, parseStatRecords, type StatRecord } from './stat-records.js';
import type { ComponentProcess, FileContent, KubeletVersion, NodeFacts, PathFacts, PresentPath } from './types.js';

/** Maps the script's names (with CISFIX_FACTS_ROOT in front) to node paths. */
function rootStripper(root: string): (name: string) => string {
  return (name) => {
    if (root && (name === root || name.startsWith(`${root}/`))) return normalizePath(name.slice(root.length) || '/');
    return normalizePath(name);
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Names from the `stat` records that are not valid UTF-8: they travel from
 * the node byte for byte, but a JavaScript string (facts, plans, journals)
 * cannot hold them, so such a file is known under a lossy name only.
 */
function undecodableNames(payload: Buffer | undefined): string[] {
  if (!payload) return [];
  const names: string[] = [];
  let start = 0;
  for (let field = 0; start < payload.length; field += 1) {
    let end = payload.indexOf(0, start);
    if (end < 0) end = payload.length;
    if (field % STAT_FIELDS.length === 0) {
      const bytes = payload.subarray(start, end);
      try {
        strictUtf8.decode(bytes);
      } catch {
        names.push(bytes.toString('utf8'));
      }
    }
    start = end + 1;
  }
  return names;
}

interface Gathered {
  readonly records: Map<string, StatRecord>;
  readonly followed: Map<string, StatRecord>;
  readonly hashes: Map<string, string>;
  readonly frames: Map<string, ContentFrame>;
  /** Paths whose content was asked for: one without a frame is empty (or vanished). */
  readonly contentFiles: ReadonlySet<string>;
  readonly withheld: Map<string, 'private-key' | 'too-large'>;
}

function contentOf(path: string, file: { size: number; sha256: string | null } | null, gathered: Gathered, notes: string[]): FileContent {
  const reason = gathered.withheld.get(path);
  if (reason) return { kind: 'withheld', reason };
  const frame = gathered.frames.get(path);
  if (frame?.kind === 'withheld') return { kind: 'withheld', reason: 'private-key' };
  if (!frame && !(gathered.contentFiles.has(path) && file?.size === 0)) return { kind: 'not-gathered' };
  const { bytes, verbatim } = assembleContent(frame?.lines ?? [], file?.sha256 ?? null);
  const text = bytes.toString('utf8');
  // Defence in depth: the node applies the same rules before sending.
  if (isKeyFileName(path) || containsPrivateKey(text)) {
    notes.push(`${path}: content dropped, it looks like key material (the node should not have sent it)`);
    return { kind: 'withheld', reason: 'private-key' };
  }
  const redacted = redactAssignments(text);
  if (redacted !== text) {
    notes.push(`${path}: credential values redacted from its content (the node should have done it)`);
    return { kind: 'text', text: redacted, verbatim: false };
  }
  return { kind: 'text', text, verbatim: verbatim && Buffer.from(text, 'utf8').equals(bytes) };
}

function pathFacts(path: string, gathered: Gathered, notes: string[]): PathFacts {
  const record = gathered.records.get(path);
  if (!record) return { path, exists: false };
  const isFile = record.stat.type === 'file';
  const follow = record.stat.type === 'symlink' ? gathered.followed.get(path) : undefined;
  const followed = follow ? { ...follow.stat, sha256: follow.stat.type === 'file' ? (gathered.hashes.get(path) ?? null) : null } : null;
  const ownSha = isFile ? (gathered.hashes.get(path) ?? null) : null;
  const present: PresentPath = {
    path,
    exists: true,
    ...record.stat,
    sha256: ownSha,
    symlinkTarget: record.symlinkTarget,
    followed,
    content: contentOf(path, followed ?? (isFile ? { size: record.stat.size, sha256: ownSha } : null), gathered, notes),
  };
  return present;
}

function kubeletVersionOf(sections: readonly Section[], kubelet: ComponentProcess | undefined): KubeletVersion | null {
  const s = sections.find((x) => x.name === 'kubelet-version');
  if (!s) return null;
  const first = s.payload.indexOf(0);
  const second = first < 0 ? -1 : s.payload.indexOf(0, first + 1);
  if (second < 0) throw new Error('kubelet-version section without how/binary fields');
  const how = s.payload.subarray(0, first).toString('utf8');
  const binary = s.payload.subarray(first + 1, second).toString('utf8');
  const version = parseKubeletVersion(how, binary, s.payload.subarray(second + 1).toString('utf8'));
  // /proc/PID/exe says nothing to a reader: name the binary the process was started as.
  return version.from === 'process' && kubelet ? { ...version, binary: kubelet.argv[0] ?? binary } : version;
}

/** `content-withheld` payloads: path/reason pairs. */
function withheldOf(sections: readonly Section[], strip: (name: string) => string): Map<string, 'private-key' | 'too-large'> {
  const withheld = new Map<string, 'private-key' | 'too-large'>();
  for (const section of sections.filter((s) => s.name === 'content-withheld')) {
    const fields = splitNul(section.payload);
    if (fields.length % 2 !== 0) throw new Error('content-withheld section is not path/reason pairs');
    for (let i = 0; i < fields.length; i += 2) {
      const reason = fields[i + 1];
      if (reason !== 'too-large' && reason !== 'private-key') throw new Error(`unknown withheld reason ${reason}`);
      withheld.set(strip(fields[i] ?? ''), reason);
    }
  }
  return withheld;
}

/** The `host` payload: four NUL-terminated fields, then the accounts text. */
function splitHost(payload: Buffer | undefined): string[] {
  if (!payload) throw new Error('no host section');
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < 4; i += 1) {
    const nul = payload.indexOf(0, start);
    if (nul < 0) throw new Error('host section has fewer than 5 fields');
    fields.push(payload.subarray(start, nul).toString('utf8'));
    start = nul + 1;
  }
  fields.push(payload.subarray(start).toString('utf8'));
  return fields;
}

function contentOfSections(sections: readonly Section[], strip: (name: string) => string): Pick<Gathered, 'frames' | 'contentFiles'> {
  const files = splitNul(sections.find((s) => s.name === 'content-files')?.payload ?? Buffer.alloc(0)).map(strip);
  const payload = sections.find((s) => s.name === 'content')?.payload ?? Buffer.alloc(0);
  return { frames: parseContentFrames(files, payload), contentFiles: new Set(files) };
}

function assemble(node: string, stdout: Buffer): NodeFacts {
  const { sections, truncated } = parseSections(node, stdout);
  const one = (name: Section['name']): Section | undefined => sections.find((s) => s.name === name);
  const notes: string[] = [];

  const [root = '', procDir = '/proc', uname = '', osRelease = '', accounts = ''] = splitHost(one('host')?.payload);
  const strip = rootStripper(root.replace(/\/+$/, ''));
  if (root) notes.push(`gathered from a fake node tree: root ${root}, processes from ${procDir}`);

  const host = parseHostInfo(uname, osRelease === '' ? undefined : osRelease);
  const { users, groups } = parseAccounts(accounts);

  const all = componentProcesses(sections, notes);
  const journals = parseJournalSections(sections);
  // k3s runs its components inside one process: its journal says what they run with.
  const running = primaryComponents(all, notes);
  const components = { ...running, ...embeddedComponents(journals, running) };

  const byName = (records: StatRecord[]): Map<string, StatRecord> => new Map(records.map((r) => [strip(r.name), r]));
  const gathered: Gathered = {
    records: byName(parseStatRecords(splitNul(one('stat')?.payload ?? Buffer.alloc(0)))),
    followed: byName(parseStatRecords(splitNul(one('stat-follow')?.payload ?? Buffer.alloc(0)))),
    hashes: new Map(
      [...parseSha256Output(splitNul(one('sha256-files')?.payload ?? Buffer.alloc(0)), one('sha256')?.payload.toString('utf8') ?? '')].map(([name, hash]) => [
        strip(name),
        hash,
      ]),
    ),
    ...contentOfSections(sections, strip),
    withheld: withheldOf(sections, strip),
  };

  for (const name of undecodableNames(one('stat')?.payload)) {
    notes.push(
      `${JSON.stringify(strip(name))}: the name is not valid UTF-8, so cis-fix cannot name this file exactly (a change to it is refused as stale): rename it by hand`,
    );
  }

  // Every path the script looked at: found (stat records) or not (absent list).
  const absent = splitNul(one('absent')?.payload ?? Buffer.alloc(0)).map(strip);
  const lookedAt = new Set([...gathered.records.keys(), ...absent]);
  const paths: Record<string, PathFacts> = {};
  for (const path of [...lookedAt].sort()) paths[path] = pathFacts(path, gathered, notes);

  const listings = directoryListings(splitNul(one('listed')?.payload ?? Buffer.alloc(0)), strip, paths);
  if (truncated) notes.push('directory listings were cut off at the entry limit: some entries are missing');

  const resolvedPaths = resolvePaths({ paths, listings, components });
  for (const resolved of Object.values(resolvedPaths)) {
    if (resolved && 'path' in resolved && paths[resolved.path] === undefined) {
      notes.push(`${resolved.path} (${resolved.origin}) was not looked at on the node: treat it as unknown, not as absent`);
    }
  }

  for (const j of journals ?? []) {
    for (const [component, line] of Object.entries(j.lines)) {
      if (line?.truncated) notes.push(`journalctl -u ${j.units.join(' -u ')}: the last "Running ${component}" line was cut at its size limit`);
    }
  }
  return {
    formatVersion: 1,
    node,
    host,
    processes: all,
    components,
    paths,
    listings,
    kubeletService: resolveKubeletService(paths, listings),
    users,
    groups,
    kubeletVersion: kubeletVersionOf(sections, components.kubelet),
    resolvedPaths,
    roles: detectRoles(components),
    truncated,
    notes,
    ...(journals ? { journals } : {}),
  };
}

/**
 * Parses one node's gathering output. Throws UnreachableError when the
 * output is missing or cut short, BugError when it does not follow the
 * format (a mismatch between the script and this parser).
 */
export function parseFacts(node: string, stdout: Buffer): NodeFacts {
  try {
    return assemble(node, stdout);
  } catch (error) {
    if (error instanceof Error && error.constructor === Error) {
      throw new BugError(`${node}: malformed facts output: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
