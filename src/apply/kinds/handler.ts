import type { Change, HealthClientTls } from '../../model/change.js';
import type { ApiRestoreItem, ApiRevert, FileExpectation, RestartedComponent, RestoreAction, RestoreItem } from '../../model/run-journal.js';
import type { ClusterClient, KubeObject } from '../../transport/cluster-client.js';
import type { NodeIo } from '../node-io.js';
import type { PathState } from '../node-ops.js';

export type { RestoreAction } from '../../model/run-journal.js';

/**
 * One change kind on the apply side (DESIGN.md §7 "Change kinds are
 * plug-ins"). The apply loop (apply-plan.ts), the API apply
 * (apply-api-objects.ts) and the restore engine (restore-engine.ts)
 * iterate over handlers from registry.ts and never name a kind: adding a
 * kind means one module here and one line in the registry.
 *
 * Type parameters: the change; how the handler reaches its target (`Io`: a
 * node's NodeIo or the ClusterClient); what a read of the target gives
 * (`State`); a journal item it restores (`Item`); the contexts of a write and
 * of a restore.
 */
export interface ApplyKindHandler<C extends Change, Io, State, Item, WriteCtx extends { readonly io: Io }, RestoreCtx extends { readonly io: Io }> {
  readonly kind: C['kind'];
  /** Nodes other than its own the change reads from (connected to, never changed). */
  readsFrom(change: C): readonly string[];
  /** Why the target is no longer what the plan saw (a stale plan), or undefined. */
  precondition(change: C, now: State): string | undefined;
  /** What the 'write-started' step records, so that a restore needs nothing but the journal. */
  journalWrite(change: C, found: State, runId: string): WriteJournal;
  write(change: C, ctx: WriteCtx): Promise<WriteOutcome>;
  /** Why the target, read after the write, does not hold what the change promised, or undefined. */
  verify(change: C, now: State): string | undefined;
  /** What to wait for after the write (a restarted component), or undefined. */
  healthGate(change: C): HealthGate | undefined;
  /** Put one target back as the journal says it was; says what it did. Throws with why when it cannot. */
  restore(item: Item, ctx: RestoreCtx): Promise<RestoreAction>;
  /** What to wait for after restoring `item`, or undefined. */
  restoreGate(item: Item): HealthGate | undefined;
  /** Commands that restore `item` by hand (working shell commands, arguments quoted), for when restore failed. */
  manualRestore(item: Item, backupRun: string): readonly string[];
}

/**
 * What a component must show after a write or a restore: it runs with
 * `argv` (any command line when undefined: a journal from before
 * 'argvBefore' was recorded) and its health endpoint answers.
 */
export interface HealthGate {
  readonly component: RestartedComponent;
  readonly argv: readonly string[] | undefined;
  readonly url?: string;
  /** The client certificate (paths on the node) an https `url` wants: etcd run by systemd without a metrics listener. */
  readonly tls?: HealthClientTls;
  /**
   * cis-fix restarts the component itself (the kubelet; static pods restart
   * by themselves): once per node after the last write or restore that asks,
   * with `systemctl daemon-reload` first when any of them asks.
   */
  readonly restart?: RestartRequest;
  /**
   * Components that talk to this one: once it is healthy, each of them that
   * runs on the node must still answer its health endpoint (etcd run by
   * systemd: kube-apiserver). One that does not run there is not waited for.
   */
  readonly dependents?: readonly RestartedComponent[];
  /** Further components the same restart must bring back, each waited for like `component` (a distribution service restarts them all). */
  readonly also?: readonly { readonly component: RestartedComponent; readonly argv: readonly string[] | undefined; readonly url?: string }[];
}

/**
 * A restart cis-fix makes itself: `systemctl daemon-reload` first when
 * asked, then `systemctl restart` of `service` (the kubelet's when absent;
 * etcd.service for etcd run by systemd, rke2-server, k3s, ...).
 */
export interface RestartRequest {
  readonly daemonReload: boolean;
  readonly service?: string;
}

/** The kind-specific fields of a 'write-started' step. */
export interface WriteJournal {
  readonly restart?: RestartedComponent;
  readonly daemonReload?: boolean;
  readonly argvBefore?: readonly string[];
  readonly staging?: string;
  readonly expected?: FileExpectation;
  readonly revert?: ApiRevert;
  readonly service?: string;
  readonly alsoGated?: readonly RestartedComponent[];
  readonly healthUrl?: string;
  readonly healthTls?: HealthClientTls;
}

export interface WriteOutcome {
  /** Directories created for a new file, shallowest first. */
  readonly createdDirs?: readonly string[];
  /** The API server's warnings. */
  readonly warnings?: readonly string[];
}

/** Writing one change on a node. */
export interface NodeWriteContext {
  readonly io: NodeIo;
  readonly runId: string;
  /** Another node (a cluster-wide support file is copied from the node that generated it). */
  readonly ioOf: (node: string) => NodeIo;
  /** Cluster-wide files this run generated: target → the node that holds it (control planes go one at a time). */
  readonly sharedFiles: Map<string, string>;
}

export interface NodeRestoreContext {
  readonly io: NodeIo;
  /** The run whose backups are restored. */
  readonly backupRun: string;
  /** The run restoring (apply itself, or a rollback): names its staging files. */
  readonly runId: string;
}

export interface ClusterWriteContext {
  readonly io: ClusterClient;
  /** Server-side dry run: admission runs, nothing is stored. */
  readonly dryRun: boolean;
}

export interface ClusterRestoreContext {
  readonly io: ClusterClient;
  /** Send the revert without the resourceVersion precondition (rollback --force on an object changed since). */
  readonly unconditional: boolean;
}

/** A kind changed on a node over SSH. */
export type NodeKindHandler<C extends Change> = ApplyKindHandler<C, NodeIo, PathState | undefined, RestoreItem, NodeWriteContext, NodeRestoreContext>;

/** A kind changed once per cluster, through the Kubernetes API. */
export type ClusterKindHandler<C extends Change> = ApplyKindHandler<
  C,
  ClusterClient,
  KubeObject | undefined,
  ApiRestoreItem,
  ClusterWriteContext,
  ClusterRestoreContext
>;
