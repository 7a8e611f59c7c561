/**
 * The API resources cis-fix reads and writes, and the URL paths for them.
 * Pure: the client (cluster-client.ts) only adds the server and the TLS
 * material. Secrets are deliberately absent from what cis-fix lists and
 * changes — it never reads the cluster's Secrets (DESIGN.md §1: no secret
 * ever enters a plan). The one exception is cis-fix's own state (run
 * records and the drift baseline), kept as Secrets in the namespace
 * STATE_NAMESPACE only: see `stateSecretPath`.
 */
import type { ObjectRef } from '../model/cluster-errors.js';

export interface ResourceType {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export const LISTABLE_RESOURCES = {
  namespaces: { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  serviceaccounts: { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  nodes: { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  configmaps: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  daemonsets: { group: 'apps', version: 'v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  clusterroles: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', kind: 'ClusterRole', namespaced: false },
  clusterrolebindings: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  roles: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', kind: 'Role', namespaced: true },
  rolebindings: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', kind: 'RoleBinding', namespaced: true },
  networkpolicies: { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true },
} as const satisfies Record<string, ResourceType>;

export type ListableResource = keyof typeof LISTABLE_RESOURCES;
export const LISTABLE_RESOURCE_NAMES = Object.keys(LISTABLE_RESOURCES) as ListableResource[];

/** Kinds cis-fix may get, patch, create, replace or delete (the listable ones plus Lease). */
const KINDS: readonly ResourceType[] = [
  ...Object.values(LISTABLE_RESOURCES),
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
];

/** The namespace cis-fix owns for its state (DESIGN.md §7 "State lives with the cluster"). */
export const STATE_NAMESPACE = 'cis-fix';

/**
 * The path of cis-fix's own state Secrets in STATE_NAMESPACE (`name`
 * undefined: the collection, for create and labelled lists). No other
 * namespace's Secrets can be addressed through it.
 */
export function stateSecretPath(name?: string): string {
  if (name !== undefined && (!NAME.test(name) || name.length > 253)) throw new RangeError(`not a valid object name: ${JSON.stringify(name)}`);
  return `/api/v1/namespaces/${STATE_NAMESPACE}/secrets${name !== undefined ? `/${name}` : ''}`;
}

function groupVersion(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The resource type of an apiVersion + kind, or an error message naming the kinds cis-fix knows. */
export function resourceTypeOf(apiVersion: string, kind: string): ResourceType {
  const type = KINDS.find((t) => t.kind === kind && groupVersion(t) === apiVersion);
  if (!type) throw new RangeError(`cis-fix does not handle ${apiVersion} ${kind} (known: ${KINDS.map((t) => `${groupVersion(t)} ${t.kind}`).join(', ')})`);
  return type;
}

function prefix(type: ResourceType): string {
  return type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
}

/** `/api/v1/pods` — every namespace's objects in one list. */
export function listPath(resource: ListableResource): string {
  const type = LISTABLE_RESOURCES[resource];
  return `${prefix(type)}/${type.plural}`;
}

const NAME = /^[a-z0-9]([-a-z0-9.:]*[a-z0-9])?$/;

/**
 * The path of one object (`name` undefined: its collection, for create).
 * Names are validated rather than escaped: a name that is not a DNS
 * subdomain (RBAC names may hold `:`) never reaches a URL.
 */
export function objectPath(ref: Omit<ObjectRef, 'name'> & { readonly name?: string | undefined }): string {
  const type = resourceTypeOf(ref.apiVersion, ref.kind);
  if (type.namespaced && !ref.namespace) throw new RangeError(`${ref.kind} ${ref.name ?? ''} needs a namespace`);
  if (!type.namespaced && ref.namespace) throw new RangeError(`${ref.kind} ${ref.name ?? ''} is cluster-scoped and has no namespace`);
  for (const part of [ref.namespace, ref.name]) {
    if (part !== undefined && (!NAME.test(part) || part.length > 253)) throw new RangeError(`not a valid object name: ${JSON.stringify(part)}`);
  }
  const ns = ref.namespace ? `/namespaces/${ref.namespace}` : '';
  return `${prefix(type)}${ns}/${type.plural}${ref.name !== undefined ? `/${ref.name}` : ''}`;
}

/** Query string for a write: `fieldManager=cis-fix` always, `dryRun=All` for the server-side dry run. */
export function writeQuery(options: { readonly dryRun: boolean }): string {
  const params = new URLSearchParams({ fieldManager: 'cis-fix' });
  if (options.dryRun) params.set('dryRun', 'All');
  return `?${params.toString()}`;
}
