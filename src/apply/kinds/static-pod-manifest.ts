import type { ManifestChange } from '../../model/change.js';
import { describeStaleness } from '../precondition.js';
import { stagingPathFor } from '../staging-path.js';
import type { NodeKindHandler } from './handler.js';
import { manualFileRestore, restoreFileFromBackup, verifyRewrittenFile, writeRewrittenFile } from './file-target.js';

const STAGING = { staticPodManifest: true } as const;

/**
 * A static pod manifest rewritten. The new content is staged in the sibling
 * staging directory (never in manifests/, where the kubelet would run it);
 * the kubelet restarts the pod by itself, and the gate waits for the new
 * command line and the health endpoint. A restore waits for the old one.
 */
export const staticPodManifestHandler: NodeKindHandler<ManifestChange> = {
  kind: 'static-pod-manifest',
  readsFrom: () => [],
  precondition: (change, now) => describeStaleness(change, now),
  journalWrite: (change, _found, runId) => ({
    restart: change.restart,
    argvBefore: change.before.argv,
    staging: stagingPathFor(change.target, runId, STAGING),
    expected: { sha256: change.after.sha256 },
  }),
  write: (change, { io, runId }) => writeRewrittenFile(change, io, runId, STAGING),
  verify: verifyRewrittenFile,
  healthGate: (change) => ({ component: change.restart, argv: change.after.argv }),
  restore: (item, ctx) => restoreFileFromBackup(item, ctx, STAGING),
  restoreGate: (item) => (item.restart === undefined || item.restart === 'kubelet' ? undefined : { component: item.restart, argv: item.argvBefore }),
  manualRestore: manualFileRestore,
};
