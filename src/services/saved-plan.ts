import { nodeHandlerFor } from '../apply/kinds/registry.js';
import { describeStaleness } from '../apply/precondition.js';
import type { PathState } from '../apply/node-ops.js';
import { gatherFacts } from '../facts/gather-facts.js';
import type { NodeFacts } from '../facts/types.js';
import type { Inventory, InventoryNode } from '../inventory/inventory.js';
import { selectNodes } from '../inventory/select-nodes.js';
import { isNodeChange, type Change, type NodeChange } from '../model/change.js';
import { StalePlanError, UserError } from '../model/errors.js';
import { validatedChanges } from '../plan/compare-saved-plan.js';
import { summarizePlan, type Plan } from '../plan/plan.js';
import { assertPlanInvariants, type InvariantNode } from '../plan/plan-invariants.js';
import { loadBenchmark } from '../playbook/load-playbooks.js';
import { resolveParameters } from '../playbook/parameter-value.js';
import type { BenchmarkId, KubeBenchTarget } from '../playbook/types.js';
import { withNodeSessions } from './node-sessions.js';
import { makePlan } from './plan.js';

/**
 * `apply PLANFILE` before anything is locked (DESIGN.md §7 "a saved plan is
 * checked, not trusted"): gather fresh facts from the plan's nodes, refuse
 * a stale precondition, plan again for the same inventory, parameters,
 * benchmark and selection, refuse any change cis-fix would not make now
 * exactly so, and check the invariants on what is left. Returns the plan to
 * show and apply: the saved header with the RE-DERIVED change objects (and
 * the re-derived findings: nothing the file says is shown or acted on).
 */
export async function checkSavedPlan(saved: Plan, inventory: Inventory, inventoryFile: string, concurrency: number): Promise<Plan> {
  const nodeChanges = saved.changes.filter(isNodeChange);
  const names = [...new Set([...nodeChanges.map((c) => c.node), ...nodeChanges.flatMap((c) => nodeHandlerFor(c).readsFrom(c))])];
  // Unknown node names are refused here, by name.
  const nodes = selectNodes(inventory, [...new Set([...saved.selection.nodes, ...names])]);
  const facts = await gatherAll(
    nodes.filter((n) => names.includes(n.name)),
    concurrency,
  );
  refuseStale(nodeChanges, facts);

  const derived = await makePlan({
    inventoryFile,
    benchmark: saved.benchmark.id,
    targets: saved.selection.targets as readonly KubeBenchTarget[],
    only: saved.selection.only,
    skip: saved.selection.skip,
    nodes: saved.selection.nodes,
    concurrency,
  });
  refuseUnreachable(derived.unreachable, 'the plan was made for it');
  const changes = validatedChanges(saved, derived.plan);

  await assertInvariantsOn(changes, saved.benchmark.id, nodes, facts);
  // What is shown and applied is re-derived: the changes, and the findings and summary around them.
  return {
    ...saved,
    cluster: derived.plan.cluster,
    findings: derived.plan.findings,
    changes,
    summary: summarizePlan(derived.plan.findings, changes, derived.plan.summary.nodesEvaluated),
  };
}

/**
 * The invariants (plan-invariants.ts) on changes about to be applied from a
 * plan made in this process (apply without a file, drift --fix): checked all
 * the same before any lock. Its facts were gathered moments ago by the
 * planner, so the checks that need them are the planner's.
 */
export async function enforceInvariants(changes: readonly Change[], benchmarkId: BenchmarkId, inventory: Inventory): Promise<void> {
  const names = [...new Set(changes.filter(isNodeChange).map((c) => c.node))];
  await assertInvariantsOn(changes, benchmarkId, selectNodes(inventory, names), new Map());
}

async function assertInvariantsOn(
  changes: readonly Change[],
  benchmarkId: BenchmarkId,
  nodes: readonly InventoryNode[],
  facts: ReadonlyMap<string, NodeFacts>,
): Promise<void> {
  const benchmark = await loadBenchmark(benchmarkId);
  const invariantNodes = new Map<string, InvariantNode>();
  for (const node of nodes) {
    invariantNodes.set(node.name, { facts: facts.get(node.name), parameters: resolveParameters(benchmark, node.parameters).values });
  }
  assertPlanInvariants(changes, { benchmark, nodes: invariantNodes });
}

/** Facts of every node, or a refusal naming the nodes that gave none. */
async function gatherAll(nodes: Parameters<typeof withNodeSessions>[0], concurrency: number): Promise<Map<string, NodeFacts>> {
  const outcomes = await withNodeSessions(nodes, { concurrency }, (transport) => gatherFacts(transport));
  refuseUnreachable(
    outcomes.flatMap((o) => (o.ok ? [] : [`${o.node} (${o.error.message})`])),
    'the plan changes it',
  );
  return new Map(outcomes.flatMap((o) => (o.ok ? [[o.node, o.value] as const] : [])));
}

/**
 * Unreachable means refused (issue 10): a node that gave no facts is never
 * silently left out of a run. `--nodes` is how a user leaves one out.
 */
export function refuseUnreachable(unreachable: readonly string[], why: string): void {
  if (unreachable.length === 0) return;
  throw new UserError(
    `no facts from ${unreachable.join(', ')}, and ${why}: nothing was changed`,
    [],
    ['Make the node reachable (SSH, passwordless sudo), or leave it out on purpose with --nodes (a new plan: cis-fix plan --nodes … -o FILE).'],
  );
}

/** The saved preconditions against the fresh facts: a target that changed since the plan makes the whole plan stale. */
function refuseStale(changes: readonly NodeChange[], facts: ReadonlyMap<string, NodeFacts>): void {
  const stale = changes.flatMap((change) => {
    const path = facts.get(change.node)?.paths[change.target];
    // A path the facts did not look at is no precondition cis-fix can check here; the re-derivation refuses it.
    if (path === undefined) return [];
    const why = describeStaleness(change, stateOf(path));
    return why ? [`${change.node}:${change.target} (${why})`] : [];
  });
  if (stale.length > 0) throw new StalePlanError([...new Set(stale)]);
}

function stateOf(path: NodeFacts['paths'][string]): PathState | undefined {
  if (!path.exists) return undefined;
  const state: PathState = {
    path: path.path,
    exists: true,
    sha256: path.sha256 ?? undefined,
    mode: path.mode,
    uid: path.uid,
    gid: path.gid,
    user: path.user ?? '',
    group: path.group ?? '',
    type: path.type,
  };
  // A target that became a link is named as one (cis-fix never writes through it), not as a content or mode change.
  return path.symlinkTarget === null ? state : { ...state, symlink: path.path };
}
