import type { ApiObjectChange } from './api-object-change.js';
import type { Change } from './change.js';

// What an apply run reports as it happens: src/apply emits these, the
// command layer renders them through src/render/apply-events.ts.

/** The node part of a run. */
export type ApplyEvent =
  | { readonly kind: 'phase'; readonly phase: 'lock' | 'precondition' | 'backup' | 'write' | 'unlock' }
  | { readonly kind: 'change-applied'; readonly change: Change }
  | { readonly kind: 'health'; readonly node: string; readonly component: string; readonly ok: boolean; readonly seconds: number; readonly detail?: string }
  | { readonly kind: 'node-restored'; readonly node: string; readonly targets: readonly string[] };

/** Progress of the API part of a run. */
export type ApiApplyEvent =
  | { readonly kind: 'api-dry-run'; readonly change: ApiObjectChange; readonly warnings: readonly string[] }
  | { readonly kind: 'api-applied'; readonly change: ApiObjectChange; readonly warnings: readonly string[] }
  | { readonly kind: 'api-reverted'; readonly targets: readonly string[] };

/** The cluster Lease: taken, or why the run goes on without it. */
export interface ClusterLockEvent {
  readonly kind: 'cluster-lock';
  readonly detail: string;
}

/** Where the run's record or the drift baseline could not be kept (the run itself goes on). */
export interface StateEvent {
  readonly kind: 'state-warning';
  readonly detail: string;
}

export type AnyApplyEvent = ApplyEvent | ApiApplyEvent | ClusterLockEvent | StateEvent;
