import { applyPlan, type ApplyResult } from '../apply/apply-plan.js';
import type { AnyApplyEvent } from '../model/apply-event.js';
import { JournalWriter, lockHolder, newRunId } from '../apply/journal.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { selectNodes } from '../inventory/select-nodes.js';
import { isNodeChange, type Change } from '../model/change.js';
import type { ApiObjectChange } from '../model/api-object-change.js';
import { applyApiObjects } from '../apply/apply-api-objects.js';
import { nodeHandlerFor } from '../apply/kinds/registry.js';
import { baselineAfterApply, replacedEntries } from '../plan/drift.js';
import { currentOrigin, type RecordExtras } from '../apply/records/record-mirrors.js';
import { digestOfChanges, mirrorRunRecord, readBaselineForRun, writeBaselineEverywhere } from './run-records.js';
import { acquireClusterLease, ClusterLockHeldError, type ClusterLease } from '../apply/cluster-lease.js';
import { ApplyError } from '../apply/apply-errors.js';
import { openClusterClient, type ClusterClient } from '../transport/cluster-client.js';
import { UserError } from '../model/errors.js';
import type { Plan } from '../plan/plan.js';
import { closeTransports, openTransports } from './open-transports.js';
import { makePlan, type PlanRequest } from './plan.js';
import { readPlanFile } from './plan-file.js';
import { checkSavedPlan, enforceInvariants, refuseUnreachable } from './saved-plan.js';
import { verifyOnFreshFacts } from './verified-baseline.js';

export type ApplyRequest = (
  | { readonly planFile: string; readonly inventoryFile?: string }
  | { readonly planFile?: undefined; readonly planRequest: PlanRequest }
  /** A plan made moments ago in this process (drift --fix): applied as it is, like a saved plan. */
  | { readonly planFile?: undefined; readonly planned: Plan; readonly inventoryFile: string }
) & {
  readonly concurrency: number;
  readonly healthTimeoutMs: number;
  /** Shown the plan; returns the changes to apply (all of them, a subset, or none to stop). */
  readonly choose: (plan: Plan) => Promise<readonly Change[]>;
  readonly onEvent?: (event: AnyApplyEvent) => void;
};

export type ApplyOutcome =
  | { readonly status: 'nothing-to-do' | 'declined'; readonly plan: Plan }
  | {
      readonly status: 'applied';
      readonly plan: Plan;
      readonly result: ApplyResult;
      readonly journalFile: string;
      /** `node control` the run meant to fix that did not comply on the facts gathered after it: not recorded in the baseline. */
      readonly unverified: readonly string[];
      /** Why the facts after the run could not be gathered, when they could not (then nothing of the run is recorded). */
      readonly recheckFailed?: string;
    };

/**
 * `cis-fix apply [PLANFILE]`: plan afresh (or read the saved plan), let the
 * user confirm or choose, then run the apply protocol on exactly the chosen
 * changes. A saved plan is applied as it is: a stale precondition anywhere
 * refuses all of it.
 */
export async function applyChanges(request: ApplyRequest): Promise<ApplyOutcome> {
  let plan: Plan;
  let inventoryFile: string;
  if (request.planFile !== undefined) {
    // Schema-checked before any connection; then re-derived and checked before any lock.
    const saved = await readPlanFile(request.planFile);
    inventoryFile = request.inventoryFile ?? saved.inventory.file;
    plan = saved.changes.length === 0 ? saved : await checkSavedPlan(saved, await sameInventory(inventoryFile, saved), inventoryFile, request.concurrency);
  } else if ('planned' in request) {
    plan = request.planned;
    inventoryFile = request.inventoryFile;
  } else {
    const outcome = await makePlan(request.planRequest);
    refuseUnreachable(outcome.unreachable, 'it was selected');
    plan = outcome.plan;
    inventoryFile = request.planRequest.inventoryFile;
  }
  if (plan.changes.length === 0) return { status: 'nothing-to-do', plan };
  const chosen = await request.choose(plan);
  if (chosen.length === 0) return { status: 'declined', plan };

  const inventory = request.planFile !== undefined ? await sameInventory(inventoryFile, plan) : await loadInventory(inventoryFile);
  // A saved plan was checked against its invariants with the facts it was re-derived from.
  if (request.planFile === undefined) await enforceInvariants(chosen, plan.benchmark.id, inventory);
  const nodeChanges = chosen.filter(isNodeChange);
  const apiChanges = chosen.filter((c): c is ApiObjectChange => !isNodeChange(c));
  const nodeNames = [...new Set(nodeChanges.map((c) => c.node))];
  // Nodes a change reads from (a cluster-wide support file is copied) are connected to, never changed.
  const copySources = nodeChanges.flatMap((c) => nodeHandlerFor(c).readsFrom(c));
  const nodes = selectNodes(inventory, [...new Set([...nodeNames, ...copySources])]);
  const runId = newRunId();
  const journal = await JournalWriter.create({
    runId,
    kind: 'apply',
    startedAt: new Date().toISOString(),
    status: 'running',
    benchmark: plan.benchmark.id,
    inventory: { file: inventory.file, digest: inventory.digest },
    backups: Object.fromEntries(nodeNames.map((n) => [n, `/var/lib/cis-fix/backups/${runId}`])),
    changes: chosen.length,
    steps: [],
  });
  let transports;
  let lease: ClusterLease | undefined;
  let client: ClusterClient | undefined;
  try {
    ({ client, lease } = await takeClusterLock(inventory, lockHolder(runId), apiChanges.length > 0, request.onEvent));
    transports = await openTransports(nodes, request.concurrency);
  } catch (error) {
    await lease?.release();
    await journal.finish('failed');
    throw error;
  }
  // The run's record also lives with its nodes (step by step) and, under the Lease, in the cluster.
  const extras: RecordExtras = { by: currentOrigin(), planDigest: digestOfChanges(chosen) };
  const clusterState = lease ? client?.state : undefined;
  await mirrorRunRecord(journal, transports, nodeNames, clusterState, extras);
  try {
    const nodeResult = await applyPlan(nodeChanges, {
      runId,
      holder: lockHolder(runId),
      journal,
      transports,
      roles: new Map(nodes.map((n) => [n.name, n.roles])),
      concurrency: request.concurrency,
      healthTimeoutMs: request.healthTimeoutMs,
      keepJournalOpen: true,
      ...(request.onEvent ? { onEvent: request.onEvent } : {}),
    });
    // The API objects after the nodes: a control plane that a node change restarted is healthy again by now.
    let appliedApi: ApiObjectChange[] = [];
    if (apiChanges.length > 0) {
      try {
        appliedApi = await applyApiObjects(apiChanges, { runId, client: client!, journal, ...(request.onEvent ? { onEvent: request.onEvent } : {}) });
      } catch (error) {
        await journal.finish(error instanceof ApplyError && error.outcome === 'rolled-back' ? 'rolled-back' : 'failed');
        throw error;
      }
    }
    const applied = [...nodeResult.applied, ...appliedApi];
    // What drift compares against: every control that complies on the facts after the run, and which run made it
    // so; the record keeps what this run took over, so that rolling it back restores the baseline as it was.
    const verified = await verifyOnFreshFacts(plan, applied, inventoryFile, request.concurrency);
    const changedNodes = new Map([...transports].filter(([node]) => nodeNames.includes(node)));
    const previous = await readBaselineForRun(clusterState, changedNodes);
    const baseline = baselineAfterApply(previous, { ...plan, findings: verified.findings }, new Set(applied.map((c) => c.id)), runId, new Date().toISOString());
    extras.baselineReplaced = replacedEntries(previous, baseline, runId);
    await journal.finish(applied.length > 0 ? 'succeeded' : 'nothing-to-do');
    for (const [where, message] of journal.mirrorFailures)
      request.onEvent?.({ kind: 'state-warning', detail: `the run's record could not be kept on ${where}: ${message}` });
    for (const problem of await writeBaselineEverywhere(baseline, clusterState, changedNodes)) {
      request.onEvent?.({ kind: 'state-warning', detail: `the drift baseline could not be kept on ${problem.where}: ${problem.message}` });
    }
    const result: ApplyResult = { ...nodeResult, status: applied.length > 0 ? 'succeeded' : 'nothing-to-do', applied };
    return {
      status: 'applied',
      plan,
      result,
      journalFile: journal.file,
      unverified: verified.unverified,
      ...(verified.recheckFailed === undefined ? {} : { recheckFailed: verified.recheckFailed }),
    };
  } finally {
    await lease?.release();
    await closeTransports(transports);
  }
}

/** The inventory, refused when it is not the one the plan was made with. */
async function sameInventory(file: string, plan: Plan) {
  const inventory = await loadInventory(file);
  if (inventory.digest !== plan.inventory.digest) {
    throw new UserError(`the inventory ${inventory.file} changed since the plan was made`, [], ["Make a new plan ('cis-fix plan -o FILE') and apply that."]);
  }
  return inventory;
}

/**
 * The cluster Lease (DESIGN.md §2 step 1) when the inventory has a
 * kubeconfig. API changes need it; for node-only runs an API server that
 * does not answer is no reason to stop: the node locks are the fallback.
 */
async function takeClusterLock(
  inventory: Awaited<ReturnType<typeof loadInventory>>,
  holder: string,
  required: boolean,
  onEvent: ApplyRequest['onEvent'],
): Promise<{ client: ClusterClient | undefined; lease: ClusterLease | undefined }> {
  if (inventory.cluster.kubeconfig === undefined) {
    if (required)
      throw new UserError(
        'the plan changes API objects, but the inventory names no cluster.kubeconfig',
        [],
        ['Set cluster.kubeconfig (and cluster.context) in the inventory.'],
      );
    return { client: undefined, lease: undefined };
  }
  const client = openClusterClient({ kubeconfig: inventory.cluster.kubeconfig, context: inventory.cluster.context });
  try {
    const lease = await acquireClusterLease(client, holder);
    onEvent?.({ kind: 'cluster-lock', detail: `holding Lease kube-system/cis-fix on ${client.server}` });
    return { client, lease };
  } catch (error) {
    // Someone else's run holds the cluster: never run beside it.
    if (required || error instanceof ClusterLockHeldError) throw error;
    onEvent?.({ kind: 'cluster-lock', detail: `no cluster lock (${(error as Error).message}); the node locks protect this run` });
    return { client, lease: undefined };
  }
}
