import type { NodeChange as Change } from '../model/change.js';
import { FileMode } from '../model/file-mode.js';
import type { PathState } from './node-ops.js';

/** Whether two mode texts (plan, journal, stat) are one mode: "0600" and "600" are; a text that is no mode equals only itself. */
export function sameMode(a: string, b: string): boolean {
  const x = FileMode.tryParse(a);
  const y = FileMode.tryParse(b);
  return x !== undefined && y !== undefined ? x.equals(y) : a === b;
}

/**
 * Why a change's precondition no longer holds, or undefined when it does.
 * Pure: compares what the plan saw with what the node has now.
 */
export function describeStaleness(change: Change, now: PathState | undefined): string | undefined {
  const expected = change.precondition;
  // Never written through (DESIGN.md §3): a symlinked directory on the way, or a target that is a link.
  if (now?.symlink !== undefined) return now.symlink === change.target ? 'is a symbolic link' : `${now.symlink} is a symbolic link`;
  if (!now || !now.exists) return expected.exists ? 'was deleted' : undefined;
  if (!expected.exists) return 'now exists';
  const differences: string[] = [];
  if (expected.sha256 !== now.sha256) differences.push('content changed');
  if (!sameMode(expected.mode, now.mode)) differences.push(`mode ${expected.mode} -> ${now.mode}`);
  if (expected.uid !== now.uid || expected.gid !== now.gid) differences.push(`owner ${expected.uid}:${expected.gid} -> ${now.uid}:${now.gid}`);
  return differences.length ? differences.join(', ') : undefined;
}
