import type { KubeletFileChange } from '../../model/change.js';
import { describeStaleness } from '../precondition.js';
import { stagingPathFor } from '../staging-path.js';
import type { NodeKindHandler } from './handler.js';
import { manualFileRestore, restoreFileFromBackup, verifyRewrittenFile, writeRewrittenFile } from './file-target.js';

const STAGING = { staticPodManifest: false } as const;

/**
 * A kubelet source rewritten (unit, drop-in, environment file, config).
 * All kubelet files of a node share one restart after the last of them,
 * daemon-reload first when a unit changed; a kubelet that was not running
 * at plan time is not restarted (and its restore does not start it).
 */
export const kubeletFileHandler: NodeKindHandler<KubeletFileChange> = {
  kind: 'kubelet-file',
  readsFrom: () => [],
  precondition: (change, now) => describeStaleness(change, now),
  journalWrite: (change, _found, runId) => ({
    ...(change.after.argv !== undefined
      ? { restart: change.restart, daemonReload: change.daemonReload, ...(change.before.argv ? { argvBefore: change.before.argv } : {}) }
      : {}),
    staging: stagingPathFor(change.target, runId, STAGING),
    expected: { sha256: change.after.sha256 },
  }),
  write: (change, { io, runId }) => writeRewrittenFile(change, io, runId, STAGING),
  verify: verifyRewrittenFile,
  healthGate: (change) =>
    change.after.argv === undefined
      ? undefined
      : { component: change.restart, argv: change.after.argv, url: change.after.healthUrl, restart: { daemonReload: change.daemonReload } },
  restore: (item, ctx) => restoreFileFromBackup(item, ctx, STAGING),
  restoreGate: (item) =>
    item.restart === undefined ? undefined : { component: item.restart, argv: item.argvBefore, restart: { daemonReload: item.daemonReload === true } },
  manualRestore: manualFileRestore,
};
