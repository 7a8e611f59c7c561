import { NodePlanMemo, planNodes, type PlanInput } from '../../../src/plan/assemble-plan.js';
import { loadBenchmark } from '../../../src/playbook/load-playbooks.js';
import { DEFAULT_FLEET, recordedBaseConfigurations, syntheticFleet, type FleetOptions } from '../../bench/synthetic-fleet.js';

const bases = recordedBaseConfigurations();
const fleetOf = (options: Partial<FleetOptions> & { nodes: number }) => syntheticFleet(bases, { ...DEFAULT_FLEET, ...options });

describe('the synthetic fleet of the planning bench', () => {
  test('has exactly the asked number of nodes, 3% control planes and 10% drifted', () => {
    const fleet = fleetOf({ nodes: 1000 });
    expect(fleet.nodes).toHaveLength(1000);
    expect(fleet.facts.size).toBe(1000);
    expect(fleet.nodes.filter((n) => n.roles.includes('control-plane'))).toHaveLength(30);
    expect(fleet.drifted).toBe(100);
    expect([...fleet.configuration.values()].filter((c) => c.includes('+'))).toHaveLength(100);
  });

  test('is made of a few configurations: 4 bases, each clean or with one of 2 drifts', () => {
    const configurations = new Set(fleetOf({ nodes: 1000 }).configuration.values());
    expect(configurations.size).toBeLessThanOrEqual(12);
    expect(configurations).toEqual(
      new Set(
        ['lab-control-plane', 'kubeadm-control-plane', 'rhel-worker', 'rhel-worker-pool-b', 'rhel-worker+kubelet-flag', 'rhel-worker+kubeconfig-mode'].concat(
          [...configurations].filter(
            (c) => c.startsWith('lab-control-plane+') || c.startsWith('kubeadm-control-plane+') || c.startsWith('rhel-worker-pool-b+'),
          ),
        ),
      ),
    );
    expect([...configurations].filter((c) => c.startsWith('rhel-worker-pool-b+'))).toHaveLength(2);
  });

  test('gives every node its own name, hostname, address, process ids and inode numbers', () => {
    const fleet = fleetOf({ nodes: 200 });
    const worker1 = fleet.facts.get('worker-1')!;
    const worker2 = fleet.facts.get('worker-2')!;
    expect(worker1.node).toBe('worker-1');
    expect(worker1.host.hostname).toBe('worker-1');
    expect(worker2.host.hostname).toBe('worker-2');
    expect(new Set(fleet.nodes.map((n) => n.host)).size).toBe(200);
    expect(worker1.processes.map((p) => p.pid)).not.toEqual(worker2.processes.map((p) => p.pid));
    expect(worker1.components.kubelet).toBe(worker1.processes.find((p) => p.component === 'kubelet'));
    const inode = (facts: typeof worker1, path: string) => {
      const p = facts.paths[path];
      return p?.exists ? p.inode : undefined;
    };
    expect(inode(worker1, '/etc/kubernetes/kubelet.conf')).not.toBe(inode(worker2, '/etc/kubernetes/kubelet.conf'));
  });

  test('drifts a node by a looser kubeconfig mode or an added kubelet flag, nothing else', () => {
    const fleet = fleetOf({ nodes: 1000 });
    const clean = fleet.facts.get([...fleet.configuration].find(([, c]) => c === 'rhel-worker')![0])!;
    const byMode = fleet.facts.get([...fleet.configuration].find(([, c]) => c === 'rhel-worker+kubeconfig-mode')![0])!;
    const byFlag = fleet.facts.get([...fleet.configuration].find(([, c]) => c === 'rhel-worker+kubelet-flag')![0])!;
    const kubeconfig = '/etc/kubernetes/kubelet.conf';
    expect(clean.paths[kubeconfig]).toMatchObject({ exists: true, mode: '600' });
    expect(byMode.paths[kubeconfig]).toMatchObject({ exists: true, mode: '666' });
    expect(byFlag.paths[kubeconfig]).toMatchObject({ exists: true, mode: '600' });
    expect(clean.components.kubelet!.argv).not.toContain('--anonymous-auth=true');
    expect(byFlag.components.kubelet!.argv).toContain('--anonymous-auth=true');
    expect(byMode.components.kubelet!.argv).toEqual(clean.components.kubelet!.argv);
  });

  test('is the same fleet for the same seed, and another for another seed', () => {
    const drifts = (seed: number) => [...fleetOf({ nodes: 300, seed }).configuration].filter(([, c]) => c.includes('+'));
    expect(drifts(7)).toEqual(drifts(7));
    expect(drifts(7)).not.toEqual(drifts(8));
  });

  test('costs the planner one evaluation per configuration: the memo sees what the generator meant', async () => {
    const fleet = fleetOf({ nodes: 150 });
    const input: PlanInput = {
      benchmark: await loadBenchmark('cis-1.12'),
      chosenBy: 'test',
      selection: { targets: [], only: [], skip: [] },
      inventory: fleet.inventory,
      nodes: fleet.nodes,
      facts: fleet.facts,
      unreachable: [],
      cluster: { access: { kind: 'none', reason: 'unit test' } },
      tool: { name: 'cis-fix', version: 'test' },
      createdAt: '2026-12-04T09:00:00.000Z',
    };
    const memo = new NodePlanMemo();
    planNodes(input, new Map(), memo);
    expect(memo.evaluated).toBe(new Set(fleet.configuration.values()).size);
  });
});
