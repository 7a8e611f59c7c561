import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFacts } from '../../src/facts/parse-facts.js';
import type { ComponentProcess, NodeFacts, PathFacts } from '../../src/facts/types.js';
import type { Inventory, InventoryNode } from '../../src/inventory/inventory.js';
import type { Role } from '../../src/model/roles.js';

/**
 * A synthetic fleet for the planning benchmark (issue 12 §7): N inventory
 * nodes with facts, made from recorded gathering outputs (a few base
 * configurations), without SSH. Every node is parsed from its own copy of
 * the recorded output, so memory holds N distinct facts as after real
 * gathering; then it gets its own identity (name, hostname, process ids,
 * inode numbers: what differs between otherwise identical machines and
 * decides nothing) and,
 * for a fixed fraction of the nodes, one drift (a loosened file mode or a
 * kubelet flag). Deterministic for a seed.
 */

/** A recorded gathering output a group of nodes is made from. */
export interface BaseConfiguration {
  readonly name: string;
  readonly roles: readonly Role[];
  /** The gathering script's stdout on such a node. */
  readonly output: Buffer;
  /** Extra kubelet flags this node pool runs with (a second pool from the same recording). */
  readonly kubeletFlags?: readonly string[];
}

/** How a drifted node differs from its base configuration. */
export type Drift = 'kubeconfig-mode' | 'kubelet-flag';
export const DRIFTS: readonly Drift[] = ['kubeconfig-mode', 'kubelet-flag'];

export interface FleetOptions {
  readonly nodes: number;
  readonly seed: number;
  /** Fraction of the nodes with one drift; exactly round(nodes × fraction) of them. */
  readonly driftFraction: number;
  /** Fraction of the nodes that are control planes (at least one). */
  readonly controlPlaneFraction: number;
}

export const DEFAULT_FLEET: Omit<FleetOptions, 'nodes'> = { seed: 12, driftFraction: 0.1, controlPlaneFraction: 0.03 };

export interface SyntheticFleet {
  readonly inventory: Inventory;
  readonly nodes: readonly InventoryNode[];
  readonly facts: ReadonlyMap<string, NodeFacts>;
  /** Each node's configuration: its base, and its drift if any ("rhel-worker+kubelet-flag"). */
  readonly configuration: ReadonlyMap<string, string>;
  readonly drifted: number;
}

const fixture = (relative: string) => readFileSync(fileURLToPath(new URL(relative, import.meta.url)));

/**
 * The lab's drifted kubeadm control plane and a stock one, and a RHEL
 * worker recorded twice over as two pools (one with its read-only port
 * closed by flag).
 */
export function recordedBaseConfigurations(): { controlPlanes: BaseConfiguration[]; workers: BaseConfiguration[] } {
  const controlPlane: Role[] = ['control-plane', 'etcd'];
  const worker = fixture('../unit/facts/fixtures/rhel-worker.out');
  return {
    controlPlanes: [
      { name: 'lab-control-plane', roles: controlPlane, output: fixture('../unit/evaluate/kubelet/fixtures/lab-drifted/facts.out') },
      { name: 'kubeadm-control-plane', roles: controlPlane, output: fixture('../unit/facts/fixtures/kubeadm-control-plane.out') },
    ],
    workers: [
      { name: 'rhel-worker', roles: ['worker'], output: worker },
      { name: 'rhel-worker-pool-b', roles: ['worker'], output: worker, kubeletFlags: ['--read-only-port=0'] },
    ],
  };
}

export function syntheticFleet(bases: ReturnType<typeof recordedBaseConfigurations>, options: FleetOptions): SyntheticFleet {
  const random = mulberry32(options.seed);
  const controlPlanes = Math.max(1, Math.round(options.nodes * options.controlPlaneFraction));
  const driftedIndexes = new Set(shuffled(range(options.nodes), random).slice(0, Math.round(options.nodes * options.driftFraction)));
  const nodes: InventoryNode[] = [];
  const facts = new Map<string, NodeFacts>();
  const configuration = new Map<string, string>();
  for (let i = 0; i < options.nodes; i++) {
    const isControlPlane = i < controlPlanes;
    const pool = isControlPlane ? bases.controlPlanes : bases.workers;
    const base = pool[(isControlPlane ? i : i - controlPlanes) % pool.length]!;
    const name = isControlPlane ? `cp-${i + 1}` : `worker-${i - controlPlanes + 1}`;
    const drift = driftedIndexes.has(i) ? DRIFTS[Math.floor(random() * DRIFTS.length)]! : undefined;
    let nodeFacts = withIdentity(parseFacts(name, base.output), name, 1000 + ((i * 7919) % 30000), (i + 1) * 1_000_003);
    if (base.kubeletFlags) nodeFacts = withKubeletFlags(nodeFacts, base.kubeletFlags);
    if (drift) nodeFacts = drifted(nodeFacts, drift);
    nodes.push({ name, host: ipOf(i), roles: base.roles, ssh: { port: 22, user: 'ops' }, parameters: {} } as unknown as InventoryNode);
    facts.set(name, nodeFacts);
    configuration.set(name, drift ? `${base.name}+${drift}` : base.name);
  }
  const inventory = {
    file: '/synthetic/inventory.yaml',
    digest: '0'.repeat(64),
    cluster: { name: 'synthetic', kubeconfig: undefined, context: undefined },
    benchmark: 'cis-1.12',
    parameters: {},
    nodes,
    waivers: [],
  } as unknown as Inventory;
  return { inventory, nodes, facts, configuration, drifted: driftedIndexes.size };
}

/**
 * The node's own name, hostname, process ids (renumbered from `firstPid`, in
 * the same order) and inode numbers (shifted by `inodeShift`: files that are
 * one file on the node still are, others still are not).
 */
function withIdentity(facts: NodeFacts, name: string, firstPid: number, inodeShift: number): NodeFacts {
  const renumbered = withProcesses(facts, (p, index) => ({ ...p, pid: firstPid + index }));
  const paths = Object.fromEntries(
    Object.entries(renumbered.paths).map(([path, p]) => [
      path,
      p.exists ? { ...p, inode: p.inode + inodeShift, followed: p.followed && { ...p.followed, inode: p.followed.inode + inodeShift } } : p,
    ]),
  );
  return { ...renumbered, host: { ...renumbered.host, hostname: name }, paths };
}

function withKubeletFlags(facts: NodeFacts, flags: readonly string[]): NodeFacts {
  return withProcesses(facts, (p) => (p.component === 'kubelet' ? { ...p, argv: [...p.argv, ...flags] } : p));
}

function drifted(facts: NodeFacts, drift: Drift): NodeFacts {
  switch (drift) {
    case 'kubeconfig-mode':
      // Someone loosened the kubelet's kubeconfig by hand.
      return withPath(facts, facts.resolvedPaths.kubeletKubeconfig.path, (p) => (p.exists ? { ...p, mode: '666' } : p));
    case 'kubelet-flag':
      // The kubelet restarted with anonymous requests allowed.
      return withKubeletFlags(facts, ['--anonymous-auth=true']);
  }
}

function withPath(facts: NodeFacts, path: string, change: (p: PathFacts) => PathFacts): NodeFacts {
  const entry = facts.paths[path];
  if (!entry) throw new Error(`synthetic fleet: ${facts.node} has no facts for ${path}`);
  return { ...facts, paths: { ...facts.paths, [path]: change(entry) } };
}

/** Processes changed, with `components` (the lowest-pid process of each component) pointing at the changed ones. */
function withProcesses(facts: NodeFacts, change: (p: ComponentProcess, index: number) => ComponentProcess): NodeFacts {
  const processes = facts.processes.map(change);
  const components: Partial<Record<ComponentProcess['component'], ComponentProcess>> = {};
  for (const p of [...processes].sort((a, b) => a.pid - b.pid)) components[p.component] ??= p;
  return { ...facts, processes, components };
}

/** 10.x.y.z, one per node. */
function ipOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function shuffled<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A small seeded PRNG (mulberry32): the same fleet for the same seed, on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
