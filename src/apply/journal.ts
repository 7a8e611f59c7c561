import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../model/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { parseRunJournal } from './journal-schema.js';
import type { JournalStep, NewJournalStep, RunJournal, RunStatus } from '../model/run-journal.js';

export type { JournalStep, RunJournal, RunStatus, StepPhase } from '../model/run-journal.js';

/**
 * The workstation side of a run (DESIGN.md §1 "State"): one journal file per
 * apply or rollback under runs/, rewritten atomically after every step so a
 * crash of cis-fix leaves a journal from which `cis-fix rollback` can finish,
 * and an append-only audit.log (JSONL). Journals hold paths, hashes, modes
 * and owners — never file contents.
 */

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CIS_FIX_STATE_DIR) return env.CIS_FIX_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'cis-fix');
}

export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Who holds a lock: enough for a human to find the run. */
export function lockHolder(runId: string): string {
  return `run ${runId} by ${userInfo().username}@${hostname()} pid ${process.pid} since ${new Date().toISOString()}`;
}

/**
 * Another place a run's journal is kept as it happens (DESIGN.md §7): each
 * node's share, the cluster's record. Called after every local write, in
 * order; a mirror that fails does not stop the run (the local journal and
 * the node backups still allow a rollback) — the failure is reported once.
 */
export interface JournalMirror {
  /** Where, for messages: "node cp-1", "the cluster". */
  readonly where: string;
  write(journal: RunJournal): Promise<void>;
}

/** Writes the journal after every step: temp file, fsync, rename. */
export class JournalWriter {
  private chain: Promise<void> = Promise.resolve();
  private readonly mirrors: JournalMirror[] = [];
  private readonly failedMirrors = new Map<string, string>();

  private constructor(
    private readonly dir: string,
    readonly journal: RunJournal,
  ) {}

  static async create(journal: RunJournal, dir = stateDir()): Promise<JournalWriter> {
    await mkdir(join(dir, 'runs'), { recursive: true, mode: 0o700 });
    const writer = new JournalWriter(dir, journal);
    await writer.flush();
    await writer.audit({ event: `${journal.kind}-started`, runId: journal.runId });
    return writer;
  }

  get file(): string {
    return join(this.dir, 'runs', `${this.journal.runId}.json`);
  }

  /** Record a step and persist the journal before returning. */
  record(step: NewJournalStep): Promise<void> {
    this.journal.steps.push({ at: new Date().toISOString(), ...step } as JournalStep);
    return this.flush();
  }

  async finish(status: RunStatus): Promise<void> {
    this.journal.status = status;
    this.journal.finishedAt = new Date().toISOString();
    await this.flush();
    await this.audit({ event: `${this.journal.kind}-finished`, runId: this.journal.runId, status });
  }

  audit(entry: Record<string, unknown>): Promise<void> {
    return appendAudit(this.dir, entry);
  }

  /** Keep the journal in `mirror` too, from now on (written at once with what is recorded so far). */
  addMirror(mirror: JournalMirror): Promise<void> {
    this.mirrors.push(mirror);
    return this.flush();
  }

  /** Mirrors that failed, with their first error: the run's output names them. */
  get mirrorFailures(): ReadonlyMap<string, string> {
    return this.failedMirrors;
  }

  private flush(): Promise<void> {
    const next = this.chain.then(async () => {
      await writeFileAtomic(this.file, `${JSON.stringify(this.journal, null, 2)}\n`);
      for (const mirror of this.mirrors) {
        if (this.failedMirrors.has(mirror.where)) continue;
        await mirror.write(this.journal).catch((error: Error) => {
          this.failedMirrors.set(mirror.where, error.message);
          return this.audit({ event: 'mirror-failed', runId: this.journal.runId, where: mirror.where, message: error.message });
        });
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}

export async function appendAudit(dir: string, entry: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await appendFile(join(dir, 'audit.log'), `${JSON.stringify({ at: new Date().toISOString(), user: userInfo().username, ...entry })}\n`, { mode: 0o600 });
}

export async function readJournal(runId: string, dir = stateDir()): Promise<RunJournal> {
  const file = join(dir, 'runs', `${runId}.json`);
  try {
    return parseRunJournal(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`no run ${runId} in ${join(dir, 'runs')}`, [], ["List runs with 'cis-fix runs'."]);
    }
    throw error;
  }
}

/**
 * All journals, newest first, each parsed by the journal schema. An apply
 * that a later rollback undid is shown 'rolled-back' whatever its own
 * journal says: a run killed mid-way never wrote its final status, and
 * must not look "running" once it was rolled back.
 */
export async function listJournals(dir = stateDir()): Promise<RunJournal[]> {
  let names: string[];
  try {
    names = (await readdir(join(dir, 'runs'))).filter((n) => n.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const journals = await Promise.all(names.map(async (n) => parseRunJournal(await readFile(join(dir, 'runs', n), 'utf8'), join(dir, 'runs', n))));
  return withRollbackStatus(journals).sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
}

/** Pure: every apply with a succeeded rollback gets status 'rolled-back'. */
export function withRollbackStatus(journals: readonly RunJournal[]): RunJournal[] {
  const undone = new Set(journals.filter((j) => j.kind === 'rollback' && j.status === 'succeeded' && j.rollsBack !== undefined).map((j) => j.rollsBack));
  return journals.map((j) => (j.kind === 'apply' && undone.has(j.runId) && j.status !== 'rolled-back' ? { ...j, status: 'rolled-back' } : j));
}
