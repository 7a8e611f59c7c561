/**
 * The journal of one apply or rollback run (DESIGN.md §1 "State"), as stored
 * in runs/<run-id>.json on the workstation. Written by src/apply/journal.ts
 * after every step; read by rollback, runs and drift. Holds paths, hashes,
 * modes and owners — never file contents or secrets.
 */

export type StepPhase =
  | 'locked'
  | 'unlocked'
  | 'precondition-ok'
  | 'backed-up'
  | 'write-started'
  | 'write-done'
  | 'verified'
  | 'healthy'
  | 'unhealthy'
  | 'restore-started'
  | 'restored'
  | 'failed';

/** One thing that happened, in order. `original` is what the backup holds. */
export interface JournalStep {
  readonly at: string;
  readonly node: string;
  readonly phase: StepPhase;
  readonly changeId?: string;
  readonly target?: string;
  /** `absent`: the target did not exist (a support file apply creates); restoring removes it. */
  readonly original?: { readonly mode: string; readonly uid: number; readonly gid: number; readonly sha256: string | undefined; readonly user: string; readonly group: string; readonly absent?: true };
  /** On 'verified' of a created file: the parent directories apply created for it, shallowest first (a rollback removes them when empty). */
  readonly createdDirs?: readonly string[];
  /** The state the change left (for rollback's "changed since?" check). */
  readonly result?: { readonly mode: string; readonly uid: number; readonly gid: number; readonly sha256: string | undefined };
  readonly detail?: string;
  /** On 'write-started': what restarts because of the change, so that a rollback restarts it again (the kubelet: cis-fix restarts it). */
  readonly restart?: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kubelet';
  /** On 'write-started' of a kubelet change: a unit or drop-in changed on this node, so a restart needs `systemctl daemon-reload` first. */
  readonly daemonReload?: boolean;
  /** API object steps (node `cluster`): on 'backed-up' the object as apply found it (never a Secret: cis-fix does not change those). */
  readonly apiObject?: unknown;
  /** API object steps: on 'write-started' how to undo the change; on 'verified' the resourceVersion the write left. */
  readonly revert?: ApiRevert;
  readonly resourceVersion?: string;
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


/** One path a rollback will restore (or skip, with the reason). */
export interface RestoreItem {
  readonly node: string;
  readonly target: string;
  readonly original: NonNullable<JournalStep['original']>;
  /** What the run left, when the journal knows (undefined if cis-fix died mid-write). */
  readonly result: JournalStep['result'];
  readonly restart?: JournalStep['restart'];
  readonly daemonReload?: boolean;
  readonly createdDirs?: readonly string[];
}

/** One API object change a rollback will undo: how, and the resourceVersion the run left (its "changed since?" check). */
export interface ApiRestoreItem {
  readonly target: string;
  readonly revert: ApiRevert;
  /** undefined when cis-fix died before it could record the write. */
  readonly resourceVersion: string | undefined;
}
