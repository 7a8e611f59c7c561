// The REST semantics of the lab API server: routing of resource paths, the
// verbs (get, list, create, update, patch incl. server-side apply, delete),
// metadata the server owns (uid, resourceVersion, generation,
// creationTimestamp, managedFields), dry-run, validation and admission.
import { randomUUID } from 'node:crypto';
import YAML from 'yaml';
import { apiVersionOf, findResource, hasSubresource } from './registry.mjs';
import { ApiError, alreadyExists, badRequest, conflict, invalid, methodNotAllowed, notFound, pathNotFound, unsupportedMediaType } from './status.mjs';
import { jsonPatch, mergePatch, recordUpdate, serverSideApply, strategicMergePatch } from './patch.mjs';
import { parseFieldSelector, parseLabelSelector } from './selectors.mjs';
import { toTable, wantsTable } from './tables.mjs';
import { namespaceWarnings, podForbiddenMessage } from './pod-security.mjs';
import { forbidden } from './status.mjs';

/** Objects are plain JSON. */
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

const GENERATION = new Set(['daemonsets', 'networkpolicies']);
const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RBAC_NAME_OK = (n) => n.length > 0 && !n.includes('/') && !n.includes('%') && n !== '.' && n !== '..';

/**
 * Parses a resource path. Returns {resource, namespace, name, subresource}
 * or undefined when it is not one.
 */
export function parsePath(urlPath) {
  const segs = urlPath.split('/').filter(Boolean).map(decodeURIComponent);
  let group; let version; let rest;
  if (segs[0] === 'api' && segs.length >= 3) {
    group = ''; version = segs[1]; rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1]; version = segs[2]; rest = segs.slice(3);
  } else return undefined;
  let namespace;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (namespace !== undefined && group === '' && !findResource(group, version, rest[0])?.namespaced && ['status', 'finalize'].includes(rest[0])) {
    // /api/v1/namespaces/<name>/status
    return { resource: findResource('', 'v1', 'namespaces'), name: namespace, subresource: rest[0], group, version };
  }
  const resource = findResource(group, version, rest[0]);
  if (!resource) return { unknown: true };
  if (namespace !== undefined && !resource.namespaced) return { unknown: true };
  return { resource, namespace, name: rest[1], subresource: rest[2], group, version, extra: rest.length > 3 };
}

function parseBody(text, contentType) {
  if (!text) throw badRequest('the request body is empty');
  try {
    if (/yaml/.test(contentType ?? '')) return YAML.parse(text);
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the object provided is unrecognized (must be of type ${/yaml/.test(contentType ?? '') ? 'YAML' : 'JSON'}): ${e.message}`);
  }
}

const isoNow = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const specOf = (o) => JSON.stringify({ ...o, metadata: undefined, status: undefined, apiVersion: undefined, kind: undefined });

export class Api {
  /** store: Store; ctx: { warnings: string[] } per request */
  constructor(store) {
    this.store = store;
  }

  /** Namespace of the request must exist (for namespaced creates). */
  requireNamespace(ns) {
    if (!this.store.get('namespaces', undefined, ns)) throw notFound(findResource('', 'v1', 'namespaces'), ns);
  }

  validate(r, obj, old) {
    const name = obj.metadata?.name ?? '';
    const causes = [];
    const rbac = r.group === 'rbac.authorization.k8s.io';
    if (!name) {
      causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required', type: 'FieldValueRequired' });
    } else if (rbac ? !RBAC_NAME_OK(name) : !(name.length <= 253 && NAME_RE.test(name))) {
      causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')` });
    }
    if (r.plural === 'namespaces' && name && !(name.length <= 63 && LABEL_NAME_RE.test(name)) && !causes.length) {
      causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')` });
    }
    if (r.plural === 'rolebindings' || r.plural === 'clusterrolebindings') {
      const ref = obj.roleRef;
      if (!ref || !ref.name) causes.push({ field: 'roleRef.name', message: 'Required value', type: 'FieldValueRequired' });
      else if (!['ClusterRole', 'Role'].includes(ref.kind) || (r.plural === 'clusterrolebindings' && ref.kind !== 'ClusterRole')) {
        causes.push({ field: 'roleRef.kind', message: `Unsupported value: "${ref.kind}": supported values: ${r.plural === 'clusterrolebindings' ? '"ClusterRole"' : '"Role", "ClusterRole"'}`, type: 'FieldValueNotSupported' });
      }
      if (old && JSON.stringify(old.roleRef) !== JSON.stringify(ref)) {
        const o = old.roleRef;
        causes.push({ field: 'roleRef', message: `Invalid value: rbac.RoleRef{APIGroup:"${o.apiGroup}", Kind:"${o.kind}", Name:"${o.name}"}: cannot change roleRef` });
      }
      (obj.subjects ?? []).forEach((s, i) => {
        if (!['User', 'Group', 'ServiceAccount'].includes(s.kind)) causes.push({ field: `subjects[${i}].kind`, message: `Unsupported value: "${s.kind}": supported values: "ServiceAccount", "User", "Group"`, type: 'FieldValueNotSupported' });
        if (!s.name) causes.push({ field: `subjects[${i}].name`, message: 'Required value', type: 'FieldValueRequired' });
      });
    }
    if (r.plural === 'pods' && !(obj.spec?.containers?.length > 0)) causes.push({ field: 'spec.containers', message: 'Required value', type: 'FieldValueRequired' });
    if (causes.length) throw invalid(r, name, causes);
  }

  /** Defaulting/conversion the real registry does on every write. */
  normalize(r, obj) {
    if (r.plural === 'secrets') {
      obj.type = obj.type ?? 'Opaque';
      if (obj.stringData) {
        obj.data = { ...(obj.data ?? {}) };
        for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
        delete obj.stringData;
      }
    }
  }

  /** Sets what the server owns on a new object. */
  prepareCreate(r, obj, namespace) {
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    obj.metadata = obj.metadata ?? {};
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    if (r.namespaced) obj.metadata.namespace = namespace;
    else delete obj.metadata.namespace;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = isoNow();
    delete obj.metadata.resourceVersion;
    delete obj.metadata.deletionTimestamp;
    if (GENERATION.has(r.plural)) obj.metadata.generation = 1;
    else delete obj.metadata.generation;
    if (r.plural === 'namespaces') {
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
      obj.spec = { finalizers: ['kubernetes'], ...(obj.spec ?? {}) };
      obj.status = { phase: 'Active' };
    }
    if (r.plural === 'pods') {
      obj.spec.restartPolicy = obj.spec.restartPolicy ?? 'Always';
      obj.spec.dnsPolicy = obj.spec.dnsPolicy ?? 'ClusterFirst';
      obj.spec.terminationGracePeriodSeconds = obj.spec.terminationGracePeriodSeconds ?? 30;
      obj.spec.schedulerName = obj.spec.schedulerName ?? 'default-scheduler';
      obj.spec.serviceAccountName = obj.spec.serviceAccountName ?? 'default';
      obj.status = obj.status ?? { phase: 'Pending', qosClass: 'BestEffort' };
    }
  }

  /** Admission for objects about to be stored; may add warnings or throw. */
  admit(r, obj, old, ctx) {
    if (r.plural === 'pods' && !old) {
      const msg = podForbiddenMessage(obj, this.store.get('namespaces', undefined, obj.metadata.namespace));
      if (msg) throw forbidden(msg, r, obj.metadata.name);
    }
    if (r.plural === 'namespaces') {
      ctx.warnings.push(...namespaceWarnings(old, obj, this.store.list('pods', obj.metadata.name)));
    }
  }

  commit(r, obj, ctx) {
    // a dry-run create has no resourceVersion yet; a dry-run update keeps the stored one
    if (ctx.dryRun) return obj;
    obj.metadata.resourceVersion = this.store.nextResourceVersion();
    this.store.put(r.plural, obj);
    return obj;
  }

  get(p) {
    const obj = this.store.get(p.resource.plural, p.namespace, p.name);
    if (!obj) throw notFound(p.resource, p.name);
    return obj;
  }

  list(p, query, accept) {
    const labelOk = parseLabelSelector(query.get('labelSelector'));
    const fieldOk = parseFieldSelector(query.get('fieldSelector'), p.resource.plural);
    let items = this.store.list(p.resource.plural, p.namespace).filter((o) => labelOk(o.metadata.labels) && fieldOk(o));
    let rv = this.store.currentResourceVersion();
    // limit/continue: the token carries the list's resourceVersion and the last key returned
    const keyOf = (o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const token = query.get('continue');
    if (token) {
      let cont;
      try {
        cont = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      if (typeof cont?.start !== 'string') throw badRequest('continue key is not valid: invalid continue token');
      items = items.filter((o) => keyOf(o) > cont.start);
      rv = String(cont.rv ?? rv);
    }
    const limit = Number(query.get('limit') ?? 0);
    let more;
    if (limit > 0 && items.length > limit) {
      more = { remainingItemCount: items.length - limit, continue: Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), start: keyOf(items[limit - 1]) })).toString('base64') };
      items = items.slice(0, limit);
    }
    if (wantsTable(accept)) return toTable(p.resource, items, rv, query.get('includeObject') ?? 'Metadata');
    for (const o of items) {
      delete o.apiVersion;
      delete o.kind;
    }
    return { kind: `${p.resource.kind}List`, apiVersion: apiVersionOf(p.resource), metadata: { resourceVersion: rv, ...(more ?? {}) }, items };
  }

  create(p, body, ctx) {
    const r = p.resource;
    const obj = body;
    if (obj.kind && obj.kind !== r.kind) throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(r)})`);
    if (r.namespaced && obj.metadata?.namespace && obj.metadata.namespace !== p.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (r.namespaced) this.requireNamespace(p.namespace);
    this.prepareCreate(r, obj, p.namespace);
    this.normalize(r, obj);
    this.validate(r, obj);
    if (this.store.get(r.plural, p.namespace, obj.metadata.name)) throw alreadyExists(r, obj.metadata.name);
    this.admit(r, obj, undefined, ctx);
    recordUpdate(undefined, obj, ctx.fieldManager, apiVersionOf(r));
    return { code: 201, object: this.commit(r, obj, ctx) };
  }

  /** Stores `obj` as the new version of `old` (update and patch). */
  replace(p, old, obj, ctx, sub) {
    const r = p.resource;
    if (obj.metadata?.name && obj.metadata.name !== p.name) throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${p.name})`);
    if (obj.metadata?.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) throw conflict(r, p.name);
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    obj.metadata = obj.metadata ?? {};
    // fields the server owns
    for (const k of ['uid', 'creationTimestamp', 'name', 'namespace', 'deletionTimestamp']) {
      if (old.metadata[k] === undefined) delete obj.metadata[k];
      else obj.metadata[k] = old.metadata[k];
    }
    obj.metadata.resourceVersion = old.metadata.resourceVersion;
    if (sub === 'status') {
      const status = obj.status;
      Object.assign(obj, clone(old));
      obj.status = status;
    } else if (old.status !== undefined) obj.status = old.status;
    if (r.plural === 'namespaces') obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': old.metadata.name };
    if (GENERATION.has(r.plural)) obj.metadata.generation = (old.metadata.generation ?? 1) + (specOf(obj) !== specOf(old) ? 1 : 0);
    else delete obj.metadata.generation;
    this.normalize(r, obj);
    this.validate(r, obj, old);
    this.admit(r, obj, old, ctx);
    if (!ctx.applied) recordUpdate(old, obj, ctx.fieldManager, apiVersionOf(r));
    const unchanged = JSON.stringify({ ...obj, metadata: { ...obj.metadata, managedFields: undefined } }) === JSON.stringify({ ...old, metadata: { ...old.metadata, managedFields: undefined } })
      && JSON.stringify(obj.metadata.managedFields?.map((e) => ({ ...e, time: undefined }))) === JSON.stringify(old.metadata.managedFields?.map((e) => ({ ...e, time: undefined })));
    if (unchanged) return { code: 200, object: old };
    return { code: 200, object: this.commit(r, obj, ctx) };
  }

  update(p, body, ctx) {
    if (p.subresource && !hasSubresource(p.resource, p.subresource)) throw pathNotFound();
    const old = this.store.get(p.resource.plural, p.namespace, p.name);
    if (!old) throw notFound(p.resource, p.name);
    if (body.kind && body.kind !== p.resource.kind) throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${apiVersionOf(p.resource)})`);
    return this.replace(p, old, body, ctx, p.subresource);
  }

  patch(p, text, contentType, ctx) {
    const r = p.resource;
    if (p.subresource && !hasSubresource(r, p.subresource)) throw pathNotFound();
    const type = (contentType ?? '').split(';')[0].trim();
    const old = this.store.get(r.plural, p.namespace, p.name);
    if (type === 'application/apply-patch+yaml') {
      const applied = parseBody(text, 'yaml');
      if (!ctx.fieldManagerGiven) throw badRequest('PATCH /apply requires fieldManager to be set');
      if (applied.kind !== r.kind || applied.apiVersion !== apiVersionOf(r)) {
        throw badRequest(`the API version in the data (${applied.apiVersion}) does not match the expected API version (${apiVersionOf(r)})`);
      }
      if (applied.metadata?.name !== p.name) throw badRequest(`the name of the object (${applied.metadata?.name}) does not match the name on the URL (${p.name})`);
      if (!old) {
        if (r.namespaced) this.requireNamespace(p.namespace);
        const obj = serverSideApply(undefined, applied, ctx.fieldManager, apiVersionOf(r), ctx.force);
        obj.metadata.name = p.name;
        const managed = obj.metadata.managedFields;
        this.prepareCreate(r, obj, p.namespace);
        obj.metadata.managedFields = managed;
        this.validate(r, obj);
        this.admit(r, obj, undefined, ctx);
        return { code: 201, object: this.commit(r, obj, ctx) };
      }
      const merged = serverSideApply(old, applied, ctx.fieldManager, apiVersionOf(r), ctx.force);
      return this.replace(p, old, merged, { ...ctx, applied: true }, p.subresource);
    }
    if (!old) throw notFound(r, p.name);
    let patched;
    if (type === 'application/json-patch+json') patched = jsonPatch(old, parseBody(text, 'json'));
    else if (type === 'application/merge-patch+json') patched = mergePatch(old, parseBody(text, 'json'));
    else if (type === 'application/strategic-merge-patch+json') patched = strategicMergePatch(old, parseBody(text, 'json'));
    else throw unsupportedMediaType(type);
    if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('the patch did not produce an object');
    return this.replace(p, old, patched, ctx, p.subresource);
  }

  /** options: DeleteOptions from the body (dryRun is merged into ctx by the caller). */
  delete(p, ctx, options = {}) {
    const r = p.resource;
    const old = this.store.get(r.plural, p.namespace, p.name);
    if (!old) throw notFound(r, p.name);
    const pre = options.preconditions ?? {};
    const q = r.group ? `${r.plural}.${r.group}` : r.plural;
    if (pre.uid && pre.uid !== old.metadata.uid) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${q} "${p.name}": Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`, { name: p.name, ...(r.group ? { group: r.group } : {}), kind: r.plural });
    }
    if (pre.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${q} "${p.name}": the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${old.metadata.resourceVersion}). The object might have been modified`, { name: p.name, ...(r.group ? { group: r.group } : {}), kind: r.plural });
    }
    if (!ctx.dryRun) {
      this.store.delete(r.plural, p.namespace, p.name);
      if (r.plural === 'namespaces') {
        for (const other of ['serviceaccounts', 'secrets', 'pods', 'configmaps', 'daemonsets', 'roles', 'rolebindings', 'networkpolicies', 'leases']) {
          for (const o of this.store.list(other, p.name)) this.store.delete(other, p.name, o.metadata.name);
        }
      }
    }
    return {
      code: 200,
      object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: p.name, ...(r.group ? { group: r.group } : {}), kind: r.plural, uid: old.metadata.uid } },
    };
  }
}

export { ApiError, methodNotAllowed, pathNotFound };
