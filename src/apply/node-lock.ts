import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { RunJournal } from '../model/run-journal.js';

/**
 * The node lock's record (/var/lib/cis-fix/lock) and the decision whether a
 * lock found on a node may be taken over (issue 10 §2).
 *
 * The record's first line is the human-readable holder (what LockHeldError
 * shows); the lines after it are `key=value` facts about the process that
 * took it, on the workstation: its host, pid, the process's start time (so
 * that a reused pid is recognised) and the boot it ran in, and the run id.
 * A lock written by an older cis-fix has the holder line only
 * ("run ID by USER@HOST pid N since TIME"); what it says is used as far as it goes.
 */

/** Who holds a node lock, as far as the lock file says. */
export interface LockOwner {
  /** The first line, for messages. */
  readonly holder: string;
  readonly runId: string | undefined;
  readonly host: string | undefined;
  readonly pid: number | undefined;
  /** The process's start time as its host reports it (clock ticks since boot on Linux); undefined in an old lock. */
  readonly start: string | undefined;
  /** The host's boot id when the lock was taken; undefined in an old lock or off Linux. */
  readonly boot: string | undefined;
}

/** What the workstation knows about a process and itself: injectable for tests. */
export interface ProcessProbe {
  readonly hostname: string;
  readonly bootId: string | undefined;
  /** The start time of a live process, undefined when no such process runs (or it cannot be told). */
  startTime(pid: number): string | undefined;
  alive(pid: number): boolean;
}

/** The real probe: this machine's /proc (with `ps` off Linux). */
export const localProcessProbe: ProcessProbe = {
  hostname: hostname(),
  bootId: readBootId(),
  startTime: processStartTime,
  alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it exists, it is only someone else's.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};

/** The lock file content for this process taking a node lock for `runId`. */
export function lockRecord(holder: string, runId: string, probe: ProcessProbe = localProcessProbe, pid = process.pid): string {
  const lines = [holder.split('\n')[0] ?? '', `host=${probe.hostname}`, `pid=${pid}`];
  const start = probe.startTime(pid);
  if (start !== undefined) lines.push(`start=${start}`);
  if (probe.bootId !== undefined) lines.push(`boot=${probe.bootId}`);
  lines.push(`run=${runId}`);
  return lines.join('\n');
}

/** The run id a holder line names ("run ID by …"), as journal.ts lockHolder writes it. */
export function runIdOfHolder(holder: string): string | undefined {
  return /^run (\S+)/.exec(holder)?.[1];
}

/** Read a lock file's content; tolerant of old one-line locks and of anything else (then only `holder` is known). */
export function parseLockRecord(text: string): LockOwner {
  const [first = '', ...rest] = text.replace(/\n+$/, '').split('\n');
  const fields = new Map<string, string>();
  for (const line of rest) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const legacy = /^run (\S+) by (?:[^@\s]*@)?(\S+) pid (\d+)/.exec(first);
  const pid = fields.get('pid') ?? legacy?.[3];
  return {
    holder: first.trim() || 'unknown holder',
    runId: fields.get('run') ?? runIdOfHolder(first),
    host: fields.get('host') ?? legacy?.[2],
    pid: pid !== undefined && /^\d+$/.test(pid) ? Number(pid) : undefined,
    start: fields.get('start'),
    boot: fields.get('boot'),
  };
}

export type LockVerdict =
  | { readonly kind: 'held' }
  /** `why` completes "took over the node lock of <holder>: …". */
  | { readonly kind: 'take-over'; readonly why: string };

/**
 * May a lock found on a node be taken over? Only when its holder provably
 * no longer needs it:
 * - it is the run being rolled back (`takeOverFrom`), which is over;
 * - the workstation's journal of its run says the run finished, or that a rollback undid it;
 * - it was taken on this host and that process is gone: the pid no longer
 *   runs, runs with another start time (reused), or the host rebooted since.
 * A holder on another host, or one we cannot prove dead, keeps the lock.
 */
export function judgeLock(owner: LockOwner, journals: readonly RunJournal[], probe: ProcessProbe, takeOverFrom?: string): LockVerdict {
  if (owner.runId !== undefined) {
    if (takeOverFrom !== undefined && owner.runId === takeOverFrom) return { kind: 'take-over', why: `its run ${owner.runId} is being rolled back` };
    const journal = journals.find((j) => j.runId === owner.runId);
    if (journal && journal.status !== 'running') return { kind: 'take-over', why: `its run ${owner.runId} is over (${journal.status})` };
    const undo = journals.find((j) => j.kind === 'rollback' && j.rollsBack === owner.runId && j.status === 'succeeded');
    if (undo) return { kind: 'take-over', why: `its run ${owner.runId} was rolled back by ${undo.runId}` };
  }
  if (owner.host === undefined || owner.pid === undefined || owner.host !== probe.hostname) return { kind: 'held' };
  if (owner.boot !== undefined && probe.bootId !== undefined && owner.boot !== probe.bootId) {
    return { kind: 'take-over', why: `${owner.host} has rebooted since, so pid ${owner.pid} is gone` };
  }
  if (!probe.alive(owner.pid)) return { kind: 'take-over', why: `pid ${owner.pid} no longer runs on ${owner.host}` };
  if (owner.start !== undefined) {
    const start = probe.startTime(owner.pid);
    if (start !== undefined && start !== owner.start)
      return { kind: 'take-over', why: `pid ${owner.pid} on ${owner.host} is another process now (started ${start}, not ${owner.start})` };
  }
  return { kind: 'held' };
}

function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Linux: field 22 of /proc/PID/stat (clock ticks after boot); elsewhere `ps -o lstart=`. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux') return undefined;
  }
  try {
    return execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}
