import type { ChangeKind, HealthClientTls, NodeChange } from './change.js';

/**
 * The journal of one apply or rollback run (DESIGN.md §1 "State"), as stored
 * in runs/<run-id>.json on the workstation. Written by src/apply/journal.ts
 * after every step; read (through a schema, src/apply/journal-schema.ts) by
 * rollback, runs and drift. Holds paths, hashes, modes, owners and command
 * lines — never file contents or secrets.
 *
 * A step is a discriminated union on `phase`. Steps made through the
 * Kubernetes API carry node CLUSTER_NODE; the phases that differ between
 * nodes and the API (backed-up, write-started, verified) are unions of a
 * file step and an API step, told apart by their fields (isApiStep).
 *
 * Compatibility: every field added after the first journal format is
 * optional, so journals written before (test/unit/apply/fixtures/) are read
 * as they are.
 */

export type StepPhase = JournalStep['phase'];

/** Components whose restart a change causes, and which the health gate knows. */
export type RestartedComponent = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubelet';

/** A file as the backup holds it. `absent`: the target did not exist (a file apply creates); restoring removes it. */
export interface FileOriginal {
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  /** Absent (JSON has no undefined) for a directory or a missing file. */
  readonly sha256?: string | undefined;
  readonly user: string;
  readonly group: string;
  readonly absent?: true;
}

/** The state a write left, as stat saw it. */
export interface FileResult {
  readonly mode: string;
  readonly uid: number;
  readonly gid: number;
  /** Absent (JSON has no undefined) for a directory or a missing file. */
  readonly sha256?: string | undefined;
}

/**
 * What a change promises to leave (the fields it sets; the others stay as
 * they were), so that a rollback recognises a target holding the run's own
 * half-finished state even when cis-fix died before it could record 'verified'.
 */
export interface FileExpectation {
  readonly mode?: string;
  readonly user?: string;
  readonly group?: string;
  readonly sha256?: string;
}

interface StepBase {
  readonly at: string;
  readonly node: string;
}

export interface LockStep extends StepBase {
  readonly phase: 'locked' | 'unlocked';
}

export interface PreconditionOkStep extends StepBase {
  readonly phase: 'precondition-ok';
  /** API dry-run warnings name the object. */
  readonly changeId?: string;
  readonly target?: string;
  readonly detail?: string;
}

export interface FileBackedUpStep extends StepBase {
  readonly phase: 'backed-up';
  readonly target: string;
  readonly original: FileOriginal;
}

/** API objects (node CLUSTER_NODE): the object as apply found it, null when absent (never a Secret: cis-fix does not change those). */
export interface ApiBackedUpStep extends StepBase {
  readonly phase: 'backed-up';
  readonly changeId: string;
  readonly target: string;
  readonly apiObject: unknown;
}

export interface FileWriteStartedStep extends StepBase {
  readonly phase: 'write-started';
  readonly changeId: string;
  readonly target: string;
  /** The change kind (journals before this field: derived from changeId, `<node>:<kind>:<target>`). */
  readonly kind?: ChangeKind;
  /** What restarts because of the change, so that a rollback restarts (or waits for) it again. */
  readonly restart?: RestartedComponent;
  /** A kubelet unit or drop-in changed on this node: a restart needs `systemctl daemon-reload` first. */
  readonly daemonReload?: boolean;
  /** The command line the restarted component ran before the change: what a restore waits for. */
  readonly argvBefore?: readonly string[];
  /** Where the new content is staged before the rename (src/apply/staging-path.ts): a rollback removes it if a killed run left it. */
  readonly staging?: string;
  /** What the change leaves on the target (see FileExpectation). */
  readonly expected?: FileExpectation;
  /** The systemd service cis-fix restarts for the change when it is not the kubelet (a distribution's: rke2-server). */
  readonly service?: string;
  /** Further components that service's restart must bring back (its health gate waits for each). */
  readonly alsoGated?: readonly RestartedComponent[];
  /** Where a restore asks the restarted component for its health, when not at its usual URL (etcd run by systemd). */
  readonly healthUrl?: string;
  /** The client certificate (paths on the node) that `healthUrl` wants. */
  readonly healthTls?: HealthClientTls;
}

/** API objects: how a rollback undoes the change. */
export interface ApiWriteStartedStep extends StepBase {
  readonly phase: 'write-started';
  readonly changeId: string;
  readonly target: string;
  readonly kind?: ChangeKind;
  readonly revert: ApiRevert;
}

export interface FileVerifiedStep extends StepBase {
  readonly phase: 'verified';
  readonly changeId: string;
  readonly target: string;
  /** The state the change left (for rollback's "changed since?" check). */
  readonly result: FileResult;
  /** Parent directories apply created for a new file, shallowest first (a rollback removes them when empty). */
  readonly createdDirs?: readonly string[];
}

/** API objects: the resourceVersion the write left (absent after a delete). */
export interface ApiVerifiedStep extends StepBase {
  readonly phase: 'verified';
  readonly changeId: string;
  readonly target: string;
  readonly resourceVersion?: string;
}

export interface HealthStep extends StepBase {
  readonly phase: 'healthy' | 'unhealthy';
  readonly changeId?: string;
  readonly target?: string;
  readonly component?: RestartedComponent;
  readonly detail?: string;
}

export interface RestoreStartedStep extends StepBase {
  readonly phase: 'restore-started';
  readonly target: string;
  readonly changeId?: string;
}

/** What a restore did to one target. */
export type RestoreAction = 'restored' | 'removed' | 'already-original' | 'reverted';

export interface RestoredStep extends StepBase {
  readonly phase: 'restored';
  readonly target: string;
  readonly changeId?: string;
  /** Journals before this field: 'restored'. */
  readonly action?: RestoreAction;
}

/** Something failed: node '*' for the whole run (a stale plan). */
export interface FailedStep extends StepBase {
  readonly phase: 'failed';
  readonly changeId?: string;
  readonly target?: string;
  readonly detail?: string;
}

export type BackedUpStep = FileBackedUpStep | ApiBackedUpStep;
export type WriteStartedStep = FileWriteStartedStep | ApiWriteStartedStep;
export type VerifiedStep = FileVerifiedStep | ApiVerifiedStep;

/** One thing that happened, in order. */
export type JournalStep =
  LockStep | PreconditionOkStep | BackedUpStep | WriteStartedStep | VerifiedStep | HealthStep | RestoreStartedStep | RestoredStep | FailedStep;

/** A step as a writer hands it over: the journal adds the time. Distributes over the union. */
export type NewJournalStep = JournalStep extends infer S ? (S extends JournalStep ? Omit<S, 'at'> : never) : never;

export function isApiBackedUp(step: BackedUpStep): step is ApiBackedUpStep {
  return 'apiObject' in step;
}
export function isApiWriteStarted(step: WriteStartedStep): step is ApiWriteStartedStep {
  return 'revert' in step;
}
export function isApiVerified(step: VerifiedStep): step is ApiVerifiedStep {
  return !('result' in step);
}

/**
 * How a rollback undoes one API object change: a merge patch restoring the
 * touched fields, the delete of an object apply created, or the re-create of
 * one it deleted.
 */
export type ApiRevert =
  | { readonly action: 'patch'; readonly ref: ApiRef; readonly patch: Readonly<Record<string, unknown>> }
  | { readonly action: 'delete'; readonly ref: ApiRef }
  | { readonly action: 'create'; readonly ref: ApiRef; readonly object: Readonly<Record<string, unknown>> };

export interface ApiRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}

/** The journal's node name for steps made through the Kubernetes API. */
export const CLUSTER_NODE = 'cluster';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stale' | 'rolled-back' | 'nothing-to-do';

export interface RunJournal {
  readonly runId: string;
  readonly kind: 'apply' | 'rollback';
  /** For a rollback: the run it undid. */
  readonly rollsBack?: string;
  readonly startedAt: string;
  finishedAt?: string;
  status: RunStatus;
  readonly benchmark?: string;
  readonly inventory: { readonly file: string; readonly digest: string };
  /** Node name → backup directory on that node. */
  readonly backups: Record<string, string>;
  /** How many changes the run set out to make. */
  readonly changes: number;
  readonly steps: JournalStep[];
}

/**
 * One file target a restore will put back (or skip, with the reason), with
 * everything the journal knows about it.
 *
 * Invariant: `ownStates` holds every state the run itself can have left on
 * the target (after each of its changes, in order, and what 'verified'
 * recorded); a target in none of them nor in `original` changed after the run.
 */
export interface RestoreItem {
  readonly node: string;
  readonly target: string;
  /** The change kind whose handler restores it (the change that restarts something, else the last one the run started on the target). */
  readonly kind: NodeChange['kind'];
  readonly original: FileOriginal;
  /** What the run left, when the journal knows (undefined if cis-fix died mid-write). */
  readonly result: FileResult | undefined;
  readonly ownStates?: readonly FileExpectation[];
  readonly restart?: RestartedComponent;
  readonly daemonReload?: boolean;
  readonly argvBefore?: readonly string[];
  readonly createdDirs?: readonly string[];
  /** As FileWriteStartedStep's: the service to restart instead of the kubelet, and what else it brings back. */
  readonly service?: string;
  readonly alsoGated?: readonly RestartedComponent[];
  readonly healthUrl?: string;
  readonly healthTls?: HealthClientTls;
  /** Temp files the run may have left for this target. */
  readonly staging?: readonly string[];
}

/** One API object change a rollback will undo: how, and the resourceVersion the run left (its "changed since?" check). */
export interface ApiRestoreItem {
  readonly target: string;
  readonly revert: ApiRevert;
  /** undefined when cis-fix died before it could record the write. */
  readonly resourceVersion: string | undefined;
}
