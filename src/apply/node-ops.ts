import type { FilePrecondition } from '../model/change.js';
import { CisFixError } from '../model/errors.js';
import type { NodeTransport } from '../transport/node-transport.js';
import { quoteShellArg } from '../transport/shell-quote.js';
import {
  ACQUIRE_LOCK,
  BACKUP_PATHS,
  CHMOD_PATH,
  CHOWN_PATH,
  CREATE_FILE,
  READ_CREATED_FILE,
  REMOVE_CREATED,
  RELEASE_LOCK,
  PROBE_COMPONENT,
  RESTART_KUBELET,
  RESTORE_PATH,
  STAT_PATHS,
  WRITE_FILE,
} from './node-scripts.js';

/**
 * Typed wrappers around node-scripts.ts: each runs one fixed script with
 * quoted arguments over the node's connection and parses what it prints.
 */

/** A node operation failed; nothing beyond what the message says was done. */
export class NodeOperationError extends CisFixError {
  readonly exitCode = 1;
  constructor(readonly node: string, readonly operation: string, detail: string) {
    super(`${node}: ${operation} failed: ${detail}`);
  }
}

/** Another apply (or rollback) holds the node. */
export class LockHeldError extends CisFixError {
  readonly exitCode = 1;
  constructor(readonly node: string, readonly holder: string) {
    super(`${node}: another cis-fix run holds the node lock: ${holder}`, [
      'Wait for that run to finish. If it died, check /var/lib/cis-fix/lock on the node, run `cis-fix rollback` for its run id if needed, then remove the lock file.',
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
  if (result.code !== 0) {
    const detail = result.stderr.trim().split('\n')[0] || `exit status ${result.code}`;
    throw new NodeOperationError(transport.node, operation, detail);
  }
  return result.stdout;
}

/** Replace a file's content atomically, keeping its owner and mode; returns the sha256 the node computed. */
export async function writeFileContent(transport: NodeTransport, path: string, content: string, sha256: string): Promise<string> {
  return (await runScript(transport, `writing ${path}`, WRITE_FILE, [path, sha256], content)).toString('utf8').trim();
}

/**
 * Create a support file from a template; secrets are generated on the node.
 * Returns the directories it created (shallowest first) and the file's sha256.
 */
export async function createFile(transport: NodeTransport, path: string, mode: string, template: string, secrets: readonly { name: string; bytes: number }[]): Promise<{ createdDirs: string[]; sha256: string }> {
  const out = (await runScript(transport, `creating ${path}`, CREATE_FILE, [path, mode, ...secrets.map((s) => `${s.name}:${s.bytes}`)], template)).toString('utf8');
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

/** What runs under a process name, and whether the health endpoint answers. */
export interface ComponentProbe {
  readonly argvs: readonly (readonly string[])[];
  readonly healthy: boolean;
}

export async function probeComponent(transport: NodeTransport, comm: string, healthUrl: string): Promise<ComponentProbe> {
  const lines = (await runScript(transport, `checking ${comm}`, PROBE_COMPONENT, [comm, healthUrl])).toString('utf8').trim().split('\n');
  const verdict = lines.pop();
  const argvs = lines.filter((l) => l !== '').map((l) => Buffer.from(l, 'base64').toString('utf8').replace(/\0$/, '').split('\0'));
  return { argvs, healthy: verdict === 'HEALTHY' };
}

/** `takeOverFrom`: the id of an interrupted run whose leftover lock may be taken (its rollback). */
export async function acquireNodeLock(transport: NodeTransport, holder: string, takeOverFrom?: string): Promise<void> {
  const out = (await runScript(transport, 'taking the node lock', ACQUIRE_LOCK, takeOverFrom ? [holder, takeOverFrom] : [holder])).toString('utf8');
  const [first, ...rest] = out.split('\n');
  if (first === 'acquired') return;
  throw new LockHeldError(transport.node, rest.join(' ').trim() || 'unknown holder');
}

export async function releaseNodeLock(transport: NodeTransport, runId: string): Promise<void> {
  await runScript(transport, 'releasing the node lock', RELEASE_LOCK, [runId]);
}

/** What a path looks like right now (see STAT_PATHS). */
export interface PathState extends FilePrecondition {
  readonly path: string;
  readonly user: string;
  readonly group: string;
  readonly type: string;
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
  return `0${mode.padStart(4, '0')}`;
}

export async function changeMode(transport: NodeTransport, path: string, mode: string): Promise<string> {
  return (await runScript(transport, `chmod ${path}`, CHMOD_PATH, [chmodArgument(mode), path])).toString('utf8').trim();
}

export async function changeOwner(transport: NodeTransport, path: string, user: string, group: string, createAccount: boolean): Promise<string> {
  return (await runScript(transport, `chown ${path}`, CHOWN_PATH, [user, group, path, createAccount ? 'create-account' : ''])).toString('utf8').trim();
}

export async function restorePath(
  transport: NodeTransport,
  runId: string,
  original: { path: string; mode: string; uid: number; gid: number; sha256: string | undefined },
): Promise<void> {
  await runScript(transport, `restoring ${original.path}`, RESTORE_PATH, [
    runId,
    original.path,
    chmodArgument(original.mode),
    String(original.uid),
    String(original.gid),
    original.sha256 ?? '-',
  ]);
}
