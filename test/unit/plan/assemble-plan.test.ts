import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFacts } from '../../../src/facts/parse-facts.js';
import type { NodeFacts } from '../../../src/facts/types.js';
import type { Inventory, InventoryNode } from '../../../src/inventory/inventory.js';
import { UserError } from '../../../src/model/errors.js';
import { assemblePlan, finishPlan, NodePlanMemo, otherControlPlanesWanted, planNode, planNodes, type PlanInput } from '../../../src/plan/assemble-plan.js';
import { resolveParameters } from '../../../src/playbook/parameter-value.js';
import { loadBenchmark } from '../../../src/playbook/load-playbooks.js';
import type { Benchmark } from '../../../src/playbook/types.js';

const fixture = readFileSync(fileURLToPath(new URL('../facts/fixtures/kubeadm-control-plane.out', import.meta.url)));
const factsOf = (name: string): NodeFacts => parseFacts(name, fixture);
let benchmark: Benchmark;
beforeAll(async () => {
  benchmark = await loadBenchmark('cis-1.12');
});

function node(name: string, parameters: Record<string, unknown> = {}): InventoryNode {
  return { name, host: `192.0.2.${name.length}`, roles: ['control-plane', 'etcd'], parameters } as unknown as InventoryNode;
}

function input(over: Partial<PlanInput> & { nodes: InventoryNode[] }): PlanInput {
  const inventory = {
    file: '/inv.yaml',
    digest: 'd'.repeat(64),
    cluster: { name: undefined, kubeconfig: undefined, context: undefined },
    benchmark: 'auto',
    parameters: {},
    nodes: over.nodes,
    waivers: [],
  } as Inventory;
  return {
    benchmark,
    chosenBy: 'chosen with --benchmark or the inventory',
    selection: { targets: [], only: [], skip: [] },
    inventory,
    facts: new Map(over.nodes.map((n) => [n.name, factsOf(n.name)])),
    unreachable: [],
    cluster: { access: { kind: 'none', reason: 'the inventory names no cluster.kubeconfig, so API checks were skipped' } },
    tool: { name: 'cis-fix', version: '0.0.0-test' },
    createdAt: '2026-12-04T00:00:00.000Z',
    ...over,
  };
}

describe('assemblePlan', () => {
  it('plans from gathered facts alone, the same plan every time (apply re-derives a saved plan this way)', () => {
    const request = input({ nodes: [node('cp-1')] });
    const plan = assemblePlan(request);
    expect(plan.changes.length).toBeGreaterThan(3);
    expect(plan.summary).toMatchObject({ nodesEvaluated: 1, changes: plan.changes.length });
    expect(JSON.stringify(assemblePlan(request))).toBe(JSON.stringify(plan));
    // Every change names fixable failing findings on its node, or tightens toward one.
    for (const change of plan.changes) {
      const findings = plan.findings.filter((f) => change.controlIds.includes(f.controlId) && f.node === change.node);
      expect([change.id, findings.every((f) => f.status === 'fail')]).toEqual([change.id, true]);
    }
  });

  it('lists unreachable nodes first, then each node with its changes by phase: files, support files, manifests, kubelet', () => {
    const plan = assemblePlan(input({ nodes: [node('cp-1'), node('cp-2')], unreachable: [{ node: 'cp-3', message: 'connection refused' }] }));
    expect(plan.findings[0]).toMatchObject({ controlId: '*', node: 'cp-3', status: 'error', actual: 'connection refused' });
    const phase = {
      'file-owner': 0,
      'file-mode': 0,
      'support-file': 1,
      'static-pod-manifest': 2,
      'kubelet-file': 3,
      'api-object': 4,
      'etcd-service': 1.5,
      'rancher-config': 3,
    } as const;
    const order = plan.changes.map((c) => [c.node ?? '', phase[c.kind]] as const);
    expect(order).toEqual([...order].sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1]));
    const files = plan.changes.filter((c) => c.node === 'cp-1' && phase[c.kind] === 0).map((c) => c.target);
    expect(files).toEqual([...files].sort((a, b) => a.localeCompare(b)));
  });

  it('reports cluster controls as not evaluated, saying why, without the API', () => {
    const plan = assemblePlan(input({ nodes: [node('cp-1')], selection: { targets: ['policies'], only: [], skip: [] } }));
    expect(plan.findings.length).toBeGreaterThan(5);
    for (const f of plan.findings)
      expect(f).toMatchObject({ node: undefined, status: 'manual', notEvaluated: true, actual: expect.stringMatching(/no cluster\.kubeconfig/) });
  });

  it('copies a cluster-wide key from a control plane outside the selection instead of generating a second one', () => {
    const parameters = { encryptionConfigPath: '/etc/kubernetes/enc/config.yaml' };
    const request = input({ nodes: [node('cp-1', parameters)], selection: { targets: [], only: ['1.2.27'], skip: [] } });
    const inventory = { ...request.inventory, nodes: [node('cp-1', parameters), node('cp-9', parameters)] };
    const nodePlans = planNodes({ ...request, inventory });
    expect(otherControlPlanesWanted({ ...request, inventory }, nodePlans).map((n) => n.name)).toEqual(['cp-9']);
    // Unknown: refused, naming the control plane.
    expect(() => finishPlan({ ...request, inventory }, nodePlans)).toThrow(UserError);
    expect(() => finishPlan({ ...request, inventory }, nodePlans)).toThrow(/cp-9/);
    // Known to hold the file: copied from it.
    const holder = factsOf('cp-9');
    const held: NodeFacts = {
      ...holder,
      paths: {
        ...holder.paths,
        '/etc/kubernetes/enc/config.yaml': {
          ...holder.paths['/etc/kubernetes/admin.conf']!,
          path: '/etc/kubernetes/enc/config.yaml',
        } as NodeFacts['paths'][string],
      },
    };
    const plan = finishPlan({ ...request, inventory, otherControlPlanes: { facts: new Map([['cp-9', held]]), unreachable: [] } }, nodePlans);
    const support = plan.changes.find((c) => c.kind === 'support-file');
    expect(support).toMatchObject({ target: '/etc/kubernetes/enc/config.yaml', after: { copyFrom: 'cp-9' } });
  });

  it('refuses node parameters that do not fit the benchmark, naming the node', () => {
    expect(() => planNodes(input({ nodes: [node('cp-1', { podPidsLimit: 'many' })] }))).toThrow(/parameters for node cp-1/);
  });
});

describe('NodePlanMemo', () => {
  it('plans identical nodes once, each under its own name, and gives the same plan as planning each', () => {
    const nodes = [node('cp-1'), node('cp-2'), node('cp-3')];
    const request = input({ nodes });
    const memo = new NodePlanMemo();
    const memoised = planNodes(request, new Map(), memo);
    expect(memo.evaluated).toBe(1);
    const each = nodes.map((n) =>
      planNode(benchmark, memoised.controls, {
        name: n.name,
        roles: n.roles,
        facts: request.facts.get(n.name)!,
        parameters: resolveParameters(benchmark, {}).values,
      }),
    );
    expect(JSON.stringify(memoised.findings)).toBe(JSON.stringify(each.flatMap((p) => p.findings)));
    expect(JSON.stringify(memoised.changes)).toBe(JSON.stringify(each.flatMap((p) => p.changes)));
    expect(new Set(memoised.changes.map((c) => c.node))).toEqual(new Set(['cp-1', 'cp-2', 'cp-3']));
  });

  it('plans nodes whose deciding facts differ separately', () => {
    const facts = factsOf('cp-2');
    const entry = facts.paths['/var/lib/kubelet/config.yaml']!;
    const other: NodeFacts = { ...facts, paths: { ...facts.paths, '/var/lib/kubelet/config.yaml': { ...entry, mode: '600' } as NodeFacts['paths'][string] } };
    const request = input({ nodes: [node('cp-1'), node('cp-2')] });
    const plans = planNodes({
      ...request,
      facts: new Map([
        ['cp-1', factsOf('cp-1')],
        ['cp-2', other],
      ]),
    });
    const kubeletConfigModes = plans.changes.filter((c) => c.kind === 'file-mode' && c.target === '/var/lib/kubelet/config.yaml').map((c) => c.node);
    expect(kubeletConfigModes).toEqual(['cp-1']);
  });

  it('plans machines that differ only in inode numbers once, but apart when other paths are one file', () => {
    const shifted = (facts: NodeFacts, shift: number, sameFile: (path: string) => boolean = () => false): NodeFacts => {
      const admin = facts.paths['/etc/kubernetes/admin.conf'];
      const adminInode = admin?.exists ? admin.inode : -1;
      const paths = Object.fromEntries(
        Object.entries(facts.paths).map(([path, p]) => [path, p.exists ? { ...p, inode: (sameFile(path) ? adminInode : p.inode) + shift } : p]),
      );
      return { ...facts, paths };
    };
    const request = input({ nodes: [node('cp-1'), node('cp-2'), node('cp-3')] });
    const facts = new Map([
      ['cp-1', factsOf('cp-1')],
      ['cp-2', shifted(factsOf('cp-2'), 1_000_003)],
      ['cp-3', shifted(factsOf('cp-3'), 2_000_006, (path) => path === '/etc/kubernetes/super-admin.conf')],
    ]);
    const memo = new NodePlanMemo();
    const memoised = planNodes({ ...request, facts }, new Map(), memo);
    expect(memo.evaluated).toBe(2);
    const each = request.nodes.map((n) =>
      planNode(benchmark, memoised.controls, { name: n.name, roles: n.roles, facts: facts.get(n.name)!, parameters: resolveParameters(benchmark, {}).values }),
    );
    expect(JSON.stringify(memoised.changes)).toBe(JSON.stringify(each.flatMap((p) => p.changes)));
  });

  it('uses a node planned while the others were being gathered, and rethrows what planning it threw', () => {
    const request = input({ nodes: [node('cp-1'), node('cp-2')] });
    const early = new Map([['cp-2', { ok: false as const, error: new UserError('bad parameters for cp-2') }]]);
    expect(() => planNodes(request, early)).toThrow('bad parameters for cp-2');
  });
});
