/**
 * Errors the Kubernetes API answers with, mapped to who must act
 * (DESIGN.md §5.5). Each names the object and the verb, never a credential:
 * messages are built from the request (kind, namespace, name, verb) and the
 * API's Status message, which carries no secret material.
 */
import { CisFixError, StalePlanError, UnreachableError } from './errors.js';

/** The object a request was about, as messages name it: `ServiceAccount web/default`. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** The verbs cis-fix uses, as RBAC names them (what the user grants). */
export type ApiVerb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';

/** The API refused: the kubeconfig's identity lacks the permission. Nothing was changed by this request. */
export class ClusterForbiddenError extends CisFixError {
  readonly exitCode = 1;
  constructor(
    readonly verb: ApiVerb,
    readonly target: string,
    detail: string,
  ) {
    super(`forbidden: cannot ${verb} ${target}: ${detail}`, [
      `Use a kubeconfig context whose identity may ${verb} ${target} (check with: kubectl auth can-i ${verb} ${target.split(' ')[0]?.toLowerCase() ?? ''}).`,
    ]);
  }
}

/**
 * 409: the object changed since it was read (resourceVersion precondition)
 * or already exists. For a planned change this is a stale plan.
 */
export class ClusterConflictError extends StalePlanError {
  constructor(
    readonly target: string,
    readonly detail: string,
  ) {
    super([`${target}: ${detail}`]);
  }
}

/** 404: the object (or its namespace) does not exist. */
export class ClusterNotFoundError extends CisFixError {
  readonly exitCode = 1;
  constructor(
    readonly target: string,
    detail: string,
  ) {
    super(`not found: ${target}: ${detail}`, ["Run 'cis-fix plan' again: the object was removed since it was read."]);
  }
}

/** 422: the API rejected the object as invalid — cis-fix built a wrong patch, or an admission webhook refused it. */
export class ClusterInvalidError extends CisFixError {
  readonly exitCode = 1;
  constructor(
    readonly target: string,
    detail: string,
    readonly causes: readonly string[],
  ) {
    super(`invalid: ${target}: ${detail}${causes.length ? `\n${causes.map((c) => `  ${c}`).join('\n')}` : ''}`, [
      'The API server (or an admission webhook) rejected the change; the causes above say which field. Report it if the field is one cis-fix set.',
    ]);
  }
}

/** The API server could not be reached (network, TLS, authentication plugin) or answered 5xx. */
export class ClusterUnreachableError extends UnreachableError {
  constructor(
    readonly server: string,
    detail: string,
    hints: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(
      'cluster',
      `${server}: ${detail}`,
      hints.length
        ? hints
        : [
            `Check that ${server} is reachable from this machine (kubectl --context … get --raw /version) and that the kubeconfig's CA and credentials are current.`,
          ],
      options,
    );
  }
}

/** The kubeconfig is missing, unreadable or lacks the context: the user fixes the inventory or the file. */
export class KubeconfigError extends CisFixError {
  readonly exitCode = 1;
  constructor(message: string, hints: readonly string[]) {
    super(message, hints);
  }
}
