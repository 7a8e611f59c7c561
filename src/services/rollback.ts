import { listJournals, lockHolder, newRunId, readJournal, JournalWriter, type RunJournal } from '../apply/journal.js';
import { restorePlanFor, rollbackRun, type RestoreItem, type RollbackResult } from '../apply/rollback-run.js';
import { UserError } from '../model/errors.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { selectNodes } from '../inventory/select-nodes.js';
import { closeTransports, openTransports } from './open-transports.js';
import { apiRestorePlanFor, rollbackApiObjects } from '../apply/rollback-api.js';
import { readBaseline, writeBaseline } from '../apply/baseline-store.js';
import { baselineAfterRollback } from '../plan/drift.js';
import type { ApiRestoreItem } from '../model/run-journal.js';
import { openClusterClient } from '../transport/cluster-client.js';
import { acquireClusterLease, type ClusterLease } from '../apply/cluster-lease.js';
import type { HealthOutcome } from '../apply/health-gate.js';
import { lockedNodesOf, releaseAbandonedLock, releaseNodeLock } from '../apply/node-ops.js';
import type { NodeTransport } from '../transport/node-transport.js';

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
}

export type RollbackOutcome =
  | { readonly status: 'declined' | 'nothing-to-restore'; readonly rollsBack: string }
  | ({ readonly status: 'restored'; readonly rollsBack: string; readonly runId: string; readonly restoredApi: readonly ApiRestoreItem[] } & RollbackResult);

/** `cis-fix rollback RUN_ID|--last`: restore what an apply run changed. */
export async function rollback(request: RollbackRequest): Promise<RollbackOutcome> {
  const target = await findRun(request);
  const items = restorePlanFor(target);
  const apiItems = apiRestorePlanFor(target);
  const nodeNames = [...new Set(items.map((i) => i.node))];
  // Nodes the run locked but changed nothing on: their locks are released too (issue 10 §2).
  const lockOnly = lockedNodesOf(target).filter((n) => !nodeNames.includes(n));
  if (items.length === 0 && apiItems.length === 0) {
    await releaseLeftLocks(target, lockOnly, request, true);
    return { status: 'nothing-to-restore', rollsBack: target.runId };
  }
  if (!(await request.confirm(target, items, apiItems))) return { status: 'declined', rollsBack: target.runId };

  const inventory = await loadInventory(request.inventoryFile ?? target.inventory.file);
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
  const transports = await openTransports(nodes, request.concurrency);
  try {
    // API objects first, newest first like everything else: the run changed them after its nodes.
    let restoredApi: ApiRestoreItem[] = [];
    if (apiItems.length > 0) {
      if (inventory.cluster.kubeconfig === undefined) {
        throw new UserError(`run ${target.runId} changed API objects, but the inventory names no cluster.kubeconfig`, [], ['Set cluster.kubeconfig in the inventory (or pass -i with one that does).']);
      }
      const client = openClusterClient({ kubeconfig: inventory.cluster.kubeconfig, context: inventory.cluster.context });
      lease = await acquireClusterLease(client, lockHolder(runId));
      restoredApi = (await rollbackApiObjects(apiItems, { client, journal, runId, force: request.force, ...(request.onApiRestored ? { onRestored: request.onApiRestored } : {}) })).restored;
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
    await releaseLeftLocks(target, lockOnly, request, false);
    await journal.finish('succeeded');
    await writeBaseline(baselineAfterRollback(await readBaseline(), target.runId, new Date().toISOString()));
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
async function releaseLeftLocks(target: RunJournal, nodeNames: readonly string[], request: RollbackRequest, onlyAbandoned: boolean): Promise<void> {
  if (nodeNames.length === 0) return;
  const inventory = await loadInventory(request.inventoryFile ?? target.inventory.file);
  const known = nodeNames.filter((n) => inventory.nodes.some((node) => node.name === n));
  await Promise.all(selectNodes(inventory, known).map(async (node) => {
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
  }));
}

async function findRun(request: RollbackRequest): Promise<RunJournal> {
  if (request.runId) {
    const journal = await readJournal(request.runId);
    if (journal.kind !== 'apply') throw new UserError(`run ${request.runId} is a ${journal.kind}, not an apply`, [], ['Roll back an apply run; list them with cis-fix runs.']);
    return journal;
  }
  if (!request.last) throw new UserError('say which run to roll back: a RUN_ID or --last', [], ["List runs with 'cis-fix runs'."]);
  const journals = await listJournals();
  const undone = new Set(journals.filter((j) => j.kind === 'rollback' && j.status === 'succeeded').map((j) => j.rollsBack));
  // The newest apply that changed something (a run refused at its lock or precondition changed nothing),
  // or that was interrupted holding node locks (killed right after locking: its rollback releases them).
  const last = journals.find((j) => j.kind === 'apply' && !undone.has(j.runId)
    && (restorePlanFor(j).length + apiRestorePlanFor(j).length > 0 || (j.status === 'running' && lockedNodesOf(j).length > 0)));
  if (!last) throw new UserError('there is no apply run left to roll back (every apply was rolled back already, or changed nothing)', [], ["List runs with 'cis-fix runs'; roll back a specific one with 'cis-fix rollback RUN_ID'."]);
  return last;
}
