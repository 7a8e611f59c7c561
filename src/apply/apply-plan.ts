import type { Change as AnyChange, NodeChange as Change } from '../model/change.js';
import { CisFixError, StalePlanError } from '../model/errors.js';
import type { Role } from '../model/roles.js';
import type { NodeTransport } from '../transport/node-transport.js';
import { ApplyError } from './apply-errors.js';
import type { JournalWriter } from './journal.js';
import type { HealthGate, RestartRequest } from './kinds/handler.js';
import { nodeHandlerFor } from './kinds/registry.js';
import { nodeIoOver, restartFor, type NodeIo } from './node-io.js';
import { LockHeldError, type PathState } from './node-ops.js';
import { restoredCleanly, restoreTargets } from './restore-engine.js';
import { describeProblems, describeTargets, manualSteps } from './restore-messages.js';
import { restorePlanFor } from './restore-plan.js';
import { settleAll } from './settle-all.js';

export { writeOrder } from './write-order.js';
import { writeOrder } from './write-order.js';

export type { ApplyEvent } from '../model/apply-event.js';
import type { ApplyEvent } from '../model/apply-event.js';

export interface ApplyContext {
  readonly runId: string;
  readonly holder: string;
  readonly journal: JournalWriter;
  /** An open connection for every node that has changes (and every node a change reads from). */
  readonly transports: ReadonlyMap<string, NodeTransport>;
  readonly roles: ReadonlyMap<string, readonly Role[]>;
  /** Worker nodes changed at once; control-plane nodes always go one at a time. */
  readonly concurrency: number;
  /** How long a restarted component may take to run with its new arguments and answer its health check. */
  readonly healthTimeoutMs: number;
  readonly onEvent?: (event: ApplyEvent) => void;
  /** More of the run follows (the API objects): a success leaves the journal open for it. */
  readonly keepJournalOpen?: boolean;
  /** How to reach a node; default: node-ops' scripts over `transports` (unit tests pass an in-memory node). */
  readonly ioOf?: (node: string) => NodeIo;
}

export interface ApplyResult {
  readonly runId: string;
  readonly status: 'succeeded' | 'nothing-to-do';
  /** Node changes from applyPlan; the service adds the API objects it applied after them. */
  readonly applied: readonly AnyChange[];
}

/**
 * Apply a plan (DESIGN.md §2 apply protocol): lock every node, check every
 * precondition on every node (a stale plan changes nothing anywhere), back up
 * every target on every node (a failed backup changes nothing anywhere),
 * then change control-plane nodes one at a time and workers in batches,
 * verifying each write and health-gating what restarts. A node whose write,
 * verification or health gate fails is restored by the restore engine from
 * the run's own journal, and the run stops there.
 *
 * Every kind-specific step goes through the kind's handler (kinds/).
 * Always journals what it did; on failure throws StalePlanError (exit 1),
 * ApplyError 'nothing-changed' (1), 'rolled-back' (3) or 'restore-failed' (4).
 */
export async function applyPlan(changes: readonly Change[], ctx: ApplyContext): Promise<ApplyResult> {
  const { journal } = ctx;
  if (changes.length === 0) {
    if (!ctx.keepJournalOpen) await journal.finish('nothing-to-do');
    return { runId: ctx.runId, status: 'nothing-to-do', applied: [] };
  }
  const ioOf = nodeIoResolver(ctx);
  const byNode = groupByNode(changes);
  const nodes = [...byNode.keys()];
  const locked: string[] = [];
  const unlockAll = async () => {
    ctx.onEvent?.({ kind: 'phase', phase: 'unlock' });
    const stuck: string[] = [];
    await Promise.all(
      locked.map(async (node) => {
        const released = await ioOf(node)
          .unlock(ctx.runId)
          .then(
            () => true,
            () => false,
          );
        if (released) await journal.record({ node, phase: 'unlocked' });
        else stuck.push(node);
      }),
    );
    return stuck;
  };

  try {
    // 1. Locks, all nodes, before anything else.
    ctx.onEvent?.({ kind: 'phase', phase: 'lock' });
    await settleAll(
      nodes.map(async (node) => {
        try {
          await ioOf(node).lock(ctx.holder);
        } catch (error) {
          if (error instanceof LockHeldError) throw error; // it names the holder
          throw new ApplyError(`${(error as Error).message}, so nothing was changed on any node`, ctx.runId, 'nothing-changed', [
            `Free space in /var/lib/cis-fix on ${node} (or make it writable), then run apply again.`,
          ]);
        }
        locked.push(node);
        await journal.record({ node, phase: 'locked' });
      }),
    );

    // 2. Preconditions, all nodes.
    ctx.onEvent?.({ kind: 'phase', phase: 'precondition' });
    const current = new Map<string, Map<string, PathState>>();
    await settleAll(
      nodes.map(async (node) => {
        current.set(node, await ioOf(node).stat(uniqueTargets(byNode.get(node)!)));
      }),
    );
    const stale = changes.flatMap((change) => {
      const why = nodeHandlerFor(change).precondition(change, current.get(change.node)?.get(change.target));
      return why ? [`${change.node}:${change.target} (${why})`] : [];
    });
    if (stale.length > 0) {
      await journal.record({ node: '*', phase: 'failed', detail: `stale plan: ${stale.join('; ')}` });
      await journal.finish('stale');
      throw new StalePlanError([...new Set(stale)]);
    }
    for (const node of nodes) await journal.record({ node, phase: 'precondition-ok' });

    // 3. Backups, all nodes, before any write.
    ctx.onEvent?.({ kind: 'phase', phase: 'backup' });
    await settleAll(
      nodes.map(async (node) => {
        const targets = uniqueTargets(byNode.get(node)!);
        try {
          await ioOf(node).backup(ctx.runId, targets);
        } catch (error) {
          throw new ApplyError(
            `${node}: backing up before any change failed, so nothing was changed on any node: ${(error as Error).message}`,
            ctx.runId,
            'nothing-changed',
            [`Free space in /var/lib/cis-fix on ${node} (or make it writable), then run apply again.`],
          );
        }
        for (const target of targets) await journal.record({ node, phase: 'backed-up', target, original: originalOf(current.get(node)!.get(target)!) });
      }),
    );

    // 4. Writes: control-plane nodes strictly one at a time, then workers in batches.
    ctx.onEvent?.({ kind: 'phase', phase: 'write' });
    const applied: Change[] = [];
    const sharedFiles = new Map<string, string>();
    for (const batch of writeOrder(nodes, ctx.roles, ctx.concurrency)) {
      await settleAll(
        batch.map(async (node) => {
          applied.push(...(await writeNode(node, byNode.get(node)!, ctx, ioOf, sharedFiles)));
        }),
      );
    }
    await unlockAll();
    if (!ctx.keepJournalOpen) await journal.finish('succeeded');
    return { runId: ctx.runId, status: 'succeeded', applied };
  } catch (error) {
    const stuck = await unlockAll();
    if (!(error instanceof StalePlanError)) {
      await journal.finish(error instanceof ApplyError && error.outcome === 'rolled-back' ? 'rolled-back' : 'failed');
    }
    const failure = error instanceof CisFixError ? error : new ApplyError(`apply stopped: ${(error as Error).message}`, ctx.runId, 'nothing-changed');
    if (stuck.length === 0 || !(failure instanceof ApplyError)) throw failure;
    // Only now, and only for these nodes, is it true that a lock stays.
    throw new ApplyError(failure.message, ctx.runId, failure.outcome === 'nothing-changed' ? 'nothing-changed' : failure.outcome, [
      ...failure.hints,
      ...stuck.map(
        (node) => `On ${node} as root: the node lock of run ${ctx.runId} could not be released; once this run is finished with, rm -f -- /var/lib/cis-fix/lock`,
      ),
    ]);
  }
}

/** Write one node's changes in plan order, each verified; gate what restarts; on any failure restore the node and stop. */
async function writeNode(
  node: string,
  changes: readonly Change[],
  ctx: ApplyContext,
  ioOf: (node: string) => NodeIo,
  sharedFiles: Map<string, string>,
): Promise<Change[]> {
  const io = ioOf(node);
  const done: Change[] = [];
  // Gates cis-fix restarts for itself (the kubelet) wait for the last change of the node that asks for them: one restart for all.
  const lastRestarting = new Map<string, Change>();
  for (const change of changes) {
    const gate = nodeHandlerFor(change).healthGate(change);
    if (gate?.restart) lastRestarting.set(restartKey(gate), change);
  }
  const restartGates = new Map<string, RestartRequest>();
  for (const change of changes) {
    const handler = nodeHandlerFor(change);
    await ctx.journal.record({
      node,
      phase: 'write-started',
      changeId: change.id,
      target: change.target,
      kind: handler.kind,
      ...withoutRevert(handler.journalWrite(change, undefined, ctx.runId)),
    });
    try {
      const written = await handler.write(change, { io, runId: ctx.runId, ioOf, sharedFiles });
      const [after] = (await io.stat([change.target])).values();
      const problem = handler.verify(change, after);
      if (problem) throw new Error(`verification after writing: ${problem}`);
      await ctx.journal.record({
        node,
        phase: 'verified',
        changeId: change.id,
        target: change.target,
        result: resultOf(after!),
        ...(written.createdDirs ? { createdDirs: written.createdDirs } : {}),
      });
      done.push(change);
      ctx.onEvent?.({ kind: 'change-applied', change });
      const gate = handler.healthGate(change);
      if (gate?.restart) {
        const pending = restartGates.get(restartKey(gate));
        const service = pending?.service ?? gate.restart.service;
        restartGates.set(restartKey(gate), { daemonReload: (pending?.daemonReload ?? false) || gate.restart.daemonReload, ...(service ? { service } : {}) });
      }
      if (gate && (!gate.restart || lastRestarting.get(restartKey(gate)) === change)) {
        const wanted: HealthGate = gate.restart ? { ...gate, restart: { ...gate.restart, ...restartGates.get(restartKey(gate))! } } : gate;
        await gateChange(io, node, change, wanted, ctx);
      }
    } catch (error) {
      await ctx.journal.record({ node, phase: 'failed', changeId: change.id, target: change.target, detail: (error as Error).message });
      await restoreNode(node, ctx, ioOf, `${change.target}: ${(error as Error).message}`);
    }
  }
  return done;
}

/** Step 5 and 6: restart what cis-fix restarts itself, then wait for the new command line and the health endpoint. */
async function gateChange(io: NodeIo, node: string, change: Change, gate: HealthGate, ctx: ApplyContext): Promise<void> {
  if (gate.restart) await restartFor(io, gate.restart);
  for (const also of gate.also ?? []) await gateComponent(io, node, change, { ...also, ...(gate.restart ? { restart: gate.restart } : {}) }, ctx);
  await gateComponent(io, node, change, gate, ctx);
}

/** The restart a gate asks for is shared by every change naming the same service (the kubelet's, or a distribution's). */
function restartKey(gate: HealthGate): string {
  return gate.restart?.service ?? gate.component;
}

async function gateComponent(io: NodeIo, node: string, change: Change, gate: HealthGate, ctx: ApplyContext): Promise<void> {
  const health = await io.waitHealthy(gate.component, gate.argv, ctx.healthTimeoutMs, gate.url, false, gate.tls);
  const seconds = Math.round(ctx.healthTimeoutMs / 1000);
  await ctx.journal.record({
    node,
    phase: health.ok ? 'healthy' : 'unhealthy',
    changeId: change.id,
    target: change.target,
    component: gate.component,
    detail: health.ok ? `${gate.component} healthy after ${health.seconds}s` : health.last,
  });
  ctx.onEvent?.({ kind: 'health', node, component: gate.component, ok: health.ok, seconds: health.seconds, ...(health.ok ? {} : { detail: health.last }) });
  if (!health.ok) throw new Error(`${gate.component} did not become healthy within ${seconds}s${gate.restart ? ' after its restart' : ''}: ${health.last}`);
  for (const dependent of gate.dependents ?? []) {
    const still = await io.waitHealthy(dependent, undefined, ctx.healthTimeoutMs, undefined, true);
    await ctx.journal.record({
      node,
      phase: still.ok ? 'healthy' : 'unhealthy',
      changeId: change.id,
      target: change.target,
      component: dependent,
      detail: still.ok ? `${dependent} healthy after ${gate.component}` : still.last,
    });
    ctx.onEvent?.({ kind: 'health', node, component: dependent, ok: still.ok, seconds: still.seconds, ...(still.ok ? {} : { detail: still.last }) });
    if (!still.ok) throw new Error(`${dependent} did not stay healthy after ${gate.component} restarted: ${still.last}`);
  }
}

/** DESIGN.md §2 step 7: restore what this run touched on the node from its own journal (the one restore engine), then stop the run. */
async function restoreNode(node: string, ctx: ApplyContext, ioOf: (node: string) => NodeIo, reason: string): Promise<never> {
  const items = restorePlanFor(ctx.journal.journal).filter((i) => i.node === node);
  let report: Awaited<ReturnType<typeof restoreTargets>>;
  try {
    report = await restoreTargets(items, {
      runId: ctx.runId,
      backupRun: ctx.runId,
      journal: ctx.journal,
      ioOf,
      roles: ctx.roles,
      concurrency: 1,
      healthTimeoutMs: ctx.healthTimeoutMs,
      force: true,
      ...(ctx.onEvent ? { onEvent: ctx.onEvent } : {}),
    });
  } catch (error) {
    // The node could not even be read (its connection is gone): nothing of it was restored, and saying so is the truth.
    throw new ApplyError(
      `${node}: a change failed (${reason}), and the node could not be restored: ${(error as Error).message}; its ${items.length} target(s) may hold this run's changes`,
      ctx.runId,
      'restore-failed',
      [`Once ${node} is reachable again: cis-fix rollback ${ctx.runId} (it restores every target byte-identical and releases the run's locks).`],
    );
  }
  const lines = describeTargets(report).map((l) => `  ${l}`);
  if (restoredCleanly(report)) {
    throw new ApplyError(
      `${node}: a change failed (${reason}); this node was restored (${items.length} target(s)) and the run stopped; nodes not yet reached were not touched\n${lines.join('\n')}`,
      ctx.runId,
      'rolled-back',
    );
  }
  throw new ApplyError(
    `${node}: a change failed (${reason}), and restoring the node did not fully succeed:\n${describeProblems(report)
      .map((p) => `  ${p}`)
      .join('\n')}\nWhat happened to each target:\n${lines.join('\n')}`,
    ctx.runId,
    'restore-failed',
    manualSteps(report),
  );
}

function nodeIoResolver(ctx: ApplyContext): (node: string) => NodeIo {
  if (ctx.ioOf) return ctx.ioOf;
  const cache = new Map<string, NodeIo>();
  return (node) => {
    let io = cache.get(node);
    if (!io) {
      const transport = ctx.transports.get(node);
      if (!transport) throw new ApplyError(`${node}: no connection`, ctx.runId, 'nothing-changed');
      io = nodeIoOver(transport);
      cache.set(node, io);
    }
    return io;
  };
}

/** Node kinds never journal an API revert; the type allows it because one handler interface serves both. */
function withoutRevert<T extends { revert?: unknown }>(fields: T): Omit<T, 'revert'> {
  const { revert: _revert, ...rest } = fields;
  return rest;
}

function groupByNode(changes: readonly Change[]): Map<string, Change[]> {
  const map = new Map<string, Change[]>();
  for (const change of changes) map.set(change.node, [...(map.get(change.node) ?? []), change]);
  return map;
}

function uniqueTargets(changes: readonly Change[]): string[] {
  return [...new Set(changes.map((c) => c.target))];
}

function originalOf(state: PathState) {
  return {
    mode: state.mode,
    uid: state.uid,
    gid: state.gid,
    sha256: state.sha256,
    user: state.user,
    group: state.group,
    ...(state.exists ? {} : { absent: true as const }),
  };
}

function resultOf(state: PathState) {
  return { mode: state.mode, uid: state.uid, gid: state.gid, sha256: state.sha256 };
}
