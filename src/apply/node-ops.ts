import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { FilePrecondition, HealthClientTls } from '../model/change.js';
import { CisFixError } from '../model/errors.js';
import { FileMode } from '../model/file-mode.js';
import type { RunJournal } from '../model/run-journal.js';
import type { NodeTransport } from '../transport/node-transport.js';
import { quoteShellArg } from '../transport/shell-quote.js';
import { listJournals } from './journal.js';
import { judgeLock, localProcessProbe, lockRecord, parseLockRecord, runIdOfHolder, type LockOwner, type ProcessProbe } from './node-lock.js';
import {
  ACQUIRE_LOCK,
  BACKUP_PATHS,
  CHMOD_PATH,
  CHOWN_PATH,
  CREATE_FILE,
  EXIT_SYMLINK_IN_PATH,
  EXIT_SYMLINK_TARGET,
  READ_CREATED_FILE,
  REMOVE_CREATED,
  REMOVE_STAGED,
  RELEASE_LOCK,
  PROBE_COMPONENT,
  READ_LOCK,
  RESTART_KUBELET,
  RESTART_SERVICE,
  RESTORE_PATH,
  STAT_PATHS,
  WRITE_FILE,
} from './node-scripts.js';
import { stagingPathFor } from './staging-path.js';

/**
 * Typed wrappers around node-scripts.ts: each runs one fixed script with
 * quoted arguments over the node's connection and parses what it prints.
 */

/** A node operation failed; nothing beyond what the message says was done. */
export class NodeOperationError extends CisFixError {
  readonly exitCode = 1;
  constructor(
    readonly node: string,
    readonly operation: string,
    detail: string,
  ) {
    super(`${node}: ${operation} failed: ${detail}`);
  }
}

/**
 * A node script refused to write because a directory on the path (or the
 * target itself) is a symlink (DESIGN.md §3): nothing was written there.
 * `link` is the symlink, byte-exact as the node named it.
 */
export class SymlinkRefusedError extends NodeOperationError {
  constructor(
    node: string,
    operation: string,
    readonly link: string,
    readonly target: 'directory' | 'file',
  ) {
    super(
      node,
      operation,
      target === 'directory'
        ? `${link} is a symbolic link: cis-fix never writes through a symlinked directory`
        : `${link} is a symbolic link: cis-fix never changes a file through a link`,
    );
  }
}

/** Another apply (or rollback) holds the node. */
export class LockHeldError extends CisFixError {
  readonly exitCode = 1;
  constructor(
    readonly node: string,
    readonly holder: string,
  ) {
    super(`${node}: another cis-fix run holds the node lock: ${holder}`, [
      'Wait for that run to finish. A lock whose run is over, or whose process on this workstation is gone, is taken over by itself; ' +
        'if that run died on another machine, run `cis-fix rollback` for its run id there (or check /var/lib/cis-fix/lock on the node and remove it).',
    ]);
  }
}

/**
 * Run one constant script with quoted arguments. Without `input` the script
 * goes on stdin (`sh -s`); with it, the script is the `sh -c` argument so
 * that stdin is free for data (the new content of a file).
 */
export async function runScript(transport: NodeTransport, operation: string, script: string, args: readonly string[], input?: string): Promise<Buffer> {
  const quoted = args.map(quoteShellArg);
  const command = input === undefined ? ['/bin/sh', '-s', '--', ...quoted].join(' ') : ['/bin/sh', '-c', quoteShellArg(script), 'cis-fix', ...quoted].join(' ');
  const result = await transport.exec(command, { stdin: input ?? script });
  if (result.code === EXIT_SYMLINK_IN_PATH || result.code === EXIT_SYMLINK_TARGET) {
    // The script printed the link NUL-terminated as its last output.
    const records = result.stdout.toString('utf8').split('\0');
    const link = records[records.length - 2];
    if (link !== undefined && link !== '')
      throw new SymlinkRefusedError(transport.node, operation, link, result.code === EXIT_SYMLINK_IN_PATH ? 'directory' : 'file');
  }
  if (result.code !== 0) {
    const detail = result.stderr.trim().split('\n')[0] || `exit status ${result.code}`;
    throw new NodeOperationError(transport.node, operation, detail);
  }
  return result.stdout;
}

/**
 * Where a write stages its new content: the caller's `stagingPath` (from
 * stagingPathFor, with the run id in the name), else stagingPathFor with
 * `runId` (default: a name without a run) — a manifest (`staticPodManifest`,
 * by default any file directly in a directory named `manifests`, the
 * kubelet's staticPodPath in every kubeadm layout) in the sibling staging
 * directory, anything else as a dot-file beside it.
 */
export interface StagingOptions {
  readonly stagingPath?: string;
  readonly runId?: string;
  readonly staticPodManifest?: boolean;
}

/** The run id in staging names when the caller gave none (callers older than staging-path.ts). */
export const UNNAMED_RUN = 'unnamed-run';

export function stagingPathOf(target: string, options: StagingOptions = {}): string {
  if (options.stagingPath !== undefined) return options.stagingPath;
  const staticPodManifest = options.staticPodManifest ?? posix.basename(posix.dirname(target)) === 'manifests';
  return stagingPathFor(target, options.runId ?? UNNAMED_RUN, { staticPodManifest });
}

/** Replace a file's content atomically, keeping its owner and mode; returns the sha256 the node computed. */
export async function writeFileContent(transport: NodeTransport, path: string, content: string, sha256: string, staging: StagingOptions = {}): Promise<string> {
  return (await runScript(transport, `writing ${path}`, WRITE_FILE, [path, sha256, stagingPathOf(path, staging)], content)).toString('utf8').trim();
}

/**
 * Create a support file from a template; secrets are generated on the node.
 * Returns the directories it created (shallowest first) and the file's sha256.
 * A support file is never a manifest: it is staged beside itself.
 */
export async function createFile(
  transport: NodeTransport,
  path: string,
  mode: string,
  template: string,
  secrets: readonly { name: string; bytes: number }[],
  staging: StagingOptions = {},
): Promise<{ createdDirs: string[]; sha256: string }> {
  const stagingPath = stagingPathOf(path, { staticPodManifest: false, ...staging });
  const out = (
    await runScript(transport, `creating ${path}`, CREATE_FILE, [path, mode, stagingPath, ...secrets.map((s) => `${s.name}:${s.bytes}`)], template)
  ).toString('utf8');
  const lines = out.split('\n');
  return {
    createdDirs: lines.filter((l) => l.startsWith('dir ')).map((l) => l.slice(4)),
    sha256: lines.find((l) => l.startsWith('sha '))?.slice(4) ?? '',
  };
}

/** The content of a file createFile made on another node; it stays in memory and goes straight to the next node. */
export async function readCreatedFile(transport: NodeTransport, path: string): Promise<string> {
  return (await runScript(transport, `reading ${path}`, READ_CREATED_FILE, [path])).toString('utf8');
}

/** Undo createFile: remove the file, then the directories it created when they are empty. */
export async function removeCreated(transport: NodeTransport, path: string, createdDirs: readonly string[]): Promise<void> {
  await runScript(transport, `removing ${path}`, REMOVE_CREATED, [path, ...createdDirs]);
}

/** `systemctl daemon-reload` (when asked) and one `systemctl restart kubelet`. */
export async function restartKubelet(transport: NodeTransport, daemonReload: boolean): Promise<void> {
  await runScript(transport, 'restarting the kubelet', RESTART_KUBELET, [daemonReload ? '1' : '0']);
}

/**
 * `systemctl daemon-reload` (when asked) and `systemctl restart UNIT`: a service cis-fix restarts itself (etcd run by
 * systemd; rke2-server, rke2-agent, k3s, k3s-agent, which regenerate their components from config.yaml).
 */
export async function restartService(transport: NodeTransport, unit: string, daemonReload: boolean): Promise<void> {
  const name = unit.endsWith('.service') ? unit : `${unit}.service`;
  await runScript(transport, `restarting ${name}`, RESTART_SERVICE, [daemonReload ? '1' : '0', name]);
}

/** What runs under a process name, and whether the health endpoint answers. */
export interface ComponentProbe {
  readonly argvs: readonly (readonly string[])[];
  readonly healthy: boolean;
}

/** `component`: also found, on a k3s node, as the newest "Running <component>" line of k3s's journal (it has no process of its own there). */
export async function probeComponent(
  transport: NodeTransport,
  comm: string,
  healthUrl: string,
  component = '',
  tls?: HealthClientTls,
): Promise<ComponentProbe> {
  const identity = tls ? [tls.caFile, tls.certFile, tls.keyFile] : [];
  const lines = (await runScript(transport, `checking ${comm}`, PROBE_COMPONENT, [comm, healthUrl, component, ...identity]))
    .toString('utf8')
    .trim()
    .split('\n');
  const verdict = lines.pop();
  const argvs = lines.filter((l) => l !== '').map((l) => Buffer.from(l, 'base64').toString('utf8').replace(/\0$/, '').split('\0'));
  return { argvs, healthy: verdict === 'HEALTHY' };
}

export interface NodeLockOptions {
  /** The run taking the lock; by default the one the holder line names ("run ID by …"). */
  readonly runId?: string;
  /** Where the journals are that say whether a lock's run is over (default: stateDir()). */
  readonly stateDir?: string;
  /** Told, with the old holder named, when an abandoned lock is taken over (default: a warning on stderr). */
  readonly onTakeOver?: (message: string) => void;
  /** What this workstation knows about processes (tests). */
  readonly probe?: ProcessProbe;
  /** The journals to judge by (instead of reading them from stateDir). */
  readonly journals?: readonly RunJournal[];
}

/** What acquireNodeLock did: took a free lock, or took over an abandoned one (whose holder is named). */
export type NodeLockOutcome = { readonly kind: 'acquired' } | { readonly kind: 'taken-over'; readonly from: LockOwner; readonly message: string };

/**
 * Take the node lock. A lock held by another run is taken over only when
 * its holder provably no longer needs it (node-lock.ts judgeLock: the run
 * being rolled back — `takeOverFrom` —, a run whose journal says it is
 * over, or a process of this workstation that is gone); the takeover is
 * reported through `onTakeOver` and the result, naming the old holder.
 * Otherwise LockHeldError names the holder.
 */
export async function acquireNodeLock(
  transport: NodeTransport,
  holder: string,
  takeOverFrom?: string,
  options: NodeLockOptions = {},
): Promise<NodeLockOutcome> {
  const probe = options.probe ?? localProcessProbe;
  const runId = options.runId ?? runIdOfHolder(holder) ?? 'unknown';
  const record = lockRecord(holder, runId, probe);
  let journals = options.journals;
  let replace: string | undefined;
  let owner: LockOwner | undefined;
  let why = '';
  // A second attempt only when the lock judged abandoned changed under us (another run took it first).
  for (let attempt = 0; attempt < 3; attempt++) {
    const out = (await runScript(transport, 'taking the node lock', ACQUIRE_LOCK, replace === undefined ? [record] : [record, replace])).toString('utf8');
    const newline = out.indexOf('\n');
    const first = newline < 0 ? out : out.slice(0, newline);
    if (first === 'acquired') {
      if (replace === undefined || owner === undefined) return { kind: 'acquired' };
      const message = `${transport.node}: took over the node lock of ${owner.holder}: ${why}`;
      if (options.onTakeOver) options.onTakeOver(message);
      // Without a listener the user still learns of it — except for the rollback of that very run, which is what its lock waits for.
      else if (owner.runId === undefined || owner.runId !== takeOverFrom) process.stderr.write(`warning: ${message}\n`);
      return { kind: 'taken-over', from: owner, message };
    }
    const current = newline < 0 ? '' : out.slice(newline + 1);
    owner = parseLockRecord(current);
    journals ??= await listJournals(options.stateDir).catch(() => []);
    const verdict = judgeLock(owner, journals, probe, takeOverFrom);
    if (verdict.kind === 'held' || current === '') break;
    why = verdict.why;
    replace = createHash('sha256').update(current).digest('hex');
  }
  throw new LockHeldError(transport.node, owner?.holder ?? 'unknown holder');
}

/** Release the node lock if `runId` holds it (a lock of any other run stays). */
export async function releaseNodeLock(transport: NodeTransport, runId: string): Promise<void> {
  await runScript(transport, 'releasing the node lock', RELEASE_LOCK, [runId]);
}

/**
 * Release `runId`'s lock on every node given — all the nodes a run locked,
 * also those a rollback had nothing to restore on. Best effort per node:
 * returns the nodes where it failed, with why.
 */
export async function releaseRunLocks(
  transports: ReadonlyMap<string, NodeTransport>,
  runId: string,
  nodes: readonly string[] = [...transports.keys()],
): Promise<{ node: string; message: string }[]> {
  const failures: { node: string; message: string }[] = [];
  await Promise.all(
    nodes.map(async (node) => {
      const transport = transports.get(node);
      if (!transport) return void failures.push({ node, message: 'no connection' });
      await releaseNodeLock(transport, runId).catch((error: Error) => failures.push({ node, message: error.message }));
    }),
  );
  return failures;
}

/**
 * Release `runId`'s lock on a node only if its holder provably no longer
 * needs it (judgeLock, as a takeover would decide): a rollback with nothing
 * to restore there must not free a node a live run still works on.
 */
export async function releaseAbandonedLock(
  transport: NodeTransport,
  runId: string,
  options: NodeLockOptions = {},
): Promise<'released' | 'not-held' | LockHeldError> {
  const current = (await runScript(transport, 'reading the node lock', READ_LOCK, [])).toString('utf8');
  if (current === '') return 'not-held';
  const owner = parseLockRecord(current);
  if (owner.runId !== runId) return 'not-held';
  const journals = options.journals ?? (await listJournals(options.stateDir).catch(() => []));
  if (judgeLock(owner, journals, options.probe ?? localProcessProbe).kind === 'held') return new LockHeldError(transport.node, owner.holder);
  await releaseNodeLock(transport, runId);
  return 'released';
}

/** The nodes a run's journal says it locked: the nodes whose locks its rollback releases. */
export function lockedNodesOf(journal: RunJournal): string[] {
  return [...new Set(journal.steps.filter((s) => s.phase === 'locked' && s.node !== '*').map((s) => s.node))];
}

/** A target whose leftover staging files removeStagedFiles looks for. */
export interface StagedTarget {
  readonly target: string;
  readonly staticPodManifest?: boolean;
}

/**
 * Remove what a run (killed halfway, or restored) left in staging for these
 * targets: its staging files (run id in the name), the `.2` file of a
 * support file being filled with secrets, the names older cis-fix versions
 * staged under beside the target (`.NAME.cis-fix-new`, `.NAME.cis-fix-restore`,
 * without a run id), and each manifest staging directory left empty.
 * Returns the files removed. Nothing is looked up through a symlinked directory.
 */
export async function removeStagedFiles(transport: NodeTransport, runId: string, targets: readonly StagedTarget[]): Promise<string[]> {
  if (targets.length === 0) return [];
  const paths = new Set<string>();
  for (const { target, staticPodManifest } of targets) {
    const options = staticPodManifest === undefined ? { runId } : { runId, staticPodManifest };
    paths.add(stagingPathOf(target, options));
    const dir = posix.dirname(target);
    const base = posix.basename(target);
    paths.add(posix.join(dir, `.${base}.cis-fix-new`));
    paths.add(posix.join(dir, `.${base}.cis-fix-restore`));
  }
  const out = (await runScript(transport, 'removing staging files', REMOVE_STAGED, [...paths])).toString('utf8');
  return out
    .split('\0')
    .filter((r) => r.startsWith('removed '))
    .map((r) => r.slice('removed '.length));
}

/** What a path looks like right now (see STAT_PATHS). */
export interface PathState extends FilePrecondition {
  readonly path: string;
  readonly user: string;
  readonly group: string;
  /** stat's %F ("regular file", "directory", "symbolic link"), "missing", or "symlink-in-path". */
  readonly type: string;
  /**
   * A symlink on the way to the target, or the target itself when it is a
   * symlink: cis-fix never writes there (describeStaleness names it). When
   * a directory above is the link, nothing below it was looked at and
   * `exists` is false.
   */
  readonly symlink?: string;
}

export async function statPaths(transport: NodeTransport, paths: readonly string[]): Promise<Map<string, PathState>> {
  const states = new Map<string, PathState>();
  if (paths.length === 0) return states;
  const out = (await runScript(transport, 'reading targets', STAT_PATHS, paths)).toString('utf8');
  for (const record of out.split('\0')) {
    if (record === '') continue;
    if (record.startsWith('M|')) {
      const path = record.slice(2);
      states.set(path, { path, exists: false, sha256: undefined, mode: '', uid: -1, gid: -1, user: '', group: '', type: 'missing' });
      continue;
    }
    if (record.startsWith('L|')) {
      const bar = record.indexOf('|', 2);
      const depth = Number(record.slice(2, bar));
      const path = record.slice(bar + 1);
      const symlink = path
        .split('/')
        .slice(0, depth + 1)
        .join('/');
      states.set(path, { path, exists: false, sha256: undefined, mode: '', uid: -1, gid: -1, user: '', group: '', type: 'symlink-in-path', symlink });
      continue;
    }
    const fields = record.split('|');
    const [, mode, uid, gid, user, group, type, sha] = fields;
    const path = fields.slice(8).join('|');
    states.set(path, {
      path,
      exists: true,
      mode: mode ?? '',
      uid: Number(uid),
      gid: Number(gid),
      user: user ?? '',
      group: group ?? '',
      type: type ?? '',
      sha256: sha === '-' ? undefined : sha,
      ...(type === 'symbolic link' ? { symlink: path } : {}),
    });
  }
  return states;
}

export async function backupPaths(transport: NodeTransport, runId: string, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  await runScript(transport, 'backing up targets', BACKUP_PATHS, [runId, ...paths]);
}

/**
 * chmod with a five-digit numeric mode: GNU chmod keeps a directory's
 * setuid/setgid bits for shorter numeric modes, so "0700" would not clear them.
 */
export function chmodArgument(mode: string): string {
  return `0${FileMode.parse(mode).display()}`;
}

export async function changeMode(transport: NodeTransport, path: string, mode: string): Promise<string> {
  return (await runScript(transport, `chmod ${path}`, CHMOD_PATH, [chmodArgument(mode), path])).toString('utf8').trim();
}

export async function changeOwner(transport: NodeTransport, path: string, user: string, group: string, createAccount: boolean): Promise<string> {
  return (await runScript(transport, `chown ${path}`, CHOWN_PATH, [user, group, path, createAccount ? 'create-account' : ''])).toString('utf8').trim();
}

/** Put a backed-up path back (content, owner, mode); the content is staged as `staging` says (default: stagingPathFor with `runId`). */
export async function restorePath(
  transport: NodeTransport,
  runId: string,
  original: { path: string; mode: string; uid: number; gid: number; sha256?: string | undefined },
  staging: StagingOptions = {},
): Promise<void> {
  await runScript(transport, `restoring ${original.path}`, RESTORE_PATH, [
    runId,
    original.path,
    chmodArgument(original.mode),
    String(original.uid),
    String(original.gid),
    original.sha256 ?? '-',
    stagingPathOf(original.path, { runId, ...staging }),
  ]);
}
