import { driftReport, type DriftReport } from '../plan/drift.js';
import type { Plan } from '../plan/plan.js';
import { applyChanges, type ApplyOutcome, type ApplyRequest } from './apply.js';
import { makePlan, type PlanRequest, type UnreachedNode } from './plan.js';
import { readStateEverywhere, type StateProblem } from './run-records.js';

export interface DriftRequest {
  readonly plan: PlanRequest;
  /** Correct the drift: apply the fresh plan (the caller has confirmed, e.g. --fix --yes). */
  readonly fix: false | Pick<ApplyRequest, 'concurrency' | 'healthTimeoutMs' | 'onEvent'>;
}

export interface DriftOutcome {
  readonly plan: Plan;
  readonly report: DriftReport;
  readonly unreachable: readonly string[];
  readonly unreached: readonly UnreachedNode[];
  /** Places the baseline could not be read from (the cluster, a node): named, the others still count. */
  readonly stateProblems: readonly StateProblem[];
  readonly applied?: ApplyOutcome;
}

/**
 * `cis-fix drift` (DESIGN.md §1), meant for a timer: plan afresh, compare
 * with baseline.json (what cis-fix last enforced), and with `fix` apply the
 * plan through the full apply protocol (locks, preconditions, backups,
 * health gates) — exactly the plan just shown, nothing re-planned.
 */
export async function detectDrift(request: DriftRequest): Promise<DriftOutcome> {
  const { plan, unreachable, unreached, inventory } = await makePlan(request.plan);
  // The baseline from wherever it is kept — the cluster, the nodes, this machine's cache — so that a fresh
  // machine or a CronJob with an empty state directory says "drifted since run X" as the applying machine would.
  const state = await readStateEverywhere(inventory, { concurrency: request.plan.concurrency, nodes: plan.selection.nodes });
  const report = driftReport(plan, state.baseline);
  const stateProblems = state.problems.filter((p) => !unreachable.some((node) => p.where === `node ${node}`));
  if (!request.fix || plan.changes.length === 0 || unreachable.length > 0) return { plan, report, unreachable, unreached, stateProblems };
  const applied = await applyChanges({
    planned: plan,
    inventoryFile: request.plan.inventoryFile,
    concurrency: request.fix.concurrency,
    healthTimeoutMs: request.fix.healthTimeoutMs,
    choose: async (p) => p.changes,
    ...(request.fix.onEvent ? { onEvent: request.fix.onEvent } : {}),
  });
  return { plan, report, unreachable, unreached, stateProblems, applied };
}
