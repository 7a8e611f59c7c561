import type { RancherConfigChange } from '../../model/change.js';
import type { RestartedComponent } from '../../model/run-journal.js';
import { quoteShellArg } from '../../transport/shell-quote.js';
import { describeStaleness } from '../precondition.js';
import { stagingPathFor } from '../staging-path.js';
import type { HealthGate, NodeKindHandler } from './handler.js';
import { manualFileRestore, restoreFileFromBackup, verifyRewrittenFile, writeRewrittenFile } from './file-target.js';

const STAGING = { staticPodManifest: false } as const;
/** A config.yaml cis-fix creates: root only, as RKE2's own files under /etc/rancher are. */
const CREATED_MODE = '600';

/**
 * An RKE2/k3s config.yaml (or drop-in) rewritten, then one restart of the
 * distribution's service for all such changes of the node; the gate waits
 * until every component the service runs is back with its new command line
 * and answers its health endpoint. A restore puts the files back, restarts
 * the service again and waits for the same components (any command line).
 */
export const rancherConfigHandler: NodeKindHandler<RancherConfigChange> = {
  kind: 'rancher-config',
  readsFrom: () => [],
  precondition: (change, now) => describeStaleness(change, now),
  journalWrite: (change, _found, runId) => ({
    restart: 'kubelet',
    service: change.service,
    alsoGated: otherGates(change).map((g) => g.component),
    staging: stagingPathFor(change.target, runId, STAGING),
    expected: { sha256: change.after.sha256 },
  }),
  async write(change, { io, runId }) {
    if (change.action === 'create') {
      return io.createFile(change.target, CREATED_MODE, change.after.content, [], stagingPathFor(change.target, runId, STAGING));
    }
    return writeRewrittenFile(change, io, runId, STAGING);
  },
  verify: verifyRewrittenFile,
  healthGate(change) {
    const kubelet = change.after.gates.find((g) => g.component === 'kubelet');
    return {
      component: 'kubelet',
      argv: kubelet?.argv,
      ...(kubelet ? { url: kubelet.url } : {}),
      restart: { daemonReload: false, service: change.service },
      also: otherGates(change).map((g) => ({ component: g.component, argv: g.argv, url: g.url })),
    };
  },
  restore: (item, ctx) => restoreFileFromBackup(item, ctx, STAGING),
  restoreGate(item): HealthGate | undefined {
    if (item.service === undefined) return undefined;
    return {
      component: 'kubelet',
      argv: undefined,
      restart: { daemonReload: false, service: item.service },
      also: (item.alsoGated ?? []).map((component) => ({ component, argv: undefined })),
    };
  },
  manualRestore: (item, backupRun) => [
    ...manualFileRestore(item, backupRun),
    ...(item.service ? [`systemctl restart ${quoteShellArg(`${item.service}.service`)}`] : []),
  ],
};

/** The service's components other than the kubelet, in restart order (etcd first). */
function otherGates(change: RancherConfigChange): { component: Exclude<RestartedComponent, 'kubelet'>; argv: readonly string[] | undefined; url: string }[] {
  return change.after.gates.flatMap((g) => (g.component === 'kubelet' ? [] : [{ component: g.component, argv: g.argv, url: g.url }]));
}
