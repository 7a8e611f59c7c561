import { CisFixError } from '../model/errors.js';
import type { RestoreItem, RunJournal } from '../model/run-journal.js';
import type { Role } from '../model/roles.js';
import type { NodeTransport } from '../transport/node-transport.js';
import { ApplyError } from './apply-errors.js';
import type { HealthOutcome } from './health-gate.js';
import type { JournalWriter } from './journal.js';
import { nodeIoOver, type NodeIo } from './node-io.js';
import { readTargets, restoredCleanly, restoreTargets, verdictsFor, type TargetOutcome } from './restore-engine.js';
import { describeProblems, describeTargets, manualSteps } from './restore-messages.js';
import { restorePlanFor } from './restore-plan.js';
import { settleAll } from './settle-all.js';

export type { RestoreItem } from '../model/run-journal.js';
export { judgeRestore, restorePlanFor, type RestoreVerdict } from './restore-plan.js';

/** Refused because the target changed after the run (DESIGN: never clobber someone else's edit). */
export class ChangedSinceRunError extends CisFixError {
  readonly exitCode = 1;
  constructor(readonly targets: readonly string[]) {
    super(`These targets changed after the run, so rolling back would overwrite someone else's change:\n${targets.map((t) => `  ${t}`).join('\n')}`, [
      "Inspect them; if restoring the run's backups is still right, run rollback again with --force.",
    ]);
  }
}

export interface RollbackContext {
  readonly runId: string;
  readonly holder: string;
  readonly journal: JournalWriter;
  readonly transports: ReadonlyMap<string, NodeTransport>;
  readonly force: boolean;
  /** How long a restored component may take to run and answer its health check again (default 5 minutes). */
  readonly healthTimeoutMs?: number;
  /** Node roles: control-plane nodes are restored one at a time (default: every node one at a time). */
  readonly roles?: ReadonlyMap<string, readonly Role[]>;
  readonly concurrency?: number;
  readonly onRestored?: (item: RestoreItem) => void;
  readonly onTarget?: (outcome: TargetOutcome) => void;
  readonly onHealth?: (node: string, component: string, outcome: HealthOutcome) => void;
  /** How to reach a node; default: node-ops' scripts over `transports`. */
  readonly ioOf?: (node: string) => NodeIo;
}

export interface RollbackResult {
  readonly restored: readonly RestoreItem[];
  readonly alreadyOriginal: readonly RestoreItem[];
}

/**
 * Restore every target of a run from its node-side backup through the one
 * restore engine: newest first, byte-identical with mode and owner, the
 * restored components health-gated as apply gates them. Takes the run's
 * node locks over (a killed run leaves them), checks every target on every
 * node before restoring anything, and refuses targets changed since the run
 * unless `force` (a target holding the run's own before or after state is
 * the run's own). Throws ApplyError 'restore-failed' (exit 4) with manual
 * steps when a target cannot be restored or a component does not come back.
 */
export async function rollbackRun(original: RunJournal, ctx: RollbackContext): Promise<RollbackResult> {
  const items = restorePlanFor(original);
  const nodes = [...new Set(items.map((i) => i.node))];
  const ioOf = ctx.ioOf ?? transportIo(ctx);
  const locked: string[] = [];
  try {
    await settleAll(
      nodes.map(async (node) => {
        // A run killed halfway leaves its lock: its own rollback may take it over.
        await ioOf(node).lock(ctx.holder, original.runId);
        locked.push(node);
        await ctx.journal.record({ node, phase: 'locked' });
      }),
    );
    const verdicts = verdictsFor(items, await readTargets(items, ioOf));
    const changed = items.filter((i) => verdicts.get(i) === 'changed-since').map((i) => `${i.node}:${i.target}`);
    if (changed.length > 0 && !ctx.force) throw new ChangedSinceRunError(changed);

    const report = await restoreTargets(
      items,
      {
        runId: ctx.runId,
        backupRun: original.runId,
        journal: ctx.journal,
        ioOf,
        roles: ctx.roles ?? new Map(),
        concurrency: ctx.concurrency ?? 1,
        healthTimeoutMs: ctx.healthTimeoutMs ?? 300_000,
        force: ctx.force,
        onEvent: (event) => {
          if (event.kind === 'health')
            ctx.onHealth?.(
              event.node,
              event.component,
              event.ok ? { ok: true, seconds: event.seconds } : { ok: false, seconds: event.seconds, last: event.detail ?? '' },
            );
        },
        onTarget: (outcome) => {
          ctx.onTarget?.(outcome);
          if (outcome.action === 'restored' || outcome.action === 'removed') ctx.onRestored?.(outcome.item);
        },
      },
      verdicts,
    );
    if (!restoredCleanly(report)) {
      const problems = describeProblems(report);
      throw new ApplyError(
        `rollback of ${original.runId} did not fully succeed:\n${problems.map((p) => `  ${p}`).join('\n')}\nWhat happened to each target:\n${describeTargets(
          report,
        )
          .map((l) => `  ${l}`)
          .join('\n')}`,
        ctx.runId,
        'restore-failed',
        manualSteps(report),
      );
    }
    const outcomes = report.nodes.flatMap((n) => n.targets);
    return {
      restored: outcomes.filter((t) => t.action === 'restored' || t.action === 'removed').map((t) => t.item),
      alreadyOriginal: outcomes.filter((t) => t.action === 'already-original').map((t) => t.item),
    };
  } finally {
    await Promise.all(
      locked.map(async (node) => {
        await ioOf(node)
          .unlock(ctx.runId)
          .catch(() => undefined);
        await ctx.journal.record({ node, phase: 'unlocked' });
      }),
    );
  }
}

function transportIo(ctx: RollbackContext): (node: string) => NodeIo {
  return (node) => {
    const t = ctx.transports.get(node);
    if (!t) throw new ApplyError(`${node}: no connection`, ctx.runId, 'nothing-changed');
    return nodeIoOver(t);
  };
}
