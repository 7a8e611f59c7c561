// metav1.Status errors as the API server returns them.
export class ApiError extends Error {
  constructor(code, reason, message, details) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus() {
    return {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason,
      ...(this.details ? { details: this.details } : {}), code: this.code,
    };
  }
}

const qualified = (r) => (r.group ? `${r.plural}.${r.group}` : r.plural);
const details = (r, name, extra = {}) => ({ ...(name !== undefined ? { name } : {}), ...(r.group ? { group: r.group } : {}), kind: r.plural, ...extra });

export const notFound = (r, name) => new ApiError(404, 'NotFound', `${qualified(r)} "${name}" not found`, details(r, name));
export const alreadyExists = (r, name) => new ApiError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, details(r, name));
export const conflict = (r, name) => new ApiError(409, 'Conflict',
  `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, details(r, name));
export const badRequest = (message) => new ApiError(400, 'BadRequest', message);
export const unsupportedMediaType = () => new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json');
export const methodNotAllowed = () => new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
export const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');
export const pathNotFound = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

/** 422 Invalid with field causes [{field, message, type}]. */
export function invalid(r, name, causes) {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new ApiError(422, 'Invalid', `${r.kind}${r.group ? `.${r.group}` : ''} "${name}" is invalid: ${text}`,
    { name, ...(r.group ? { group: r.group } : {}), kind: r.kind, causes: causes.map((c) => ({ reason: c.type ?? 'FieldValueInvalid', message: c.message, field: c.field })) });
}

export const forbidden = (message, r, name) => new ApiError(403, 'Forbidden', message, r ? details(r, name) : {});
