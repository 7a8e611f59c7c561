import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFacts } from '../../../../src/facts/parse-facts.js';
import type { NodeFacts } from '../../../../src/facts/types.js';
import type { Inventory, InventoryNode } from '../../../../src/inventory/inventory.js';
import type { Role } from '../../../../src/model/roles.js';
import { assemblePlan } from '../../../../src/plan/assemble-plan.js';
import type { Plan } from '../../../../src/plan/plan.js';
import type { InvariantContext } from '../../../../src/plan/plan-invariants.js';
import { loadBenchmark } from '../../../../src/playbook/load-playbooks.js';
import { resolveParameters } from '../../../../src/playbook/parameter-value.js';
import { contextOf, kubeadmCluster } from '../../evaluate/cluster/cluster-fixtures.js';

/**
 * A real plan, made by today's planning code from recorded facts: the lab's
 * drifted control plane (the gathering script's output on the lab), a stock
 * kubeadm control plane, a RHEL worker, and a kubeadm cluster's API objects.
 * Built by assemblePlan, as services/plan.ts builds one, without the I/O.
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
  const parameters = resolveParameters(benchmark, {}).values;
  const nodes = NODES.map((n) => ({ name: n.name, host: `192.0.2.${n.name.length}`, roles: n.roles, parameters: {} }) as unknown as InventoryNode);
  const facts = new Map(NODES.map((n) => [n.name, n.facts()]));
  const inventory = {
    file: '/work/inventory.yaml',
    digest: 'a'.repeat(64),
    cluster: { name: undefined, kubeconfig: undefined, context: undefined },
    benchmark: 'auto',
    parameters: {},
    nodes,
    waivers: [],
  } as unknown as Inventory;
  const plan = assemblePlan({
    benchmark,
    chosenBy: 'chosen with --benchmark or the inventory',
    selection: { targets: [], only: [], skip: [] },
    inventory,
    nodes,
    facts,
    unreachable: [],
    cluster: {
      access: { kind: 'connected', server: 'https://192.0.2.10:6443', context: 'admin@lab', version: 'v1.33.4' },
      facts: contextOf(kubeadmCluster(), parameters).facts,
    },
    tool: { name: 'cis-fix', version: '0.1.0' },
    createdAt: '2026-12-04T09:00:00.000Z',
  });
  const invariantNodes = new Map(NODES.map((n) => [n.name, { facts: facts.get(n.name)!, parameters }]));
  // As the plan file carries it: JSON drops undefined fields.
  return { plan: JSON.parse(JSON.stringify(plan)) as Plan, invariants: { benchmark, nodes: invariantNodes } };
}
