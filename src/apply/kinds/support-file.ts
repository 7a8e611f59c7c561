import type { SupportFileChange } from '../../model/change.js';
import { describeStaleness, sameMode } from '../precondition.js';
import { stagingPathFor } from '../staging-path.js';
import type { NodeKindHandler } from './handler.js';
import { manualFileRestore, missing, restoreFileFromBackup } from './file-target.js';

const STAGING = { staticPodManifest: false } as const;

/**
 * A file a fix needs that does not exist yet, created root-owned with its
 * secrets generated on the node. A cluster-wide secret is generated once:
 * the next control planes get a copy of the first node's file (through
 * memory only), or of the node the plan names in `copyFrom`. Its restore
 * removes it and the directories the run created for it.
 */
export const supportFileHandler: NodeKindHandler<SupportFileChange> = {
  kind: 'support-file',
  readsFrom: (change) => (change.after.copyFrom === undefined ? [] : [change.after.copyFrom]),
  precondition: (change, now) => describeStaleness(change, now),
  journalWrite: (change, _found, runId) => ({
    staging: stagingPathFor(change.target, runId, STAGING),
    expected: { mode: change.after.mode, user: 'root', group: 'root', ...(change.after.sha256 === undefined ? {} : { sha256: change.after.sha256 }) },
  }),
  write: async (change, { io, ioOf, runId, sharedFiles }) => {
    const staging = stagingPathFor(change.target, runId, STAGING);
    const shared = change.after.secrets.some((s) => s.scope === 'cluster');
    const source = change.after.copyFrom ?? (shared ? sharedFiles.get(change.target) : undefined);
    const created = source
      ? await io.createFile(change.target, change.after.mode, await ioOf(source).readCreated(change.target), [], staging)
      : await io.createFile(change.target, change.after.mode, change.after.content, change.after.secrets, staging);
    if (shared && !source) sharedFiles.set(change.target, io.node);
    return { createdDirs: created.createdDirs };
  },
  verify: (change, now) => {
    const gone = missing(change.target, now);
    if (gone) return gone;
    if (!sameMode(now!.mode, change.after.mode) || now!.uid !== 0)
      return `created with mode ${now!.mode} and uid ${now!.uid}, expected ${change.after.mode} and root`;
    // With generated secrets only the node knows the content.
    return change.after.sha256 === undefined || now!.sha256 === change.after.sha256 ? undefined : 'the content on the node is not what was written';
  },
  healthGate: () => undefined,
  restore: (item, ctx) => restoreFileFromBackup(item, ctx, STAGING),
  restoreGate: () => undefined,
  manualRestore: manualFileRestore,
};
