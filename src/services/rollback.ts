import { listJournals, lockHolder, newRunId, stateDir, JournalWriter, type RunJournal } from '../apply/journal.js';
import { restorePlanFor, rollbackRun, type RestoreItem, type RollbackResult } from '../apply/rollback-run.js';
import { UserError } from '../model/errors.js';
import type { Inventory } from '../inventory/inventory.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { selectNodes } from '../inventory/select-nodes.js';
import { closeTransports, openTransports } from './open-transports.js';
import { apiRestorePlanFor, rollbackApiObjects } from '../apply/rollback-api.js';
import { baselineAfterRollback } from '../plan/drift.js';
import type { ApiRestoreItem } from '../model/run-journal.js';
import { openClusterClient, type ClusterClient } from '../transport/cluster-client.js';
import { acquireClusterLease, ClusterLockHeldError, type ClusterLease } from '../apply/cluster-lease.js';
import type { HealthOutcome } from '../apply/health-gate.js';
import { lockedNodesOf, releaseAbandonedLock, releaseNodeLock } from '../apply/node-ops.js';
import type { NodeTransport } from '../transport/node-transport.js';
import { currentOrigin } from '../apply/records/record-mirrors.js';
import { mirrorRunRecord, readBaselineForRun, readStateEverywhere, writeBaselineEverywhere, type StateProblem } from './run-records.js';

export interface RollbackRequest {
  readonly runId?: string;
  readonly last?: boolean;
  /** Defaults to the inventory the run used. */
  readonly inventoryFile?: string;
  readonly force: boolean;
  readonly concurrency: number;
  /** Shown what will be restored; returns false to stop with nothing done. */
  readonly confirm: (run: RunJournal, items: readonly RestoreItem[], apiItems: readonly ApiRestoreItem[]) => Promise<boolean>;
  readonly onRestored?: (item: RestoreItem) => void;
  readonly onApiRestored?: (item: ApiRestoreItem) => void;
  /** How long a restored component may take to come back healthy (default 5 minutes). */
  readonly healthTimeoutMs?: number;
  readonly onHealth?: (node: string, component: string, outcome: HealthOutcome) => void;
  /** A place where state could not be read or kept (an unreachable node the run did not touch, the cluster): named, not fatal. */
  readonly onStateProblem?: (problem: StateProblem) => void;
}

export type RollbackOutcome =
  | { readonly status: 'declined' | 'nothing-to-restore'; readonly rollsBack: string }
  | ({ readonly status: 'restored'; readonly rollsBack: string; readonly runId: string; readonly restoredApi: readonly ApiRestoreItem[] } & RollbackResult);

/** `cis-fix rollback RUN_ID|--last`: restore what an apply run changed — also from a machine that never saw the run. */
export async function rollback(request: RollbackRequest): Promise<RollbackOutcome> {
  const { target, inventory, baselineReplaced } = await findRun(request);
  const items = restorePlanFor(target);
  const apiItems = apiRestorePlanFor(target);
  const nodeNames = [...new Set(items.map((i) => i.node))];
  // Nodes the run locked but changed nothing on: their locks are released too (issue 10 §2).
  const lockOnly = lockedNodesOf(target).filter((n) => !nodeNames.includes(n));
  if (items.length === 0 && apiItems.length === 0) {
    await releaseLeftLocks(target, lockOnly, inventory, true);
    return { status: 'nothing-to-restore', rollsBack: target.runId };
  }
  if (!(await request.confirm(target, items, apiItems))) return { status: 'declined', rollsBack: target.runId };

  const nodes = selectNodes(inventory, nodeNames);
  const runId = newRunId();
  const journal = await JournalWriter.create({
    runId,
    kind: 'rollback',
    rollsBack: target.runId,
    startedAt: new Date().toISOString(),
    status: 'running',
    inventory: { file: inventory.file, digest: inventory.digest },
    backups: {},
    changes: items.length + apiItems.length,
    steps: [],
  });
  let lease: ClusterLease | undefined;
  let client: ClusterClient | undefined;
  const transports = await openTransports(nodes, request.concurrency);
  try {
    if (inventory.cluster.kubeconfig !== undefined) {
      client = openClusterClient({ kubeconfig: inventory.cluster.kubeconfig, context: inventory.cluster.context });
      // API objects need the Lease; for a node-only rollback it only guards the cluster's copy of the records.
      lease = await acquireClusterLease(client, lockHolder(runId)).catch((error: Error) => {
        if (apiItems.length > 0 || error instanceof ClusterLockHeldError) throw error;
        request.onStateProblem?.({ where: 'the cluster', message: `no Lease (${error.message}): this rollback is recorded on the nodes and locally only` });
        return undefined;
      });
    } else if (apiItems.length > 0) {
      throw new UserError(
        `run ${target.runId} changed API objects, but the inventory names no cluster.kubeconfig`,
        [],
        ['Set cluster.kubeconfig in the inventory (or pass -i with one that does).'],
      );
    }
    const clusterState = lease ? client?.state : undefined;
    await mirrorRunRecord(journal, transports, nodeNames, clusterState, { by: currentOrigin() });
    // API objects first, newest first like everything else: the run changed them after its nodes.
    let restoredApi: ApiRestoreItem[] = [];
    if (apiItems.length > 0) {
      restoredApi = (
        await rollbackApiObjects(apiItems, {
          client: client!,
          journal,
          runId,
          force: request.force,
          ...(request.onApiRestored ? { onRestored: request.onApiRestored } : {}),
        })
      ).restored;
    }
    const result = await rollbackRun(target, {
      runId,
      holder: lockHolder(runId),
      journal,
      transports,
      force: request.force,
      roles: new Map(nodes.map((n) => [n.name, n.roles])),
      concurrency: request.concurrency,
      ...(request.healthTimeoutMs === undefined ? {} : { healthTimeoutMs: request.healthTimeoutMs }),
      ...(request.onHealth ? { onHealth: request.onHealth } : {}),
      ...(request.onRestored ? { onRestored: request.onRestored } : {}),
    });
    await releaseLeftLocks(target, lockOnly, inventory, false);
    // The baseline as it was before the run: what the run took over goes back to the runs that held it.
    const previous = await readBaselineForRun(clusterState, transports);
    await journal.finish('succeeded');
    const problems = await writeBaselineEverywhere(
      baselineAfterRollback(previous, target.runId, new Date().toISOString(), baselineReplaced),
      clusterState,
      transports,
    );
    for (const [where, message] of journal.mirrorFailures)
      request.onStateProblem?.({ where, message: `the rollback's record could not be kept there: ${message}` });
    for (const problem of problems)
      request.onStateProblem?.({ where: problem.where, message: `the drift baseline could not be kept there: ${problem.message}` });
    return { status: 'restored', rollsBack: target.runId, runId, ...result, restoredApi };
  } catch (error) {
    await journal.finish('failed');
    throw error;
  } finally {
    await lease?.release();
    await closeTransports(transports);
  }
}

/**
 * Release the rolled-back run's locks on the nodes it locked but had nothing
 * to restore on. Best effort, one connection per node: an unreachable node
 * does not stop the rollback (its lock is taken over by the next run).
 * `onlyAbandoned`: without a rollback to vouch that the run is over (it
 * changed nothing), a lock is released only if its holder is provably gone.
 */
async function releaseLeftLocks(target: RunJournal, nodeNames: readonly string[], inventory: Inventory, onlyAbandoned: boolean): Promise<void> {
  if (nodeNames.length === 0) return;
  const known = nodeNames.filter((n) => inventory.nodes.some((node) => node.name === n));
  await Promise.all(
    selectNodes(inventory, known).map(async (node) => {
      const transports = await openTransports([node], 1).catch(() => undefined);
      const transport: NodeTransport | undefined = transports?.get(node.name);
      if (!transport) return;
      try {
        if (onlyAbandoned) await releaseAbandonedLock(transport, target.runId);
        else await releaseNodeLock(transport, target.runId);
      } catch {
        // The lock stays; the next run judges it (node-lock.ts).
      } finally {
        await closeTransports(transports!);
      }
    }),
  );
}

/**
 * The run to roll back, found in the state directory, the cluster and on
 * the nodes (merged: each node's share of the steps counts). The inventory
 * is the one given, else the one the run used when this machine has the run.
 */
async function findRun(
  request: RollbackRequest,
): Promise<{ target: RunJournal; inventory: Inventory; baselineReplaced: Readonly<Record<string, string | null>> | undefined }> {
  if (!request.runId && !request.last) throw new UserError('say which run to roll back: a RUN_ID or --last', [], ["List runs with 'cis-fix runs'."]);
  const local = await listJournals();
  const localTarget = request.runId ? local.find((j) => j.runId === request.runId) : lastApply(local.map((journal) => ({ journal })))?.journal;
  const inventoryFile = request.inventoryFile ?? localTarget?.inventory.file;
  if (inventoryFile === undefined) {
    throw new UserError(
      `${request.runId ? `run ${request.runId} is` : 'no apply run is'} not in this machine's state directory (${stateDir()})`,
      [],
      ['Pass the inventory (-i FILE): cis-fix then looks for the run in the cluster and on the nodes.'],
    );
  }
  const inventory = await loadInventory(inventoryFile);
  const snapshot = await readStateEverywhere(inventory, { concurrency: request.concurrency });
  for (const problem of snapshot.problems) request.onStateProblem?.(problem);
  const found = request.runId ? snapshot.runs.find((r) => r.journal.runId === request.runId) : lastApply(snapshot.runs);
  if (!found) {
    if (request.runId)
      throw new UserError(
        `no run ${request.runId} in ${stateDir()}, in the cluster or on the nodes cis-fix could reach`,
        [],
        ["List runs with 'cis-fix runs -i INVENTORY'."],
      );
    throw new UserError(
      'there is no apply run left to roll back (every apply was rolled back already, or changed nothing)',
      [],
      ["List runs with 'cis-fix runs -i INVENTORY'; roll back a specific one with 'cis-fix rollback RUN_ID'."],
    );
  }
  if (found.journal.kind !== 'apply')
    throw new UserError(`run ${found.journal.runId} is a ${found.journal.kind}, not an apply`, [], ['Roll back an apply run; list them with cis-fix runs.']);
  return { target: found.journal, inventory, baselineReplaced: found.baselineReplaced };
}

/**
 * The newest apply not rolled back yet that changed something (a run refused at its lock or precondition
 * changed nothing), or that was interrupted holding node locks (killed right after locking: its rollback releases them).
 */
function lastApply<T extends { readonly journal: RunJournal }>(runs: readonly T[]): T | undefined {
  const undone = new Set(runs.filter((r) => r.journal.kind === 'rollback' && r.journal.status === 'succeeded').map((r) => r.journal.rollsBack));
  return runs.find(
    (r) =>
      r.journal.kind === 'apply' &&
      !undone.has(r.journal.runId) &&
      (restorePlanFor(r.journal).length + apiRestorePlanFor(r.journal).length > 0 || (r.journal.status === 'running' && lockedNodesOf(r.journal).length > 0)),
  );
}
