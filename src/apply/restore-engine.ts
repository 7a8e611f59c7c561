import type { ApplyEvent } from '../model/apply-event.js';
import type { RestartedComponent, RestoreAction, RestoreItem } from '../model/run-journal.js';
import type { Role } from '../model/roles.js';
import type { JournalWriter } from './journal.js';
import type { HealthGate } from './kinds/handler.js';
import { nodeHandlerOfKind } from './kinds/registry.js';
import { restartFor, type NodeIo } from './node-io.js';
import type { PathState } from './node-ops.js';
import { judgeRestore, type RestoreVerdict } from './restore-plan.js';
import { writeOrder } from './write-order.js';

/**
 * The one restore engine (DESIGN.md §7): apply's automatic restore after a
 * failed change and `cis-fix rollback` both hand it restore items read from
 * a typed journal, newest first. Per node it restores each target through
 * its kind's handler, removes the run's leftover temp files, then
 * health-gates like apply: the kubelet restarted once (daemon-reload when a
 * unit changed) and gated, then each restored static pod in reverse order
 * of its write, waiting for its old command line and its health endpoint.
 * Control-plane nodes go one at a time, workers in batches.
 *
 * Never throws for a target or a gate: it reports what happened to each
 * (restore-messages.ts turns the report into true messages).
 */

export interface RestoreEngineContext {
  /** The run recording the restore (apply itself, or a rollback). */
  readonly runId: string;
  /** The run whose backups are restored. */
  readonly backupRun: string;
  readonly journal: JournalWriter;
  readonly ioOf: (node: string) => NodeIo;
  readonly roles: ReadonlyMap<string, readonly Role[]>;
  readonly concurrency: number;
  readonly healthTimeoutMs: number;
  /** Restore targets changed since the run too (apply restoring itself; rollback --force). */
  readonly force: boolean;
  readonly onEvent?: (event: ApplyEvent) => void;
  readonly onTarget?: (outcome: TargetOutcome) => void;
}

export interface TargetOutcome {
  readonly item: RestoreItem;
  /** `failed`: restoring threw (why says what); `changed-since`: left alone (not forced). */
  readonly action: RestoreAction | 'failed' | 'changed-since';
  readonly why?: string;
}

export interface GateOutcome {
  readonly node: string;
  readonly component: RestartedComponent;
  readonly ok: boolean;
  readonly detail?: string;
  /** The restored targets that made the gate necessary. */
  readonly targets: readonly string[];
}

export interface NodeRestoreReport {
  readonly node: string;
  readonly targets: readonly TargetOutcome[];
  readonly gates: readonly GateOutcome[];
  /** Gates not run because a target of the node could not be restored (restarting on half-restored files could make things worse). */
  readonly gatesSkipped: readonly RestartedComponent[];
  /** Temp files of the run that could not be removed. */
  readonly leftovers: readonly string[];
}

export interface RestoreReport {
  readonly backupRun: string;
  readonly nodes: readonly NodeRestoreReport[];
}

/** True when every target is back (or was never changed) and every restored component is healthy. */
export function restoredCleanly(report: RestoreReport): boolean {
  return report.nodes.every(
    (n) =>
      n.targets.every((t) => t.action !== 'failed' && t.action !== 'changed-since') &&
      n.gates.every((g) => g.ok) &&
      n.gatesSkipped.length === 0 &&
      n.leftovers.length === 0,
  );
}

/** Read every target's state on its node: what judgeRestore needs. */
export async function readTargets(items: readonly RestoreItem[], ioOf: (node: string) => NodeIo): Promise<Map<string, Map<string, PathState>>> {
  const now = new Map<string, Map<string, PathState>>();
  await Promise.all(
    nodesOf(items).map(async (node) => {
      now.set(node, await ioOf(node).stat([...new Set(items.filter((i) => i.node === node).map((i) => i.target))]));
    }),
  );
  return now;
}

export function verdictsFor(items: readonly RestoreItem[], now: ReadonlyMap<string, ReadonlyMap<string, PathState>>): Map<RestoreItem, RestoreVerdict> {
  return new Map(items.map((item) => [item, judgeRestore(item, now.get(item.node)?.get(item.target))]));
}

export async function restoreTargets(
  items: readonly RestoreItem[],
  ctx: RestoreEngineContext,
  known?: ReadonlyMap<RestoreItem, RestoreVerdict>,
): Promise<RestoreReport> {
  const verdicts = known ?? verdictsFor(items, await readTargets(items, ctx.ioOf));
  const reports: NodeRestoreReport[] = [];
  for (const batch of writeOrder(nodesOf(items), ctx.roles, ctx.concurrency)) {
    reports.push(
      ...(await Promise.all(
        batch.map((node) =>
          restoreNode(
            node,
            items.filter((i) => i.node === node),
            verdicts,
            ctx,
          ),
        ),
      )),
    );
  }
  return { backupRun: ctx.backupRun, nodes: reports };
}

async function restoreNode(
  node: string,
  items: readonly RestoreItem[],
  verdicts: ReadonlyMap<RestoreItem, RestoreVerdict>,
  ctx: RestoreEngineContext,
): Promise<NodeRestoreReport> {
  const io = ctx.ioOf(node);
  const targets: TargetOutcome[] = [];
  const report = async (outcome: TargetOutcome) => {
    targets.push(outcome);
    ctx.onTarget?.(outcome);
  };
  for (const item of items) {
    const verdict = verdicts.get(item) ?? 'restore';
    if (verdict === 'already-original') {
      await report({ item, action: 'already-original' });
      continue;
    }
    if (verdict === 'changed-since' && !ctx.force) {
      await report({ item, action: 'changed-since', why: 'changed after the run' });
      continue;
    }
    await ctx.journal.record({ node, phase: 'restore-started', target: item.target });
    try {
      const action = await nodeHandlerOfKind(item.kind).restore(item, { io, backupRun: ctx.backupRun, runId: ctx.runId });
      await ctx.journal.record({ node, phase: 'restored', target: item.target, action });
      await report({ item, action });
    } catch (error) {
      const why = (error as Error).message;
      await ctx.journal.record({ node, phase: 'failed', target: item.target, detail: why });
      await report({ item, action: 'failed', why });
    }
  }
  const leftovers = await removeLeftovers(io, items, ctx.backupRun);
  const changed = targets.filter((t) => t.action === 'restored' || t.action === 'removed');
  if (changed.length > 0) ctx.onEvent?.({ kind: 'node-restored', node, targets: changed.map((t) => t.item.target) });

  const wanted = changed.flatMap((t) => {
    const gate = nodeHandlerOfKind(t.item.kind).restoreGate(t.item);
    return gate ? [{ gate, target: t.item.target }] : [];
  });
  if (targets.some((t) => t.action === 'failed')) {
    return { node, targets, gates: [], gatesSkipped: [...new Set(wanted.map((w) => w.gate.component))], leftovers };
  }
  const gates: GateOutcome[] = [];
  // Components cis-fix restarts itself (the kubelet) first, once: the static pods need a running kubelet.
  const restartKey = (g: HealthGate) => g.restart?.service ?? g.component;
  for (const key of [...new Set(wanted.filter((w) => w.gate.restart).map((w) => restartKey(w.gate)))]) {
    const mine = wanted.filter((w) => w.gate.restart && restartKey(w.gate) === key);
    const first = mine[0]!.gate;
    const daemonReload = mine.some((w) => w.gate.restart?.daemonReload === true);
    const dependents = mine.find((w) => w.gate.dependents !== undefined)?.gate.dependents;
    const argv = mine.find((w) => w.gate.argv !== undefined)?.gate.argv;
    const service = first.restart?.service;
    const targets = mine.map((w) => w.target);
    gates.push(
      await gate(
        io,
        node,
        {
          component: first.component,
          argv,
          ...(first.url !== undefined ? { url: first.url } : {}),
          ...(first.tls ? { tls: first.tls } : {}),
          restart: { daemonReload, ...(service !== undefined ? { service } : {}) },
          ...(dependents ? { dependents } : {}),
        },
        targets,
        ctx,
      ),
    );
    // The components a distribution's service brings back with it: waited for, not restarted again.
    for (const also of first.also ?? []) gates.push(await gate(io, node, also, targets, ctx));
  }
  // Static pods restart by themselves when their manifest changes: wait for each, newest first.
  for (const w of wanted.filter((x) => !x.gate.restart)) gates.push(await gate(io, node, w.gate, [w.target], ctx));
  return { node, targets, gates, gatesSkipped: [], leftovers };
}

async function gate(io: NodeIo, node: string, want: HealthGate, targets: readonly string[], ctx: RestoreEngineContext): Promise<GateOutcome> {
  let outcome;
  try {
    if (want.restart) await restartFor(io, want.restart);
    outcome = await io.waitHealthy(want.component, want.argv, ctx.healthTimeoutMs, want.url, false, want.tls);
    for (const dependent of outcome.ok ? (want.dependents ?? []) : []) {
      const still = await io.waitHealthy(dependent, undefined, ctx.healthTimeoutMs, undefined, true);
      if (!still.ok) outcome = { ok: false as const, seconds: still.seconds, last: `${dependent} did not stay healthy after ${want.component}: ${still.last}` };
    }
  } catch (error) {
    outcome = { ok: false as const, seconds: 0, last: (error as Error).message };
  }
  const detail = outcome.ok ? `${want.component} healthy after ${outcome.seconds}s` : outcome.last;
  await ctx.journal.record({ node, phase: outcome.ok ? 'healthy' : 'unhealthy', component: want.component, detail });
  ctx.onEvent?.({ kind: 'health', node, component: want.component, ok: outcome.ok, seconds: outcome.seconds, ...(outcome.ok ? {} : { detail: outcome.last }) });
  return { node, component: want.component, ok: outcome.ok, targets, ...(outcome.ok ? {} : { detail: outcome.last }) };
}

/**
 * A killed run's staging files (issue 10 §2): the ones its journal names,
 * and whatever stagingPathFor says the run would have staged for its targets
 * (a run killed between creating the staging file and journaling it), with
 * a manifest staging directory left empty. Those that could not be removed
 * are reported.
 */
async function removeLeftovers(io: NodeIo, items: readonly RestoreItem[], backupRun: string): Promise<string[]> {
  const left: string[] = [];
  for (const path of new Set(items.flatMap((i) => i.staging ?? []))) {
    await io.removeCreated(path, []).catch(() => left.push(path));
  }
  // Without a kind switch here: stagingPathOf knows a manifest by its directory.
  const targets = items.map((i) => ({ target: i.target }));
  await io.removeStaged(backupRun, targets).catch((error: Error) => left.push(`staging files of ${items.map((i) => i.target).join(', ')} (${error.message})`));
  return left;
}

function nodesOf(items: readonly RestoreItem[]): string[] {
  return [...new Set(items.map((i) => i.node))];
}
