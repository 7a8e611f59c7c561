import type { FileModeChange } from '../../model/change.js';
import { FileMode } from '../../model/file-mode.js';
import { describeStaleness, sameMode } from '../precondition.js';
import type { NodeKindHandler } from './handler.js';
import { manualFileRestore, missing, restoreFileFromBackup } from './file-target.js';

/** chmod that only ever tightens (DESIGN.md §2 change kinds). */
export const fileModeHandler: NodeKindHandler<FileModeChange> = {
  kind: 'file-mode',
  readsFrom: () => [],
  precondition: (change, now) => loosens(change) ?? describeStaleness(change, now),
  journalWrite: (change) => ({ expected: { mode: change.after.mode } }),
  write: async (change, { io }) => {
    await io.chmod(change.target, change.after.mode);
    return {};
  },
  verify: (change, now) =>
    missing(change.target, now) ?? (sameMode(now!.mode, change.after.mode) ? undefined : `mode is ${now!.mode}, expected ${change.after.mode}`),
  healthGate: () => undefined,
  restore: (item, ctx) => restoreFileFromBackup(item, ctx, { staticPodManifest: false }),
  restoreGate: () => undefined,
  manualRestore: manualFileRestore,
};

/** Apply re-checks the invariant itself: a mode change that would add a permission bit is refused. */
function loosens(change: FileModeChange): string | undefined {
  const before = FileMode.tryParse(change.precondition.mode);
  const after = FileMode.tryParse(change.after.mode);
  if (before === undefined || after === undefined) return `mode ${change.precondition.mode} -> ${change.after.mode} is not an octal mode`;
  return !after.isAtMost(before) ? `mode ${change.precondition.mode} -> ${change.after.mode} would loosen permissions (cis-fix only tightens)` : undefined;
}
