/**
 * NodeFacts for kubelet layouts, built in memory (no gathering script): the
 * given files with their text, absent entries for every other path the
 * facts layer looks at for the kubelet, drop-in directory listings, and a
 * kubelet process. Unit and config resolution run the real facts code
 * (resolveKubeletService, resolvePaths), so the result is what parseFacts
 * would return for such a node.
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KUBELET_CONF, KUBELET_DROP_IN_DIRS, KUBELET_ENV_FILES, KUBELET_UNIT_FILES } from '../../../../../src/facts/candidate-paths.js';
import { resolveKubeletService } from '../../../../../src/facts/kubelet-service.js';
import { parseFacts } from '../../../../../src/facts/parse-facts.js';
import { resolvePaths } from '../../../../../src/facts/resolve-paths.js';
import type { ComponentProcess, DirectoryListing, FileContent, NodeFacts, PathFacts } from '../../../../../src/facts/types.js';
import { reconstructKubeletCommandLine } from '../../../../../src/evaluate/kubelet/kubelet-command-line.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** A fixture file's text. */
export function fixture(relative: string): string {
  return readFileSync(join(FIXTURES, relative), 'utf8');
}

/** Facts recorded on a lab node (fixtures/<name>/facts.out, the real gathering script's output). */
export function labFacts(name: 'lab-stock' | 'lab-drifted'): NodeFacts {
  return parseFacts('cp-1', readFileSync(join(FIXTURES, name, 'facts.out')));
}

export type FileSpec = string | { readonly text: string; readonly verbatim?: boolean } | { readonly content: FileContent } | { readonly dir: true };

export interface KubeletNodeSpec {
  readonly files: Readonly<Record<string, FileSpec>>;
  /**
   * The running kubelet's argv. Default: what the unit gives (a kubelet
   * started from the current files); null: no kubelet runs.
   */
  readonly argv?: readonly string[] | null;
  /** Extra paths to record as absent. */
  readonly absent?: readonly string[];
}

let inode = 1000;

function present(path: string, spec: FileSpec): PathFacts {
  inode += 1;
  const stat = { path, exists: true as const, mode: '644', uid: 0, gid: 0, user: 'root', group: 'root', device: 1, inode, symlinkTarget: null, followed: null };
  if (typeof spec === 'object' && 'dir' in spec) return { ...stat, type: 'dir', size: 4096, sha256: null, content: { kind: 'not-gathered' } };
  if (typeof spec === 'object' && 'content' in spec) return { ...stat, type: 'file', size: 0, sha256: 'f'.repeat(64), content: spec.content };
  const text = typeof spec === 'string' ? spec : spec.text;
  const verbatim = typeof spec === 'string' ? true : (spec.verbatim ?? true);
  return {
    ...stat,
    type: 'file',
    size: Buffer.byteLength(text),
    sha256: createHash('sha256').update(text).digest('hex'),
    content: { kind: 'text', text, verbatim },
  };
}

export function kubeletNode(spec: KubeletNodeSpec): NodeFacts {
  const paths: Record<string, PathFacts> = {};
  for (const path of [...KUBELET_UNIT_FILES, ...KUBELET_DROP_IN_DIRS, ...KUBELET_ENV_FILES, ...KUBELET_CONF.cisFix, ...(spec.absent ?? [])]) {
    paths[path] = { path, exists: false };
  }
  for (const [path, file] of Object.entries(spec.files)) paths[path] = present(path, file);
  const listings: Record<string, DirectoryListing> = {};
  for (const dir of KUBELET_DROP_IN_DIRS) {
    const entries = Object.keys(spec.files)
      .filter((p) => p.startsWith(`${dir}/`))
      .sort();
    if (entries.length) paths[dir] = present(dir, { dir: true });
    listings[dir] = { dir, depth: 1, listing: 'conf-d', exists: entries.length > 0, entries };
  }
  const kubeletService = resolveKubeletService(paths, listings);
  const base: NodeFacts = {
    formatVersion: 1,
    node: 'node-1',
    host: { hostname: 'node-1', kernelName: 'Linux', kernelRelease: '6.1.0', machine: 'x86_64', os: null },
    processes: [],
    components: {},
    paths,
    listings,
    kubeletService,
    users: [],
    groups: [],
    kubeletVersion: null,
    resolvedPaths: resolvePaths({ paths, listings, components: {} }),
    roles: { roles: ['worker'], evidence: [] },
    truncated: false,
    notes: [],
  };
  if (spec.argv === null) return base;
  const argv = spec.argv ?? reconstructKubeletCommandLine(base).words?.map((w) => w.text);
  if (argv === undefined) throw new Error('kubeletNode: the unit gives no command line; pass argv');
  const kubelet: ComponentProcess = { pid: 812, comm: 'kubelet', component: 'kubelet', argv, environment: {} };
  const components = { kubelet };
  return { ...base, processes: [kubelet], components, resolvedPaths: resolvePaths({ paths, listings, components }) };
}

/** The same node with some files' text replaced (and, by default, a kubelet restarted from them). */
export function withFiles(facts: NodeFacts, files: Readonly<Record<string, string>>): NodeFacts {
  const paths = { ...facts.paths };
  for (const [path, text] of Object.entries(files)) paths[path] = present(path, text);
  return { ...facts, paths };
}

/** A file's gathered text in the facts. */
export function textOf(facts: NodeFacts, path: string): string {
  const entry = facts.paths[path];
  if (!entry?.exists || entry.content.kind !== 'text') throw new Error(`${path} has no text in the facts`);
  return entry.content.text;
}
