/**
 * A planned change to a Kubernetes API object (DESIGN.md §2 change kind
 * `api-object`). Like every change it is complete: the renderer shows
 * `diff`, the applier sends `patch` / `content` with `precondition`, and
 * rollback sends `before`. Integration adds it to the `Change` union.
 *
 * Invariants:
 * - `node` is undefined: the change is made once per cluster, through the API.
 * - `action: 'patch'` ⇔ `patch` and `before` are set: `patch` is a JSON
 *   merge patch (RFC 7386); `before` is the merge patch that restores every
 *   field `patch` touches (null where the field was absent), so applying
 *   `before` after `patch` gives back the object as it was.
 * - `action: 'create'` ⇔ `content` is set and `precondition` is `absent`;
 *   its rollback is a delete.
 * - `action: 'delete'` carries the whole object in `before.object` (for a re-create).
 * - `precondition.resourceVersion` is the version the plan read; apply sends
 *   it (in the patch's metadata / DeleteOptions) and a 409 makes the plan stale.
 * - Nothing in a change is secret: cis-fix never reads Secrets, and ConfigMap
 *   data appears only for the kube-proxy configuration.
 */

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

export interface ApiObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  /** Undefined for cluster-scoped kinds (Namespace, ClusterRoleBinding). */
  readonly namespace: string | undefined;
  readonly name: string;
}

export type ApiObjectPrecondition = { readonly resourceVersion: string } | { readonly absent: true };

interface ApiObjectChangeBase {
  readonly kind: 'api-object';
  /** Stable within a plan: `cluster:api-object:<Kind>/<namespace>/<name>`. */
  readonly id: string;
  readonly node: undefined;
  readonly controlIds: readonly string[];
  /** `Namespace web`, `ConfigMap kube-system/kube-proxy`: what the plan names. */
  readonly target: string;
  readonly object: ApiObjectRef;
  readonly precondition: ApiObjectPrecondition;
  /** Ids of changes that must be applied first (the kube-proxy rollout after its ConfigMap). */
  readonly after: readonly string[];
  /** What the plan shows: the touched fields before and after, and what the change affects. */
  readonly diff: string;
  /** What cis-fix knows the change affects (running pods a Pod Security level would reject on re-creation). */
  readonly notes: readonly string[];
  /** The API server's warnings from the server-side dry run (Pod Security admission); empty until the service ran it. */
  readonly dryRunWarnings: readonly string[];
}

export interface ApiObjectPatch extends ApiObjectChangeBase {
  readonly action: 'patch';
  readonly precondition: { readonly resourceVersion: string };
  readonly patch: JsonObject;
  readonly before: JsonObject;
}

export interface ApiObjectCreate extends ApiObjectChangeBase {
  readonly action: 'create';
  readonly precondition: { readonly absent: true };
  /** The whole object to create (apiVersion, kind, metadata, spec). */
  readonly content: JsonObject;
}

export interface ApiObjectDelete extends ApiObjectChangeBase {
  readonly action: 'delete';
  readonly precondition: { readonly resourceVersion: string };
  readonly before: { readonly object: JsonObject };
}

export type ApiObjectChange = ApiObjectPatch | ApiObjectCreate | ApiObjectDelete;

export function apiObjectChangeId(ref: ApiObjectRef): string {
  return `cluster:api-object:${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

export function describeApiObject(ref: ApiObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
