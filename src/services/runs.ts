import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { stateDir } from '../apply/journal.js';
import { deleteClusterRecord } from '../apply/records/cluster-records.js';
import type { MergedRun } from '../apply/records/merge-records.js';
import { pruneNodeRuns } from '../apply/records/node-records.js';
import { nodesOfRun, selectRunsToPrune, type PruneRule, type PruneSelection } from '../apply/records/prune-runs.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { withNodeSessions } from './node-sessions.js';
import { clusterStateOf, readStateEverywhere, type StateProblem } from './run-records.js';

export interface RunsRequest {
  /** With an inventory, runs are also read from the cluster and the nodes. */
  readonly inventoryFile: string | undefined;
  readonly concurrency: number;
}

export interface RunsOutcome {
  readonly runs: readonly MergedRun[];
  readonly problems: readonly StateProblem[];
}

/** `cis-fix runs`: every run this machine, the cluster and the nodes know, merged and de-duplicated. */
export async function listRuns(request: RunsRequest): Promise<RunsOutcome> {
  const inventory = request.inventoryFile === undefined ? undefined : await loadInventory(request.inventoryFile);
  const snapshot = await readStateEverywhere(inventory, { concurrency: request.concurrency });
  return { runs: snapshot.runs, problems: snapshot.problems };
}

export interface PruneOutcome extends PruneSelection {
  /** Places where a pruned run's backups or record could not be removed. */
  readonly problems: readonly StateProblem[];
}

/**
 * `cis-fix runs --prune`: remove old runs' backups (copies of sensitive
 * files) and records on the nodes, in the cluster and in the state
 * directory. Never the last run of a node, never an unfinished run.
 */
export async function pruneRuns(
  request: RunsRequest & { readonly inventoryFile: string; readonly rule: PruneRule; readonly now?: Date },
): Promise<PruneOutcome> {
  const inventory = await loadInventory(request.inventoryFile);
  const snapshot = await readStateEverywhere(inventory, { concurrency: request.concurrency });
  const problems: StateProblem[] = [...snapshot.problems];
  // A node that could not be read may hold a newer run than we know of: never prune its runs blindly.
  const unread = inventory.nodes.map((n) => n.name).filter((n) => !snapshot.nodesRead.includes(n));
  const selection = selectRunsToPrune(snapshot.runs, request.rule, request.now ?? new Date());
  const prune = selection.prune.filter((run) => !nodesOfRun(run).some((n) => unread.includes(n)));
  const spared = [
    ...selection.spared,
    ...selection.prune
      .filter((run) => !prune.includes(run))
      .map((run) => ({
        runId: run.journal.runId,
        reason: `it touched ${nodesOfRun(run)
          .filter((n) => unread.includes(n))
          .join(', ')}, which could not be read`,
      })),
  ];
  const ids = new Set(prune.map((r) => r.journal.runId));
  const onNodes = inventory.nodes.filter((n) => snapshot.nodesRead.includes(n.name));
  const outcomes = await withNodeSessions(onNodes, { concurrency: request.concurrency }, (transport) => pruneNodeRuns(transport, [...ids]));
  for (const o of outcomes) if (!o.ok) problems.push({ where: `node ${o.node}`, message: o.error.message });
  const state = clusterStateOf(inventory);
  if (state) {
    for (const run of prune) {
      if (run.seenIn.some((s) => s.kind === 'cluster'))
        await deleteClusterRecord(state, run.journal.runId).catch((error: Error) => problems.push({ where: 'the cluster', message: error.message }));
    }
  }
  for (const id of ids) await rm(join(stateDir(), 'runs', `${id}.json`), { force: true });
  return { prune, spared, problems };
}
