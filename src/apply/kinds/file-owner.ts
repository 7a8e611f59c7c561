import type { FileOwnerChange } from '../../model/change.js';
import { describeStaleness } from '../precondition.js';
import type { NodeKindHandler } from './handler.js';
import { manualFileRestore, missing, restoreFileFromBackup } from './file-target.js';

/** chown to the owner the control demands (creating a system account only when the plan says so). Rollback restores the owner and leaves the account. */
export const fileOwnerHandler: NodeKindHandler<FileOwnerChange> = {
  kind: 'file-owner',
  readsFrom: () => [],
  precondition: (change, now) => describeStaleness(change, now),
  journalWrite: (change) => ({ expected: { user: change.after.user, group: change.after.group } }),
  write: async (change, { io }) => {
    await io.chown(change.target, change.after.user, change.after.group, change.after.createAccount);
    return {};
  },
  verify: (change, now) =>
    missing(change.target, now) ??
    (now!.user === change.after.user && now!.group === change.after.group
      ? undefined
      : `owner is ${now!.user}:${now!.group}, expected ${change.after.user}:${change.after.group}`),
  healthGate: () => undefined,
  restore: (item, ctx) => restoreFileFromBackup(item, ctx, { staticPodManifest: false }),
  restoreGate: () => undefined,
  manualRestore: manualFileRestore,
};
