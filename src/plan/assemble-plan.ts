import { createHash } from 'node:crypto';
import type { ClusterContext } from '../evaluate/cluster/cluster-context.js';
import { evaluateCluster, isClusterControl, notEvaluatedWithoutApi } from '../evaluate/cluster/evaluate-cluster.js';
import { evaluateNode } from '../evaluate/evaluate-node.js';
import type { NodeContext } from '../evaluate/node-context.js';
import { selectControls, type ControlSelection } from '../evaluate/select-controls.js';
import { evaluateProviderManaged, isProviderManagedControl } from '../evaluate/provider-managed.js';
import { attachWaivers, splitWaivedControls, waiverDay } from '../evaluate/waivers.js';
import type { ClusterFacts } from '../facts/cluster/types.js';
import type { NodeFacts } from '../facts/types.js';
import type { Inventory, InventoryNode, InventoryWaiver } from '../inventory/inventory.js';
import type { Change } from '../model/change.js';
import { UserError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { resolveParameters } from '../playbook/parameter-value.js';
import type { Benchmark, Control, ParameterValue } from '../playbook/types.js';
import type { ChangeOf, FleetFacts, NodeKindInput, PlanKindHandler } from './kinds/handler.js';
import { planKindHandlers } from './kinds/registry.js';
import { PLAN_FORMAT_VERSION, summarizePlan, type Plan } from './plan.js';

/**
 * Plan assembly (DESIGN.md §2 and §5.1): from facts already gathered, the
 * benchmark's controls and the inventory's parameters, the whole Plan.
 * Pure — no I/O, no clock: makePlan (src/services/plan.ts) gathers and calls
 * it, and apply can re-derive a saved plan from the facts it gathered for
 * the preconditions by calling `assemblePlan` again.
 *
 * Per node, evaluation judges every control (src/evaluate); each change
 * kind's handler (src/plan/kinds) turns the failing findings into changes
 * and decides `fixable`. Nothing here names a kind.
 */

export interface PlanInput {
  readonly benchmark: Benchmark;
  /** How the benchmark was chosen, for the plan ("auto: kubelet v1.33.4 maps to cis-1.12 …"). */
  readonly chosenBy: string;
  readonly selection: ControlSelection;
  readonly inventory: Inventory;
  /** The selected nodes, in inventory order. */
  readonly nodes: readonly InventoryNode[];
  /** The facts gathered from the selected nodes, in gathering order. */
  readonly facts: ReadonlyMap<string, NodeFacts>;
  /** Selected nodes whose facts could not be gathered, in gathering order. */
  readonly unreachable: readonly { readonly node: string; readonly message: string }[];
  readonly cluster: ClusterInput;
  /**
   * Facts of control planes outside the selection, read only when
   * `otherControlPlanesWanted` asks (a cluster-wide key one of them may
   * hold). Absent: every such control plane counts as unknown.
   */
  readonly otherControlPlanes?: OtherControlPlanes;
  readonly tool: Plan['tool'];
  /** ISO 8601; the caller's clock. */
  readonly createdAt: string;
}

/** How the plan reached the API, and the cluster's facts when it did and there are cluster controls. */
export interface ClusterInput {
  readonly access: NonNullable<Plan['cluster']>;
  readonly facts?: ClusterFacts;
}

export interface OtherControlPlanes {
  readonly facts: ReadonlyMap<string, NodeFacts>;
  /** Those that could not be read. */
  readonly unreachable: readonly string[];
}

/** The plan of every selected node, before the steps across nodes and the cluster side (finishPlan). */
export interface NodePlans {
  readonly controls: readonly Control[];
  readonly findings: readonly Finding[];
  readonly changes: readonly Change[];
}

/** The whole plan from gathered facts: planNodes, then finishPlan. */
export function assemblePlan(input: PlanInput): Plan {
  return finishPlan(input, planNodes(input));
}

/** The selected controls that are judged against nodes and the API: all but the cloud provider's. */
export function judgedControls(benchmark: Benchmark, selection: ControlSelection): Control[] {
  return selectControls(benchmark, selection).filter((c) => !isProviderManagedControl(c));
}

/** One node's findings and changes. */
export interface NodePlan {
  readonly findings: readonly Finding[];
  readonly changes: readonly Change[];
}

/**
 * Every selected node with facts, evaluated and planned. Throws UserError
 * when a node's parameters do not fit the benchmark. `early` holds nodes
 * already planned with `planGatheredNode` while the others were still being
 * gathered (makePlan overlaps the two); a thrown error is rethrown here, in
 * node order, as if planned now.
 */
export function planNodes(input: PlanInput, early: ReadonlyMap<string, EarlyNodePlan> = new Map(), memo: NodePlanMemo = new NodePlanMemo()): NodePlans {
  const controls = judgedControls(input.benchmark, input.selection);
  // The cloud provider's controls (EKS, GKE, AKS) are reported as they are, once, never judged against a node or the API.
  const findings: Finding[] = [
    ...input.unreachable.map((u) => unreachableFinding(u.node, u.message)),
    ...evaluateProviderManaged(selectControls(input.benchmark, input.selection)),
  ];
  const changes: Change[] = [];
  for (const node of input.nodes) {
    const facts = input.facts.get(node.name);
    if (!facts) continue;
    const known = early.get(node.name);
    if (known && !known.ok) throw known.error;
    const planned = known?.ok ? known.plan : planGatheredNode(input.benchmark, controls, node, facts, memo, waiverScopeOf(input));
    findings.push(...planned.findings);
    changes.push(...planned.changes);
  }
  return { controls, findings, changes };
}

/** A node planned as soon as its facts arrived, or what planning it threw. */
export type EarlyNodePlan = { readonly ok: true; readonly plan: NodePlan } | { readonly ok: false; readonly error: unknown };

/** The inventory's waivers and the day they are judged on (the plan's creation day, UTC). */
export interface WaiverScope {
  readonly waivers: readonly InventoryWaiver[];
  readonly today: string;
}

export function waiverScopeOf(input: Pick<PlanInput, 'inventory' | 'createdAt'>): WaiverScope {
  return { waivers: input.inventory.waivers, today: waiverDay(new Date(input.createdAt)) };
}

/**
 * One inventory node with its gathered facts: its parameters resolved,
 * evaluated and planned (through the memo). What an active waiver holds
 * back is evaluated for the report, and nothing is planned for it.
 */
export function planGatheredNode(
  benchmark: Benchmark,
  controls: readonly Control[],
  node: InventoryNode,
  facts: NodeFacts,
  memo: NodePlanMemo = new NodePlanMemo(),
  waivers: WaiverScope = { waivers: [], today: '' },
): NodePlan {
  const ctx: NodeContext = { name: node.name, roles: node.roles, facts, parameters: nodeParameters(benchmark, node) };
  const { planned, waived } = splitWaivedControls(controls, waivers.waivers, node.name, waivers.today);
  const plan = memo.plan(benchmark, planned, ctx);
  return waived.length === 0 ? plan : { findings: [...plan.findings, ...memo.plan(benchmark, waived, ctx).findings], changes: plan.changes };
}

/**
 * Node plans keyed on the facts that decide them (DESIGN.md §6: a fleet of
 * a few node configurations costs a few evaluations): the facts without
 * the node's name, its host identity (which nothing evaluates), its
 * process ids and its inode numbers (kept only as identities), with its roles and parameters, for
 * one benchmark and selection. A node that matches one already planned
 * gets that plan with its own name in every finding and change.
 */
export class NodePlanMemo {
  private readonly plans = new Map<string, { readonly node: string; readonly plan: NodePlan }>();

  /** How many distinct node configurations were evaluated and planned. */
  get evaluated(): number {
    return this.plans.size;
  }

  plan(benchmark: Benchmark, controls: readonly Control[], ctx: NodeContext): NodePlan {
    const key = decidingKey(benchmark, controls, ctx);
    const known = this.plans.get(key);
    if (known) return known.node === ctx.name ? known.plan : renamed(known.plan, known.node, ctx.name);
    const plan = planNode(benchmark, controls, ctx);
    this.plans.set(key, { node: ctx.name, plan });
    return plan;
  }
}

function decidingKey(benchmark: Benchmark, controls: readonly Control[], ctx: NodeContext): string {
  const pids = new Map(ctx.facts.processes.map((p, i) => [p.pid, i]));
  // Inode numbers differ between otherwise identical machines; only which paths are one file decides
  // (file-metadata.ts: one change per file), so each (device, inode) is keyed by when it is first met.
  const files = new Map<string, number>();
  const facts = { ...ctx.facts, node: '', host: null };
  const text = JSON.stringify([benchmark.id, controls.map((c) => c.id), ctx.roles, ctx.parameters, facts], function (this: unknown, key, value: unknown) {
    if (key === 'pid' && typeof value === 'number') return `pid#${pids.get(value) ?? value}`;
    if (key === 'device' && typeof value === 'number') return undefined;
    if (key === 'inode' && typeof value === 'number') {
      const file = `${(this as { device?: unknown }).device}:${value}`;
      if (!files.has(file)) files.set(file, files.size);
      return `file#${files.get(file)}`;
    }
    return value;
  });
  return createHash('sha256').update(text).digest('hex');
}

/** The plan of node `from` as node `to`'s: the node in every finding and change, and change ids (`<node>:<kind>:<target>`). */
function renamed(plan: NodePlan, from: string, to: string): NodePlan {
  const prefix = `${from}:`;
  return {
    findings: plan.findings.map((f) => (f.node === from ? { ...f, node: to } : f)),
    changes: plan.changes.map(
      (c) => ({ ...c, id: c.id.startsWith(prefix) ? `${to}:${c.id.slice(prefix.length)}` : c.id, node: c.node === from ? to : c.node }) as Change,
    ),
  };
}

/** One node: evaluation's findings, with every kind's changes and decisions. Pure. */
export function planNode(benchmark: Benchmark, controls: readonly Control[], ctx: NodeContext): NodePlan {
  const evaluation = evaluateNode(benchmark, controls, ctx);
  const input: NodeKindInput = { benchmark, controls, ctx, variables: evaluation.variables, failing: evaluation.findings.filter((f) => f.status === 'fail') };
  const decided = new Map<string, Finding>();
  const planned: PlannedKind[] = [];
  planKindHandlers.forEach((handler, index) => {
    if (handler.scope !== 'node') return;
    const result = handler.plan(input);
    for (const finding of result.findings) decided.set(finding.controlId, finding);
    planned.push({ handler, index, changes: result.changes });
  });
  return { findings: evaluation.findings.map((f) => decided.get(f.controlId) ?? f), changes: orderChanges(planned) };
}

/** Control planes outside the selection whose facts the node changes need (a cluster-wide key one of them may hold). */
export function otherControlPlanesWanted(input: PlanInput, nodePlans: NodePlans): InventoryNode[] {
  const wanted = planKindHandlers.some((handler) => handler.fleet?.wantsOtherControlPlanes(ofKind(nodePlans.changes, handler) as never) === true);
  return wanted ? unselectedControlPlanes(input) : [];
}

/** The steps across nodes, the cluster side, and the summary. Throws UserError when the plan would be unsafe or the parameters do not fit. */
export function finishPlan(input: PlanInput, nodePlans: NodePlans): Plan {
  let changes = [...nodePlans.changes];
  for (const handler of planKindHandlers) {
    const fleet = handler.fleet;
    if (!fleet) continue;
    const own = ofKind(changes, handler);
    if (!fleet.wantsOtherControlPlanes(own as never)) continue;
    const finished = fleet.finish(own as never, fleetFacts(input));
    let next = 0;
    changes = changes.map((c) => (c.kind === handler.kind ? finished[next++]! : c));
  }
  const scope = waiverScopeOf(input);
  const clusterControls = splitWaivedControls(nodePlans.controls.filter(isClusterControl), scope.waivers, undefined, scope.today);
  const cluster = planCluster(input, clusterControls.planned);
  const clusterWaived = clusterControls.waived.length > 0 ? planCluster(input, clusterControls.waived).findings : [];
  // Every finding under a waiver says so: `waived` while it holds, its failure called out once it expired.
  const findings = attachWaivers([...nodePlans.findings, ...cluster.findings, ...clusterWaived], scope.waivers, scope.today);
  changes.push(...cluster.changes);
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    tool: input.tool,
    createdAt: input.createdAt,
    benchmark: { id: input.benchmark.id, chosenBy: input.chosenBy },
    selection: { targets: input.selection.targets, only: input.selection.only, skip: input.selection.skip, nodes: input.nodes.map((n) => n.name) },
    inventory: { file: input.inventory.file, digest: input.inventory.digest },
    cluster: input.cluster.access,
    findings,
    changes,
    summary: summarizePlan(findings, changes, input.facts.size),
  };
}

/** Cluster-scoped controls, once per cluster: judged from the API's objects and planned by the cluster kinds, or "not evaluated" saying why. */
function planCluster(input: PlanInput, controls: readonly Control[]): { findings: Finding[]; changes: Change[] } {
  const clusterControls = controls.filter(isClusterControl);
  if (clusterControls.length === 0) return { findings: [], changes: [] };
  const access = input.cluster.access;
  if (input.cluster.facts === undefined || access.kind !== 'connected') {
    const reason = access.kind === 'none' ? access.reason : 'no API access';
    return { findings: clusterControls.map((c) => notEvaluatedWithoutApi(c, reason)), changes: [] };
  }
  const ctx: ClusterContext = { benchmark: input.benchmark.id, facts: input.cluster.facts, parameters: clusterParameters(input.benchmark, input.inventory) };
  const evaluated = evaluateCluster(clusterControls, ctx);
  const failing = evaluated.filter((f) => f.status === 'fail');
  const decided = new Map<string, Finding>();
  const planned: PlannedKind[] = [];
  planKindHandlers.forEach((handler, index) => {
    if (handler.scope !== 'cluster') return;
    const result = handler.plan({ controls: clusterControls, ctx, failing });
    for (const finding of result.findings) decided.set(finding.controlId, finding);
    planned.push({ handler, index, changes: result.changes });
  });
  return { findings: evaluated.map((f) => decided.get(f.controlId) ?? f), changes: orderChanges(planned) };
}

interface PlannedKind {
  readonly handler: PlanKindHandler;
  /** Registry order. */
  readonly index: number;
  readonly changes: readonly Change[];
}

/** Phases in order; kinds sharing a phase interleaved by target, then in registry order; otherwise each kind's own order. */
function orderChanges(planned: readonly PlannedKind[]): Change[] {
  const shared = new Set(planKindHandlers.filter((h, i) => planKindHandlers.findIndex((o) => o.phase === h.phase) !== i).map((h) => h.phase));
  const items = planned.flatMap(({ handler, index, changes }) => changes.map((change, position) => ({ change, phase: handler.phase, index, position })));
  items.sort(
    (a, b) => a.phase - b.phase || (shared.has(a.phase) ? a.change.target.localeCompare(b.change.target) : 0) || a.index - b.index || a.position - b.position,
  );
  return items.map((i) => i.change);
}

function ofKind<K extends Change['kind']>(changes: readonly Change[], handler: PlanKindHandler<K>): ChangeOf<K>[] {
  return changes.filter((c): c is ChangeOf<K> => c.kind === handler.kind);
}

function unselectedControlPlanes(input: PlanInput): InventoryNode[] {
  return input.inventory.nodes.filter((n) => n.roles.includes('control-plane') && !input.nodes.some((m) => m.name === n.name));
}

function fleetFacts(input: PlanInput): FleetFacts {
  const others = input.otherControlPlanes ?? { facts: new Map<string, NodeFacts>(), unreachable: unselectedControlPlanes(input).map((n) => n.name) };
  const unknown = input.nodes.filter((n) => n.roles.includes('control-plane') && !input.facts.has(n.name)).map((n) => n.name);
  return { facts: new Map([...input.facts, ...others.facts]), unknownControlPlanes: [...unknown, ...others.unreachable] };
}

function nodeParameters(benchmark: Benchmark, node: InventoryNode): Readonly<Record<string, ParameterValue>> {
  const { values, problems } = resolveParameters(benchmark, node.parameters);
  if (problems.length) {
    throw new UserError(
      `the inventory's parameters for node ${node.name} do not fit ${benchmark.id}:`,
      problems.map((message) => ({ location: undefined, message, fix: undefined })),
      [`See the parameters with 'cis-fix controls show ID --benchmark ${benchmark.id}' or playbooks/${benchmark.id}/parameters.yaml.`],
    );
  }
  return values;
}

function clusterParameters(benchmark: Benchmark, inventory: Inventory): Readonly<Record<string, ParameterValue>> {
  const { values, problems } = resolveParameters(benchmark, inventory.parameters);
  if (problems.length) {
    throw new UserError(
      `the inventory's parameters do not fit ${benchmark.id}:`,
      problems.map((message) => ({ location: undefined, message, fix: undefined })),
      [`See the parameters with 'cis-fix controls show ID --benchmark ${benchmark.id}' or playbooks/${benchmark.id}/parameters.yaml.`],
    );
  }
  return values;
}

function unreachableFinding(node: string, message: string): Finding {
  return {
    controlId: '*',
    node,
    status: 'error',
    title: 'facts could not be gathered',
    expected: 'node reachable',
    actual: message,
    fixable: false,
    notFixableReason: message,
    kubeBench: undefined,
  };
}
