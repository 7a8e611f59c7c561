/**
 * Maps an API error response (status code + `Status` body) to the typed
 * errors of model/cluster-errors.ts. Pure, so every mapping is unit-tested.
 */
import {
  ClusterConflictError,
  ClusterForbiddenError,
  ClusterInvalidError,
  ClusterNotFoundError,
  ClusterUnreachableError,
  type ApiVerb,
} from '../model/cluster-errors.js';
import type { CisFixError } from '../model/errors.js';

/** What the request was: for the message (`cannot patch ServiceAccount web/default`). */
export interface RequestDescription {
  readonly verb: ApiVerb;
  /** `ServiceAccount web/default`, or `pods (all namespaces)` for a list. */
  readonly target: string;
  readonly server: string;
}

interface StatusBody {
  readonly message?: unknown;
  readonly reason?: unknown;
  readonly details?: { readonly causes?: readonly { readonly field?: unknown; readonly message?: unknown }[] };
}

function statusBody(body: unknown): StatusBody {
  return body !== null && typeof body === 'object' ? (body as StatusBody) : {};
}

/** The error for a non-2xx answer. Messages come from the API's Status, which holds no credentials; bodies are cut to keep an HTML error page out of the output. */
export function errorForStatus(code: number, body: unknown, request: RequestDescription): CisFixError {
  const status = statusBody(body);
  const message = typeof status.message === 'string' ? status.message : typeof body === 'string' && body.trim() ? body.trim().slice(0, 200) : `HTTP ${code}`;
  switch (code) {
    case 401:
      return new ClusterUnreachableError(request.server, `the API did not accept the kubeconfig's credentials (401 Unauthorized)`, [
        'The token or client certificate in the kubeconfig is expired or revoked; refresh the kubeconfig (e.g. kubeadm kubeconfig user, or your cloud CLI) and try again.',
      ]);
    case 403:
      return new ClusterForbiddenError(request.verb, request.target, message);
    case 404:
      return new ClusterNotFoundError(request.target, message);
    case 409:
      return new ClusterConflictError(request.target, status.reason === 'AlreadyExists' ? 'already exists' : `changed since it was read (${message})`);
    case 422: {
      const causes = (status.details?.causes ?? []).map(
        (c) => `${typeof c.field === 'string' ? `${c.field}: ` : ''}${typeof c.message === 'string' ? c.message : ''}`,
      );
      return new ClusterInvalidError(request.target, message, causes);
    }
    default:
      return new ClusterUnreachableError(
        request.server,
        `${request.verb} ${request.target} failed: HTTP ${code}: ${message}`,
        code >= 500 || code === 429 ? [`The API server is overloaded or failing; check its health (kubectl get --raw /readyz) and try again.`] : [],
      );
  }
}
