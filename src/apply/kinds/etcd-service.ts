import type { EtcdServiceChange } from '../../model/change.js';
import { describeStaleness } from '../precondition.js';
import { stagingPathFor } from '../staging-path.js';
import type { NodeKindHandler } from './handler.js';
import { manualFileRestore, restoreFileFromBackup, verifyRewrittenFile, writeRewrittenFile } from './file-target.js';

const STAGING = { staticPodManifest: false } as const;
/** The unit a restore restarts (the journal keeps the component; the planner only ever plans etcd.service). */
const ETCD_UNIT = 'etcd.service';

/**
 * A source of etcd run by systemd rewritten (unit, drop-in or environment
 * file). All etcd changes of a node share one `systemctl restart etcd`
 * after the last of them, daemon-reload first when a unit changed; the gate
 * waits for etcd's new command line and its /health (over TLS with a client
 * certificate on the node when etcd has no metrics listener: etcd-health-probe.ts), then for kube-apiserver
 * (where it runs on the node) still answering /readyz. A restore restarts
 * etcd the same way and waits for the command line it ran before.
 */
export const etcdServiceHandler: NodeKindHandler<EtcdServiceChange> = {
  kind: 'etcd-service',
  readsFrom: () => [],
  precondition: (change, now) => describeStaleness(change, now),
  journalWrite: (change, _found, runId) => ({
    restart: change.restart,
    daemonReload: change.daemonReload,
    argvBefore: change.before.argv,
    staging: stagingPathFor(change.target, runId, STAGING),
    expected: { sha256: change.after.sha256 },
    ...(change.before.healthUrl !== undefined ? { healthUrl: change.before.healthUrl } : {}),
    ...(change.before.healthTls ? { healthTls: change.before.healthTls } : {}),
  }),
  write: (change, { io, runId }) => writeRewrittenFile(change, io, runId, STAGING),
  verify: verifyRewrittenFile,
  healthGate: (change) => ({
    component: change.restart,
    argv: change.after.argv,
    url: change.after.healthUrl,
    ...(change.after.healthTls ? { tls: change.after.healthTls } : {}),
    restart: { daemonReload: change.daemonReload, service: change.unit },
    dependents: ['kube-apiserver'],
  }),
  restore: (item, ctx) => restoreFileFromBackup(item, ctx, STAGING),
  restoreGate: (item) => ({
    component: 'etcd',
    argv: item.argvBefore,
    // Where the etcd the restore brings back answers /health (a journal from before healthUrl: kubeadm's metrics port).
    ...(item.healthUrl !== undefined ? { url: item.healthUrl } : {}),
    ...(item.healthTls ? { tls: item.healthTls } : {}),
    restart: { daemonReload: item.daemonReload === true, service: ETCD_UNIT },
    dependents: ['kube-apiserver'],
  }),
  manualRestore: (item, backupRun) => [
    ...manualFileRestore(item, backupRun),
    ...(item.daemonReload === true ? ['systemctl daemon-reload'] : []),
    `systemctl restart ${ETCD_UNIT}`,
  ],
};
