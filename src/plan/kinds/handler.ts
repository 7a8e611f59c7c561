import type { ClusterContext } from '../../evaluate/cluster/cluster-context.js';
import type { NodeContext } from '../../evaluate/node-context.js';
import type { NodeFacts } from '../../facts/types.js';
import type { Change, ChangeKind } from '../../model/change.js';
import type { Finding } from '../../model/finding.js';
import type { Benchmark, Control } from '../../playbook/types.js';
import type { NodeScope } from './invariant-scope.js';

/**
 * A change kind's planning side (DESIGN.md §7 "Change kinds are plug-ins"):
 * from the failing findings evaluation reported, the changes of this kind
 * that fix them, and those findings with `fixable` decided. Plan assembly
 * (assemble-plan.ts) iterates over the registry (registry.ts) and never
 * names a kind; apply has its own side of each kind (src/apply).
 */

export type ChangeOf<K extends ChangeKind> = Extract<Change, { kind: K }>;

/** Everything a node-scoped kind plans from, for one node. */
export interface NodeKindInput {
  readonly benchmark: Benchmark;
  /** The run's selected controls (every scope). */
  readonly controls: readonly Control[];
  readonly ctx: NodeContext;
  /** The benchmark's path variables as resolved on this node. */
  readonly variables: Readonly<Record<string, readonly string[]>>;
  /** The node's findings evaluation reported as `fail` (fixable false until a kind decides). */
  readonly failing: readonly Finding[];
}

/** Everything a cluster-scoped kind plans from, once per cluster. */
export interface ClusterKindInput {
  /** The run's selected cluster controls (evaluate-cluster.ts isClusterControl). */
  readonly controls: readonly Control[];
  readonly ctx: ClusterContext;
  /** The cluster findings evaluation reported as `fail`. */
  readonly failing: readonly Finding[];
}

/**
 * Invariants: every change's controlIds name findings in `findings` or in
 * the input; `findings` are updated versions of input findings (same
 * controlId), never new controls; a finding of a control this kind does
 * not handle is not returned.
 */
export interface KindPlan<K extends ChangeKind> {
  readonly changes: readonly ChangeOf<K>[];
  readonly findings: readonly Finding[];
}

/** What renderers show for one change: a one-line summary ("mode 0644 -> 0600") and its diff. */
export interface ChangeDescription {
  readonly summary: string;
  readonly diff: string;
}

/** What a change's apply restarts on its node. */
export type ChangeRestart =
  /** A static pod, restarted by the kubelet when its manifest changes. */
  | { readonly kind: 'static-pod'; readonly component: string }
  /** The kubelet, restarted by cis-fix (`systemctl restart kubelet`). */
  | { readonly kind: 'kubelet' }
  /** A systemd service cis-fix restarts (etcd.service, rke2-server.service, k3s.service), with all it runs; `name` as the plan shows it. */
  | { readonly kind: 'service'; readonly name: string; readonly unit: string };

/** Every node's facts known to the run, and the control planes whose facts could not be had. */
export interface FleetFacts {
  /** Selected nodes first (in gathering order), then control planes outside the selection read for this step alone. */
  readonly facts: ReadonlyMap<string, NodeFacts>;
  readonly unknownControlPlanes: readonly string[];
}

/**
 * A step across nodes after every node is planned (support files' cluster-wide
 * secrets). `wantsOtherControlPlanes` asks the caller to read the control
 * planes outside the selection first; `finish` maps the kind's changes one to
 * one (same order) and throws a UserError when the plan would be unsafe.
 */
export interface FleetStep<K extends ChangeKind> {
  wantsOtherControlPlanes(changes: readonly ChangeOf<K>[]): boolean;
  finish(changes: readonly ChangeOf<K>[], fleet: FleetFacts): ChangeOf<K>[];
}

interface HandlerBase<K extends ChangeKind> {
  readonly kind: K;
  /**
   * Where this kind's changes stand among a node's changes: lower phases
   * first. Kinds sharing a phase are interleaved by target (then in
   * registry order); a kind alone in its phase keeps its own order.
   */
  readonly phase: number;
  describe(change: ChangeOf<K>): ChangeDescription;
  /** What applying the change restarts, or undefined: the kind says it, so that no renderer guesses it from a change's fields. */
  restarts(change: ChangeOf<K>): ChangeRestart | undefined;
  readonly fleet?: FleetStep<K>;
}

export interface NodeKindHandler<K extends ChangeKind> extends HandlerBase<K> {
  readonly scope: 'node';
  plan(input: NodeKindInput): KindPlan<K>;
  /**
   * The rules every change of this kind keeps, whatever the plan file says
   * (plan-invariants.ts): one "<field>: <why>" per violation, none when the
   * change is one cis-fix could have made on this node.
   */
  invariants(change: ChangeOf<K>, scope: NodeScope): readonly string[];
}

export interface ClusterKindHandler<K extends ChangeKind> extends HandlerBase<K> {
  readonly scope: 'cluster';
  plan(input: ClusterKindInput): KindPlan<K>;
  /** As for node kinds, against the objects the benchmark's playbooks name. */
  invariants(change: ChangeOf<K>, benchmark: Benchmark): readonly string[];
}

export type PlanKindHandler<K extends ChangeKind = ChangeKind> = NodeKindHandler<K> | ClusterKindHandler<K>;

/** Control ids in benchmark order (1.1.9 before 1.1.10). */
export function byControlId(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
