import type { HealthClientTls } from '../model/change.js';
import type { FileOriginal, RestartedComponent } from '../model/run-journal.js';
import type { NodeTransport } from '../transport/node-transport.js';
import { waitForHealthy, type HealthOutcome } from './health-gate.js';
import {
  acquireNodeLock,
  backupPaths,
  changeMode,
  changeOwner,
  createFile,
  readCreatedFile,
  releaseNodeLock,
  removeCreated,
  removeStagedFiles,
  restartKubelet,
  restartService,
  restorePath,
  statPaths,
  writeFileContent,
  type PathState,
  type StagedTarget,
} from './node-ops.js';

/**
 * Everything apply and restore do on one node, as one interface: the kind
 * handlers, the apply loop and the restore engine talk to a node only
 * through it. `nodeIoOver` runs node-ops' fixed scripts over SSH; unit tests
 * use an in-memory file system (test/unit/apply/fake-node-io.ts).
 */
export interface NodeIo {
  readonly node: string;
  lock(holder: string, takeOverFrom?: string): Promise<void>;
  unlock(runId: string): Promise<void>;
  stat(paths: readonly string[]): Promise<Map<string, PathState>>;
  backup(runId: string, paths: readonly string[]): Promise<void>;
  chmod(path: string, mode: string): Promise<void>;
  chown(path: string, user: string, group: string, createAccount: boolean): Promise<void>;
  writeContent(path: string, content: string, sha256: string, staging: string): Promise<void>;
  createFile(
    path: string,
    mode: string,
    template: string,
    secrets: readonly { name: string; bytes: number }[],
    staging: string,
  ): Promise<{ createdDirs: readonly string[] }>;
  readCreated(path: string): Promise<string>;
  /** Remove a file the run created, then the directories it created for it when empty. Also removes leftover temp files (no dirs). */
  removeCreated(path: string, createdDirs: readonly string[]): Promise<void>;
  /** Remove a run's leftover staging files for these targets (and a manifest staging directory left empty); returns the files removed. */
  removeStaged(runId: string, targets: readonly StagedTarget[]): Promise<string[]>;
  /** Put a backed-up file back from backups/<backupRun>/, content (through `staging`), owner and mode. */
  restore(backupRun: string, path: string, original: FileOriginal, staging: string): Promise<void>;
  restartKubelet(daemonReload: boolean): Promise<void>;
  /** `systemctl daemon-reload` (when asked) and `systemctl restart UNIT` (etcd.service run by systemd, rke2-server, k3s). */
  restartService(unit: string, daemonReload: boolean): Promise<void>;
  /**
   * With `ifRunning`, a component that does not run on the node counts as healthy (a dependent of a restarted one);
   * with `tls`, an https `url` is asked with that client certificate (paths on the node).
   */
  waitHealthy(
    component: RestartedComponent,
    argv: readonly string[] | undefined,
    timeoutMs: number,
    url?: string,
    ifRunning?: boolean,
    tls?: HealthClientTls,
  ): Promise<HealthOutcome>;
}

export function nodeIoOver(transport: NodeTransport): NodeIo {
  return {
    node: transport.node,
    lock: async (holder, takeOverFrom) => void (await acquireNodeLock(transport, holder, takeOverFrom)),
    unlock: (runId) => releaseNodeLock(transport, runId),
    stat: (paths) => statPaths(transport, paths),
    backup: (runId, paths) => backupPaths(transport, runId, paths),
    chmod: async (path, mode) => void (await changeMode(transport, path, mode)),
    chown: async (path, user, group, createAccount) => void (await changeOwner(transport, path, user, group, createAccount)),
    writeContent: async (path, content, sha256, staging) => void (await writeFileContent(transport, path, content, sha256, { stagingPath: staging })),
    createFile: (path, mode, template, secrets, staging) => createFile(transport, path, mode, template, secrets, { stagingPath: staging }),
    readCreated: (path) => readCreatedFile(transport, path),
    removeCreated: (path, createdDirs) => removeCreated(transport, path, createdDirs),
    removeStaged: (runId, targets) => removeStagedFiles(transport, runId, targets),
    restore: (backupRun, path, original, staging) => restorePath(transport, backupRun, { path, ...original }, { stagingPath: staging }),
    restartKubelet: (daemonReload) => restartKubelet(transport, daemonReload),
    restartService: (unit, daemonReload) => restartService(transport, unit, daemonReload),
    waitHealthy: (component, argv, timeoutMs, url, ifRunning, tls) =>
      waitForHealthy(transport, component, argv, timeoutMs, {
        ...(url === undefined ? {} : { url }),
        ...(ifRunning ? { ifRunning } : {}),
        ...(tls ? { tls } : {}),
      }),
  };
}

/** The restart a gate asks for: the kubelet's, or the named service's. */
export async function restartFor(io: NodeIo, restart: { readonly daemonReload: boolean; readonly service?: string }): Promise<void> {
  if (restart.service === undefined) await io.restartKubelet(restart.daemonReload);
  else await io.restartService(restart.service, restart.daemonReload);
}
