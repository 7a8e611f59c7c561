import { readFile } from 'node:fs/promises';
import { selectControls, type ControlSelection } from '../evaluate/select-controls.js';
import { gatherFacts } from '../facts/gather-facts.js';
import type { NodeFacts } from '../facts/types.js';
import type { Inventory, InventoryNode } from '../inventory/inventory.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { selectNodes } from '../inventory/select-nodes.js';
import { UnreachableError, UserError } from '../model/errors.js';
import type { NodeFailure } from '../model/node-check.js';
import {
  finishPlan,
  judgedControls,
  NodePlanMemo,
  otherControlPlanesWanted,
  planGatheredNode,
  planNodes,
  type EarlyNodePlan,
  type OtherControlPlanes,
  type PlanInput,
  type WaiverScope,
  waiverScopeOf,
} from '../plan/assemble-plan.js';
import type { Plan } from '../plan/plan.js';
import { detectDistribution } from '../playbook/detect-distribution.js';
import { listBenchmarks, loadBenchmark, selectBenchmark } from '../playbook/load-playbooks.js';
import type { BenchmarkId, KubeBenchTarget } from '../playbook/types.js';
import { withNodeSessions } from './node-sessions.js';
import { connectCluster, gatherClusterInput, withDryRuns } from './cluster-plan.js';

export interface PlanRequest {
  readonly inventoryFile: string;
  /** From the flag; undefined = the inventory's `benchmark:` (default auto). */
  readonly benchmark: 'auto' | BenchmarkId | undefined;
  readonly targets: readonly KubeBenchTarget[];
  readonly only: readonly string[];
  readonly skip: readonly string[];
  readonly nodes?: readonly string[];
  readonly concurrency: number;
  readonly onStart?: (nodeCount: number) => void;
  readonly onNodeDone?: (node: string) => void;
}

export interface PlanOutcome {
  readonly plan: Plan;
  readonly inventory: Inventory;
  /** Nodes whose facts could not be gathered: the plan has an error finding for each. */
  readonly unreachable: readonly string[];
  /** The same nodes with why, and what to do (hints), for the command to print once. */
  readonly unreached: readonly UnreachedNode[];
}

export interface UnreachedNode {
  readonly node: string;
  readonly error: NodeFailure;
}

const TOOL_VERSION = await readToolVersion();

/**
 * `cis-fix plan`: gather facts from every selected node (one exec each) and
 * from the API, then assemble the plan (src/plan/assemble-plan.ts: pure —
 * evaluation judges, each change kind plans). All I/O is here.
 */
export async function makePlan(request: PlanRequest): Promise<PlanOutcome> {
  const inventory = await loadInventory(request.inventoryFile);
  const nodes = selectNodes(inventory, request.nodes);
  request.onStart?.(nodes.length);
  const session = await connectCluster(inventory);
  const choice = request.benchmark ?? inventory.benchmark;
  const selection: ControlSelection = { targets: request.targets, only: request.only, skip: request.skip };

  // When the benchmark is known before the nodes answer (chosen, or from the API server's /version),
  // each node is evaluated and planned as soon as its facts arrive, while the others are still gathering.
  const known = choice !== 'auto' || session.version !== undefined ? await chooseBenchmark(choice, [], session.version?.gitVersion) : undefined;
  // One clock for the plan: its creation time is also the day waivers are judged on.
  const createdAt = new Date().toISOString();
  const early = known ? await earlyPlanning(known.id, selection, waiverScopeOf({ inventory, createdAt })) : undefined;
  const outcomes = await withNodeSessions(
    nodes,
    { concurrency: request.concurrency, ...(request.onNodeDone ? { onNodeDone: request.onNodeDone } : {}) },
    async (transport, spec) => {
      const facts = await gatherFacts(transport);
      const node = nodes.find((n) => n.name === spec.name);
      if (early && node) early.plan(node, facts);
      return facts;
    },
  );
  const facts = new Map<string, NodeFacts>();
  const unreachable: { node: string; message: string }[] = [];
  for (const outcome of outcomes) {
    if (outcome.ok) facts.set(outcome.node, outcome.value);
    else unreachable.push({ node: outcome.node, message: outcome.error.message });
  }
  const unreached = outcomes.flatMap((o) => (o.ok ? [] : [{ node: o.node, error: o.error }]));
  if (facts.size === 0 && nodes.length > 0) {
    // Nothing to plan on: say which nodes and why, not that no kubelet version was found.
    throw new UnreachableError(
      unreached.length === 1 ? unreached[0]!.node : `all ${unreached.length} nodes`,
      `not reachable, so there is nothing to plan: ${unreached.length === 1 ? unreached[0]!.error.message : unreached.map((f) => `${f.node}: ${f.error.message}`).join('; ')}`,
      [...new Set(unreached.flatMap((f) => f.error.hints))],
    );
  }

  // A plain /version (kubeadm's, and AKS's) is only a first guess: a distribution the nodes show wins, and the early plans go.
  const { id: benchmarkId, chosenBy } =
    choice === 'auto' || known === undefined ? await chooseBenchmark(choice, [...facts.values()], session.version?.gitVersion) : known;
  const earlyKept = early !== undefined && known?.id === benchmarkId ? early : undefined;
  const benchmark = earlyKept?.benchmark ?? (await loadBenchmark(benchmarkId));
  const cluster = await gatherClusterInput(session, selectControls(benchmark, selection));
  const input: PlanInput = {
    benchmark,
    chosenBy,
    selection,
    inventory,
    nodes,
    facts,
    unreachable,
    cluster,
    tool: { name: 'cis-fix', version: TOOL_VERSION },
    createdAt,
  };

  const nodePlans = planNodes(input, earlyKept?.plans, earlyKept?.memo);
  // A cluster-wide key some control plane already holds is copied from it, never generated anew —
  // also from control planes outside the selection (--nodes), which are read for that alone.
  const others = otherControlPlanesWanted(input, nodePlans);
  const otherControlPlanes = others.length ? await readControlPlanes(others, request.concurrency) : undefined;
  const plan = finishPlan(otherControlPlanes ? { ...input, otherControlPlanes } : input, nodePlans);
  const planned: Plan = { ...plan, changes: await withDryRuns(session, plan.changes) };
  return { plan: planned, inventory, unreachable: unreachable.map((u) => u.node), unreached };
}

/** Planning nodes as their facts arrive, for a benchmark known before gathering; what it throws is kept for planNodes to rethrow in node order. */
async function earlyPlanning(id: BenchmarkId, selection: ControlSelection, waivers: WaiverScope) {
  const benchmark = await loadBenchmark(id);
  const controls = judgedControls(benchmark, selection);
  const memo = new NodePlanMemo();
  const plans = new Map<string, EarlyNodePlan>();
  const plan = (node: InventoryNode, facts: NodeFacts) => {
    try {
      plans.set(node.name, { ok: true, plan: planGatheredNode(benchmark, controls, node, facts, memo, waivers) });
    } catch (error) {
      plans.set(node.name, { ok: false, error });
    }
  };
  return { benchmark, memo, plans, plan };
}

async function readControlPlanes(nodes: Parameters<typeof withNodeSessions>[0], concurrency: number): Promise<OtherControlPlanes> {
  const facts = new Map<string, NodeFacts>();
  const unreachable: string[] = [];
  for (const outcome of await withNodeSessions(nodes, { concurrency }, (transport) => gatherFacts(transport))) {
    if (outcome.ok) facts.set(outcome.node, outcome.value);
    else unreachable.push(outcome.node);
  }
  return { facts, unreachable };
}

/**
 * `auto` picks the benchmark as kube-bench does. First the distribution
 * (detect-distribution.ts): the API server's /version (`+k3s`, `+rke2`,
 * `-eks-`, `-gke.`), else what the nodes show (the kubelet's version, its
 * flags, the files only a distribution has). A distribution has one
 * benchmark. The generic (kubeadm) benchmark is then chosen from the
 * Kubernetes version: the API server's /version when the API answers, else
 * the kubelets' (over SSH). The plan records which and why.
 */
export async function chooseBenchmark(
  choice: 'auto' | BenchmarkId,
  facts: readonly NodeFacts[],
  apiServerVersion?: string,
): Promise<{ id: BenchmarkId; chosenBy: string }> {
  if (choice !== 'auto') return { id: choice, chosenBy: 'chosen with --benchmark or the inventory' };
  const all = await listBenchmarks();
  const detected = detectDistribution(apiServerVersion, facts);
  if ('conflict' in detected) {
    throw new UserError(
      `cannot choose a benchmark automatically: the nodes show different distributions: ${detected.conflict}`,
      [],
      [`Check the inventory's nodes, or pass --benchmark (${all.map((b) => b.id).join(', ')}).`],
    );
  }
  if (detected.distribution !== 'kubeadm') {
    const own = all.filter((b) => b.distribution === detected.distribution);
    const selected = (apiServerVersion !== undefined ? selectBenchmark(apiServerVersion, own, detected.distribution) : undefined) ?? own[0];
    if (!selected)
      throw new UserError(
        `cis-fix has no benchmark for ${detected.distribution} (detected from ${detected.evidence})`,
        [],
        [`Pass --benchmark (${all.map((b) => b.id).join(', ')}).`],
      );
    return { id: selected.id, chosenBy: `auto: ${detected.distribution} detected from ${detected.evidence}; its benchmark is ${selected.id}` };
  }
  const infos = all.filter((b) => b.distribution === 'kubeadm');
  const ranges = infos
    .map((b) => `${b.id}: Kubernetes ${b.kubernetesVersions.from}${b.kubernetesVersions.to ? `–${b.kubernetesVersions.to}` : '+'}`)
    .join(', ');
  if (apiServerVersion !== undefined) {
    const selected = selectBenchmark(apiServerVersion, infos);
    if (!selected)
      throw new UserError(
        `Kubernetes ${apiServerVersion} (the API server's /version) is outside the versions cis-fix has benchmarks for (${ranges})`,
        [],
        ['Pass --benchmark explicitly, or use a cis-fix release that supports this version.'],
      );
    return { id: selected.id, chosenBy: `auto: the API server's /version ${apiServerVersion} maps to ${selected.id} as kube-bench maps it` };
  }
  const versions = [...new Set(facts.map((f) => f.kubeletVersion?.version).filter((v): v is string => Boolean(v)))];
  if (versions.length === 0) {
    throw new UserError('cannot choose a benchmark automatically: no node reported a kubelet version', [], [`Pass --benchmark (${ranges}).`]);
  }
  // The oldest kubelet decides: a cluster mid-upgrade is held to the benchmark of its oldest nodes.
  const oldest = versions.sort((a, b) => minor(a) - minor(b))[0]!;
  const selected = selectBenchmark(oldest, infos);
  if (!selected)
    throw new UserError(
      `Kubernetes ${oldest} is older than any benchmark cis-fix has (${ranges})`,
      [],
      ['Upgrade the cluster, or use a cis-fix release that supports it.'],
    );
  return {
    id: selected.id,
    chosenBy: `auto: kubelet ${oldest}${versions.length > 1 ? ` (oldest of ${versions.join(', ')})` : ''} maps to ${selected.id} as kube-bench maps it`,
  };
}

function minor(version: string): number {
  return Number(/^v?1\.(\d+)/.exec(version)?.[1] ?? 0);
}

async function readToolVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
