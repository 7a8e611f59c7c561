import { CisFixError } from '../model/errors.js';
import type { NodeTransport } from '../transport/node-transport.js';
import { ApplyError } from './apply-errors.js';
import { settleAll } from './settle-all.js';
import type { JournalStep, RestoreItem, RunJournal } from '../model/run-journal.js';
import type { JournalWriter } from './journal.js';
import { acquireNodeLock, releaseNodeLock, removeCreated, restartKubelet, restorePath, statPaths, type PathState } from './node-ops.js';
import { waitForHealthy, type HealthOutcome } from './health-gate.js';
import { normalizeMode } from './precondition.js';

export type { RestoreItem } from '../model/run-journal.js';

/** Refused because the target changed after the run (DESIGN: never clobber someone else's edit). */
export class ChangedSinceRunError extends CisFixError {
  readonly exitCode = 1;
  constructor(readonly targets: readonly string[]) {
    super(`These targets changed after the run, so rolling back would overwrite someone else's change:\n${targets.map((t) => `  ${t}`).join('\n')}`, [
      'Inspect them; if restoring the run\'s backups is still right, run rollback again with --force.',
    ]);
  }
}

/**
 * What a run touched, newest first: every target with a 'write-started' step
 * (so an interrupted run is covered), with its original from the backup step.
 */
export function restorePlanFor(journal: RunJournal): RestoreItem[] {
  const originals = new Map<string, NonNullable<JournalStep['original']>>();
  const results = new Map<string, JournalStep['result']>();
  const restarts = new Map<string, Pick<JournalStep, 'restart' | 'daemonReload'>>();
  const createdDirs = new Map<string, readonly string[]>();
  const started: string[] = [];
  for (const step of journal.steps) {
    const key = `${step.node}\0${step.target ?? ''}`;
    if (step.phase === 'backed-up' && step.original) originals.set(key, step.original);
    if (step.phase === 'write-started' && step.restart) restarts.set(key, { restart: step.restart, ...(step.daemonReload ? { daemonReload: true } : {}) });
    if (step.phase === 'write-started' && !started.includes(key)) started.push(key);
    if (step.phase === 'verified' && step.result) results.set(key, step.result);
    if (step.phase === 'verified' && step.createdDirs) createdDirs.set(key, step.createdDirs);
  }
  return started.reverse().flatMap((key) => {
    const original = originals.get(key);
    const [node, target] = key.split('\0') as [string, string];
    const dirs = createdDirs.get(key);
    return original ? [{ node, target, original, result: results.get(key), ...restarts.get(key), ...(dirs ? { createdDirs: dirs } : {}) }] : [];
  });
}

function sameState(now: PathState, want: { mode: string; uid: number; gid: number; sha256: string | undefined }): boolean {
  return now.exists && normalizeMode(now.mode) === normalizeMode(want.mode) && now.uid === want.uid && now.gid === want.gid && now.sha256 === want.sha256;
}

export type RestoreVerdict = 'restore' | 'already-original' | 'changed-since';

/** Pure: what to do with one item given what the node has now. */
export function judgeRestore(item: RestoreItem, now: PathState | undefined): RestoreVerdict {
  if (item.original.absent) {
    // A file the run created: gone already, or still what the run left (the run's sha256 when it knew it).
    if (!now?.exists) return 'already-original';
    return item.result === undefined || sameState(now, item.result) ? 'restore' : 'changed-since';
  }
  if (!now?.exists) return 'changed-since';
  if (sameState(now, item.original)) return 'already-original';
  if (item.result === undefined || sameState(now, item.result)) return 'restore';
  return 'changed-since';
}

export interface RollbackContext {
  readonly runId: string;
  readonly holder: string;
  readonly journal: JournalWriter;
  readonly transports: ReadonlyMap<string, NodeTransport>;
  readonly force: boolean;
  /** How long a restarted kubelet may take to answer healthz again (default 5 minutes). */
  readonly healthTimeoutMs?: number;
  readonly onRestored?: (item: RestoreItem) => void;
  readonly onHealth?: (node: string, component: string, outcome: HealthOutcome) => void;
}

export interface RollbackResult {
  readonly restored: readonly RestoreItem[];
  readonly alreadyOriginal: readonly RestoreItem[];
}

/**
 * Restore every target of a run from its node-side backup, in reverse order,
 * byte-identical with mode and owner. Checks every target on every node
 * before restoring anything; refuses targets changed since the run unless
 * `force`.
 */
export async function rollbackRun(original: RunJournal, ctx: RollbackContext): Promise<RollbackResult> {
  const items = restorePlanFor(original);
  const nodes = [...new Set(items.map((i) => i.node))];
  const locked: string[] = [];
  const transport = (node: string) => {
    const t = ctx.transports.get(node);
    if (!t) throw new ApplyError(`${node}: no connection`, ctx.runId, 'nothing-changed');
    return t;
  };
  try {
    await settleAll(nodes.map(async (node) => {
      // A run killed halfway leaves its lock: its own rollback may take it over.
      await acquireNodeLock(transport(node), ctx.holder, original.runId);
      locked.push(node);
      await ctx.journal.record({ node, phase: 'locked' });
    }));
    const now = new Map<string, Map<string, PathState>>();
    await settleAll(nodes.map(async (node) => {
      now.set(node, await statPaths(transport(node), [...new Set(items.filter((i) => i.node === node).map((i) => i.target))]));
    }));
    const verdicts = items.map((item) => ({ item, verdict: judgeRestore(item, now.get(item.node)?.get(item.target)) }));
    const changed = verdicts.filter((v) => v.verdict === 'changed-since').map((v) => `${v.item.node}:${v.item.target}`);
    if (changed.length > 0 && !ctx.force) throw new ChangedSinceRunError(changed);

    const restored: RestoreItem[] = [];
    const failures: { item: RestoreItem; message: string }[] = [];
    for (const { item, verdict } of verdicts) {
      if (verdict === 'already-original') continue;
      await ctx.journal.record({ node: item.node, phase: 'restore-started', target: item.target });
      try {
        if (item.original.absent) await removeCreated(transport(item.node), item.target, item.createdDirs ?? []);
        else await restorePath(transport(item.node), original.runId, { path: item.target, ...item.original });
        await ctx.journal.record({ node: item.node, phase: 'restored', target: item.target });
        restored.push(item);
        ctx.onRestored?.(item);
      } catch (error) {
        failures.push({ item, message: (error as Error).message });
        await ctx.journal.record({ node: item.node, phase: 'failed', target: item.target, detail: (error as Error).message });
      }
    }
    // The kubelet reads its files only when it starts: restart it once per node whose kubelet files came back (static pods restart by themselves).
    for (const node of nodes) {
      const kubeletItems = restored.filter((i) => i.node === node && i.restart === 'kubelet');
      if (kubeletItems.length === 0 || failures.some((f) => f.item.node === node)) continue;
      const outcome = await restartKubelet(transport(node), kubeletItems.some((i) => i.daemonReload === true))
        .then(() => waitForHealthy(transport(node), 'kubelet', undefined, ctx.healthTimeoutMs ?? 300_000))
        .catch((error: Error): HealthOutcome => ({ ok: false, seconds: 0, last: error.message }));
      await ctx.journal.record({ node, phase: outcome.ok ? 'healthy' : 'unhealthy', detail: outcome.ok ? `kubelet healthy after ${outcome.seconds}s` : outcome.last });
      ctx.onHealth?.(node, 'kubelet', outcome);
      if (!outcome.ok) {
        throw new ApplyError(`rollback of ${original.runId}: ${node}'s kubelet files were restored, but the kubelet did not come back healthy: ${outcome.last}`, ctx.runId, 'restore-failed', [
          `On ${node} as root: systemctl daemon-reload && systemctl restart kubelet; then check journalctl -u kubelet. The files are byte-identical to the backups under /var/lib/cis-fix/backups/${original.runId}/files/.`,
        ]);
      }
    }
    if (failures.length > 0) {
      throw new ApplyError(`rollback of ${original.runId} could not restore ${failures.length} target(s)`, ctx.runId, 'restore-failed', failures.map(({ item, message }) =>
        `On ${item.node} as root: cp /var/lib/cis-fix/backups/${original.runId}/files${item.target} ${item.target} (files only); chown ${item.original.uid}:${item.original.gid} ${item.target}; chmod ${item.original.mode} ${item.target}   [${item.node}:${item.target}: ${message}]`,
      ));
    }
    return { restored, alreadyOriginal: verdicts.filter((v) => v.verdict === 'already-original').map((v) => v.item) };
  } finally {
    await Promise.all(locked.map(async (node) => {
      await releaseNodeLock(transport(node), ctx.runId).catch(() => undefined);
      await ctx.journal.record({ node, phase: 'unlocked' });
    }));
  }
}
