import type { RestoreAction, RestoreItem } from '../../model/run-journal.js';
import { quoteShellArg } from '../../transport/shell-quote.js';
import { NODE_BACKUP_ROOT } from '../node-scripts.js';
import { chmodArgument, type PathState } from '../node-ops.js';
import { stagingPathFor } from '../staging-path.js';
import type { NodeIo } from '../node-io.js';
import type { NodeRestoreContext } from './handler.js';

/**
 * What the file kinds share: a target file restored from the run's backup
 * (or removed, when the run created it), and the commands that do the same
 * by hand. Not a kind itself.
 */

/** A file whose whole content a change replaces (a manifest, a kubelet source). */
interface RewrittenFile {
  readonly target: string;
  readonly after: { readonly content: string; readonly sha256: string };
}

/** Write the new content through the staging path stagingPathFor names for this run. */
export async function writeRewrittenFile(
  change: RewrittenFile,
  io: NodeIo,
  runId: string,
  options: { readonly staticPodManifest: boolean },
): Promise<{ readonly createdDirs?: readonly string[] }> {
  await io.writeContent(change.target, change.after.content, change.after.sha256, stagingPathFor(change.target, runId, options));
  return {};
}

/** Undefined when the node holds exactly the content the change wrote. */
export function verifyRewrittenFile(change: RewrittenFile, now: PathState | undefined): string | undefined {
  return missing(change.target, now) ?? (now!.sha256 === change.after.sha256 ? undefined : 'the content on the node is not what was written');
}

/** Where apply's backup of `target` is on the node. */
export function backupCopyOf(backupRun: string, target: string): string {
  return `${NODE_BACKUP_ROOT}/${backupRun}/files${target}`;
}

export async function restoreFileFromBackup(
  item: RestoreItem,
  ctx: NodeRestoreContext,
  options: { readonly staticPodManifest: boolean },
): Promise<RestoreAction> {
  if (item.original.absent) {
    await ctx.io.removeCreated(item.target, item.createdDirs ?? []);
    return 'removed';
  }
  await ctx.io.restore(ctx.backupRun, item.target, item.original, stagingPathFor(item.target, ctx.runId, options));
  return 'restored';
}

/**
 * Shell commands (for root on the node) that do what restoreFileFromBackup
 * does: `rm` for a file the run created (and `rmdir` for the directories it
 * created), else the backup copy with the original owner and mode.
 */
export function manualFileRestore(item: RestoreItem, backupRun: string): readonly string[] {
  const q = quoteShellArg;
  const target = q(item.target);
  if (item.original.absent) {
    const dirs = [...(item.createdDirs ?? [])].reverse();
    return [`rm -f -- ${target}${dirs.length ? ` && rmdir --ignore-fail-on-non-empty -- ${dirs.map(q).join(' ')}` : ''}`];
  }
  const o = item.original;
  const owner = o.user && o.group ? `${o.user}:${o.group}` : `${o.uid}:${o.gid}`;
  const metadata = `chown -h -- ${q(owner)} ${target} && chmod -- ${chmodArgument(o.mode)} ${target}`;
  return [o.sha256 === undefined ? metadata : `cp -- ${q(backupCopyOf(backupRun, item.target))} ${target} && ${metadata}`];
}

export function missing(target: string, now: PathState | undefined): string | undefined {
  return now?.exists ? undefined : `${target} is missing`;
}
