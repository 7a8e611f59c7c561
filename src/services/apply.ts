import { applyPlan, type ApplyEvent, type ApplyResult } from '../apply/apply-plan.js';
import { JournalWriter, lockHolder, newRunId } from '../apply/journal.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { selectNodes } from '../inventory/select-nodes.js';
import type { Change } from '../model/change.js';
import { UserError } from '../model/errors.js';
import type { Plan } from '../plan/plan.js';
import { closeTransports, openTransports } from './open-transports.js';
import { makePlan, type PlanRequest } from './plan.js';
import { readPlanFile } from './plan-file.js';

export type ApplyRequest = (
  | { readonly planFile: string; readonly inventoryFile?: string }
  | { readonly planFile?: undefined; readonly planRequest: PlanRequest }
) & {
  readonly concurrency: number;
  readonly healthTimeoutMs: number;
  /** Shown the plan; returns the changes to apply (all of them, a subset, or none to stop). */
  readonly choose: (plan: Plan) => Promise<readonly Change[]>;
  readonly onEvent?: (event: ApplyEvent) => void;
};

export type ApplyOutcome =
  | { readonly status: 'nothing-to-do' | 'declined'; readonly plan: Plan }
  | { readonly status: 'applied'; readonly plan: Plan; readonly result: ApplyResult; readonly journalFile: string };

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
    plan = await readPlanFile(request.planFile);
    inventoryFile = request.inventoryFile ?? plan.inventory.file;
  } else {
    plan = (await makePlan(request.planRequest)).plan;
    inventoryFile = request.planRequest.inventoryFile;
  }
  if (plan.changes.length === 0) return { status: 'nothing-to-do', plan };
  const chosen = await request.choose(plan);
  if (chosen.length === 0) return { status: 'declined', plan };

  const inventory = await loadInventory(inventoryFile);
  if (request.planFile !== undefined && inventory.digest !== plan.inventory.digest) {
    throw new UserError(`the inventory ${inventory.file} changed since the plan was made`, [], ["Make a new plan ('cis-fix plan -o FILE') and apply that."]);
  }
  const nodeNames = [...new Set(chosen.map((c) => c.node))];
  const nodes = selectNodes(inventory, nodeNames);
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
  try {
    transports = await openTransports(nodes, request.concurrency);
  } catch (error) {
    await journal.finish('failed');
    throw error;
  }
  try {
    const result = await applyPlan(chosen, {
      runId,
      holder: lockHolder(runId),
      journal,
      transports,
      roles: new Map(nodes.map((n) => [n.name, n.roles])),
      concurrency: request.concurrency,
      healthTimeoutMs: request.healthTimeoutMs,
      ...(request.onEvent ? { onEvent: request.onEvent } : {}),
    });
    return { status: 'applied', plan, result, journalFile: journal.file };
  } finally {
    await closeTransports(transports);
  }
}
