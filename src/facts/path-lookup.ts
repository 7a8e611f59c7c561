/** Small read helpers over `NodeFacts.paths`. Pure. */

import type { PathFacts } from './types.js';

/**
 * The key under which a node path is stored: repeated slashes collapsed, no
 * trailing slash. `..` is kept: resolving it needs the node's symlinks.
 */
export function normalizePath(path: string): string {
  const collapsed = path.replace(/\/{2,}/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}

/** True iff `path` was looked at and exists through symlinks (what os.Stat and kube-bench's `test -e` say). */
export function existsFollowing(paths: Readonly<Record<string, PathFacts>>, path: string): boolean {
  const facts = paths[normalizePath(path)];
  if (!facts?.exists) return false;
  return facts.type !== 'symlink' || facts.followed !== null;
}

/** The gathered text of `path` (verbatim or redacted), or undefined. */
export function textContent(paths: Readonly<Record<string, PathFacts>>, path: string): string | undefined {
  const facts = paths[normalizePath(path)];
  if (!facts?.exists || facts.content.kind !== 'text') return undefined;
  return facts.content.text;
}
