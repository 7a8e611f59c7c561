import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluateCluster, isClusterControl } from '../../../../src/evaluate/cluster/evaluate-cluster.js';
import { evaluateNode } from '../../../../src/evaluate/evaluate-node.js';
import { selectControls } from '../../../../src/evaluate/select-controls.js';
import { parseFacts } from '../../../../src/facts/parse-facts.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import type { Change } from '../../../../src/model/change.js';
import type { Finding } from '../../../../src/model/finding.js';
import type { Role } from '../../../../src/model/roles.js';
import { planApiObjects } from '../../../../src/plan/api-object-plan.js';
import { buildChanges } from '../../../../src/plan/build-changes.js';
import { isKubeletSettingControl, planKubeletSettings } from '../../../../src/plan/kubelet-plan.js';
import { PLAN_FORMAT_VERSION, summarizePlan, type Plan } from '../../../../src/plan/plan.js';
import type { InvariantContext } from '../../../../src/plan/plan-invariants.js';
import { isStaticPodFlagControl, planStaticPodFlags } from '../../../../src/plan/static-pod-plan.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import { resolveParameters } from '../../../../src/playbook/parameter-value.js';
import { contextOf, kubeadmCluster } from '../../evaluate/cluster/cluster-fixtures.js';

/**
 * A real plan, made by today's planning code from recorded facts: the lab's
 * drifted control plane (the gathering script's output on the lab), a stock
 * kubeadm control plane, a RHEL worker, and a kubeadm cluster's API objects.
 * Built as services/plan.ts builds one, without the I/O.
 */
export interface FixturePlan {
  readonly plan: Plan;
  readonly invariants: InvariantContext;
}

const fixture = (relative: string) => readFileSync(fileURLToPath(new URL(relative, import.meta.url)));

const NODES: readonly { name: string; roles: Role[]; facts: () => NodeFacts }[] = [
  { name: 'cp-1', roles: ['control-plane', 'etcd'], facts: () => parseFacts('cp-1', fixture('../../evaluate/kubelet/fixtures/lab-drifted/facts.out')) },
  { name: 'cp-2', roles: ['control-plane', 'etcd'], facts: () => parseFacts('cp-2', fixture('../../facts/fixtures/kubeadm-control-plane.out')) },
  { name: 'worker-1', roles: ['worker'], facts: () => parseFacts('worker-1', fixture('../../facts/fixtures/rhel-worker.out')) },
];

let cached: Promise<FixturePlan> | undefined;

export function fixturePlan(): Promise<FixturePlan> {
  cached ??= build();
  return cached;
}

async function build(): Promise<FixturePlan> {
  const benchmark = await loadBenchmark('cis-1.12');
  const controls = selectControls(benchmark, { targets: [], only: [], skip: [] });
  const findings: Finding[] = [];
  const changes: Change[] = [];
  const invariantNodes = new Map<string, { facts: NodeFacts; parameters: ReturnType<typeof resolveParameters>['values'] }>();
  for (const node of NODES) {
    const facts = node.facts();
    const parameters = resolveParameters(benchmark, {}).values;
    invariantNodes.set(node.name, { facts, parameters });
    const ctx = { name: node.name, roles: node.roles, facts, parameters };
    const evaluation = evaluateNode(benchmark, controls, ctx, { decidedElsewhere: (c) => isStaticPodFlagControl(c) || isKubeletSettingControl(c) || isClusterControl(c) });
    const staticPods = planStaticPodFlags(controls, ctx, evaluation.variables);
    const kubelet = planKubeletSettings(controls, ctx, evaluation.variables);
    findings.push(...evaluation.findings, ...staticPods.findings, ...kubelet.findings);
    changes.push(...buildChanges(evaluation.proposals), ...staticPods.changes, ...kubelet.changes);
  }
  const clusterControls = controls.filter(isClusterControl);
  const clusterCtx = contextOf(kubeadmCluster(), resolveParameters(benchmark, {}).values);
  const cluster = planApiObjects(clusterControls, clusterCtx, evaluateCluster(clusterControls, clusterCtx));
  findings.push(...cluster.findings);
  changes.push(...cluster.changes);
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    tool: { name: 'cis-fix', version: '0.1.0' },
    createdAt: '2026-12-04T09:00:00.000Z',
    benchmark: { id: 'cis-1.12', chosenBy: 'chosen with --benchmark or the inventory' },
    selection: { targets: [], only: [], skip: [], nodes: NODES.map((n) => n.name) },
    inventory: { file: '/work/inventory.yaml', digest: 'a'.repeat(64) },
    cluster: { kind: 'connected', server: 'https://192.0.2.10:6443', context: 'admin@lab', version: 'v1.33.4' },
    findings,
    changes,
    summary: summarizePlan(findings, changes, NODES.length),
  };
  // As the plan file carries it: JSON drops undefined fields.
  return { plan: JSON.parse(JSON.stringify(plan)) as Plan, invariants: { benchmark, nodes: invariantNodes } };
}
