import { readFile } from 'node:fs/promises';
import { evaluateNode } from '../evaluate/evaluate-node.js';
import type { NodeContext } from '../evaluate/node-context.js';
import { selectControls, type ControlSelection } from '../evaluate/select-controls.js';
import { attachWaivers, splitWaivedControls, waiverDay } from '../evaluate/waivers.js';
import { gatherFacts } from '../facts/gather-facts.js';
import type { NodeFacts } from '../facts/types.js';
import type { Inventory, InventoryNode } from '../inventory/inventory.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { selectNodes } from '../inventory/select-nodes.js';
import { UserError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { buildChanges } from '../plan/build-changes.js';
import { isStaticPodFlagControl, planStaticPodFlags } from '../plan/static-pod-plan.js';
import { isKubeletSettingControl, planKubeletSettings } from '../plan/kubelet-plan.js';
import { shareClusterSecrets, unsharedClusterSecrets } from '../plan/support-file-plan.js';
import type { Change } from '../model/change.js';
import { PLAN_FORMAT_VERSION, summarizePlan, type Plan } from '../plan/plan.js';
import { listBenchmarks, loadBenchmark, selectBenchmark } from '../playbook/load-playbooks.js';
import { resolveParameters } from '../playbook/parameter-value.js';
import type { Benchmark, BenchmarkId, Control, KubeBenchTarget } from '../playbook/types.js';
import { withNodeSessions } from './node-sessions.js';
import { connectCluster, planCluster } from './cluster-plan.js';
import { isClusterControl } from '../evaluate/cluster/evaluate-cluster.js';

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
}

const TOOL_VERSION = await readToolVersion();

/**
 * `cis-fix plan`: gather facts from every selected node (one exec each),
 * evaluate the benchmark's controls, and build the changes. All I/O is here;
 * evaluation and plan building are pure.
 */
export async function makePlan(request: PlanRequest): Promise<PlanOutcome> {
  const inventory = await loadInventory(request.inventoryFile);
  const nodes = selectNodes(inventory, request.nodes);
  request.onStart?.(nodes.length);
  const outcomes = await withNodeSessions(
    nodes,
    { concurrency: request.concurrency, ...(request.onNodeDone ? { onNodeDone: request.onNodeDone } : {}) },
    (transport) => gatherFacts(transport),
  );
  const facts = new Map<string, NodeFacts>();
  const findings: Finding[] = [];
  for (const outcome of outcomes) {
    if (outcome.ok) facts.set(outcome.node, outcome.value);
    else findings.push(unreachableFinding(outcome.node, outcome.error.message));
  }

  const cluster = await connectCluster(inventory);
  const choice = request.benchmark ?? inventory.benchmark;
  const { id: benchmarkId, chosenBy } = await chooseBenchmark(choice, [...facts.values()], cluster.version?.gitVersion);
  const benchmark = await loadBenchmark(benchmarkId);
  const controls = selectControls(benchmark, { targets: request.targets, only: request.only, skip: request.skip } satisfies ControlSelection);

  const createdAt = new Date();
  const today = waiverDay(createdAt);
  let changes: Change[] = [];
  for (const node of nodes) {
    const nodeFacts = facts.get(node.name);
    if (!nodeFacts) continue;
    const ctx = { name: node.name, roles: node.roles, facts: nodeFacts, parameters: parametersFor(benchmark, node) };
    // Waivers: what an active waiver holds back is evaluated for the report, and nothing is planned for it.
    const { planned, waived } = splitWaivedControls(controls, inventory.waivers, node.name, today);
    const nodePlan = planNode(benchmark, planned, ctx);
    findings.push(...nodePlan.findings, ...(waived.length > 0 ? planNode(benchmark, waived, ctx).findings : []));
    changes.push(...nodePlan.changes);
  }
  // A cluster-wide key some control plane already holds is copied from it, never generated anew —
  // also from control planes outside the selection (--nodes), which are read for that alone.
  const holders = new Map(facts);
  if (changes.some((c) => c.kind === 'support-file' && c.after.secrets.some((x) => x.scope === 'cluster'))) {
    const unselected = inventory.nodes.filter((n) => n.roles.includes('control-plane') && !nodes.some((m) => m.name === n.name));
    const unknown = nodes.filter((n) => n.roles.includes('control-plane') && !facts.has(n.name)).map((n) => n.name);
    for (const outcome of await withNodeSessions(unselected, { concurrency: request.concurrency }, (transport) => gatherFacts(transport))) {
      if (outcome.ok) holders.set(outcome.node, outcome.value);
      else unknown.push(outcome.node);
    }
    changes = shareClusterSecrets(changes, holders);
    const unsafe = unsharedClusterSecrets(changes, unknown);
    if (unsafe) throw new UserError(unsafe, [], [`Make ${unknown.join(', ')} reachable, or leave the encryption config out of this run (--skip 1.2.27,1.2.28).`]);
  }
  // The cluster side last: once per cluster, through the API (or "not evaluated", saying why).
  const clusterControls = splitWaivedControls(controls, inventory.waivers, undefined, today);
  const clusterPlan = await planCluster(cluster, benchmark, clusterControls.planned, inventory);
  const clusterWaived = clusterControls.waived.length > 0 ? await planCluster(cluster, benchmark, clusterControls.waived, inventory) : undefined;
  findings.push(...clusterPlan.findings, ...(clusterWaived?.findings ?? []));
  changes.push(...clusterPlan.changes);
  // Every finding under a waiver says so: `waived` while it holds, its failure called out once it expired.
  const decided = attachWaivers(findings, inventory.waivers, today);
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    tool: { name: 'cis-fix', version: TOOL_VERSION },
    createdAt: createdAt.toISOString(),
    benchmark: { id: benchmarkId, chosenBy },
    selection: { targets: request.targets, only: request.only, skip: request.skip, nodes: nodes.map((n) => n.name) },
    inventory: { file: inventory.file, digest: inventory.digest },
    cluster: cluster.access,
    findings: decided,
    changes,
    summary: summarizePlan(decided, changes, facts.size),
  };
  return { plan, inventory, unreachable: outcomes.filter((o) => !o.ok).map((o) => o.node) };
}

/**
 * One node's findings and changes for `controls`. Per node: file metadata
 * first, then manifests in restart order (etcd, apiserver,
 * controller-manager, scheduler), then the kubelet's files with one restart
 * after the last of them.
 */
function planNode(benchmark: Benchmark, controls: readonly Control[], ctx: NodeContext): { findings: Finding[]; changes: Change[] } {
  const evaluation = evaluateNode(benchmark, controls, ctx, { decidedElsewhere: (c) => isStaticPodFlagControl(c) || isKubeletSettingControl(c) || isClusterControl(c) });
  const staticPods = planStaticPodFlags(controls, ctx, evaluation.variables);
  const kubelet = planKubeletSettings(controls, ctx, evaluation.variables);
  return {
    findings: [...evaluation.findings, ...staticPods.findings, ...kubelet.findings],
    changes: [...buildChanges(evaluation.proposals), ...staticPods.changes, ...kubelet.changes],
  };
}

function parametersFor(benchmark: Benchmark, node: InventoryNode) {
  const { values, problems } = resolveParameters(benchmark, node.parameters);
  if (problems.length) {
    throw new UserError(`the inventory's parameters for node ${node.name} do not fit ${benchmark.id}:`, problems.map((message) => ({ location: undefined, message, fix: undefined })), [
      `See the parameters with 'cis-fix controls show ID --benchmark ${benchmark.id}' or playbooks/${benchmark.id}/parameters.yaml.`,
    ]);
  }
  return values;
}

function unreachableFinding(node: string, message: string): Finding {
  return { controlId: '*', node, status: 'error', title: 'facts could not be gathered', expected: 'node reachable', actual: message, fixable: false, notFixableReason: message, kubeBench: undefined };
}

/**
 * `auto` picks the benchmark as kube-bench does, from the Kubernetes version:
 * the API server's /version when the API answers, else the kubelets' (over
 * SSH). The plan records which and why.
 */
export async function chooseBenchmark(choice: 'auto' | BenchmarkId, facts: readonly NodeFacts[], apiServerVersion?: string): Promise<{ id: BenchmarkId; chosenBy: string }> {
  if (choice !== 'auto') return { id: choice, chosenBy: 'chosen with --benchmark or the inventory' };
  const infos = await listBenchmarks();
  const ranges = infos.map((b) => `${b.id}: Kubernetes ${b.kubernetesVersions.from}${b.kubernetesVersions.to ? `–${b.kubernetesVersions.to}` : '+'}`).join(', ');
  if (apiServerVersion !== undefined) {
    const selected = selectBenchmark(apiServerVersion, infos);
    if (!selected) throw new UserError(`Kubernetes ${apiServerVersion} (the API server's /version) is outside the versions cis-fix has benchmarks for (${ranges})`, [], ['Pass --benchmark explicitly, or use a cis-fix release that supports this version.']);
    return { id: selected.id, chosenBy: `auto: the API server's /version ${apiServerVersion} maps to ${selected.id} as kube-bench maps it` };
  }
  const versions = [...new Set(facts.map((f) => f.kubeletVersion?.version).filter((v): v is string => Boolean(v)))];
  if (versions.length === 0) {
    throw new UserError('cannot choose a benchmark automatically: no node reported a kubelet version', [], [`Pass --benchmark (${ranges}).`]);
  }
  // The oldest kubelet decides: a cluster mid-upgrade is held to the benchmark of its oldest nodes.
  const oldest = versions.sort((a, b) => minor(a) - minor(b))[0]!;
  const selected = selectBenchmark(oldest, infos);
  if (!selected) throw new UserError(`Kubernetes ${oldest} is older than any benchmark cis-fix has (${ranges})`, [], ['Upgrade the cluster, or use a cis-fix release that supports it.']);
  return { id: selected.id, chosenBy: `auto: kubelet ${oldest}${versions.length > 1 ? ` (oldest of ${versions.join(', ')})` : ''} maps to ${selected.id} as kube-bench maps it` };
}

function minor(version: string): number {
  return Number(/^v?1\.(\d+)/.exec(version)?.[1] ?? 0);
}

async function readToolVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
