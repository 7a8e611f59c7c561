// Patches and field management: JSON merge patch (RFC 7386), strategic merge
// patch (merge semantics for maps; lists merged by their patchMergeKey for
// the list fields that have one, others replaced; directives honoured as far
// as kubectl sends them), JSON patch (RFC 6902), server-side apply with
// managedFields ownership and conflicts.
import { ApiError, badRequest } from './status.mjs';

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** Objects are plain JSON. */
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

export function mergePatch(target, patch) {
  if (!isObj(patch)) return clone(patch);
  const out = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** patchMergeKey of the list fields that have one (core/v1, meta/v1). */
const MERGE_KEYS = {
  containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name', env: 'name',
  volumeMounts: 'mountPath', volumeDevices: 'devicePath', ports: 'containerPort', imagePullSecrets: 'name',
  ownerReferences: 'uid', conditions: 'type', addresses: 'type', hostAliases: 'ip', topologySpreadConstraints: 'topologyKey',
};

export function strategicMergePatch(target, patch) {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const rest = clone(patch);
    delete rest.$patch;
    return rest;
  }
  if (patch.$patch === 'delete') return undefined;
  const out = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field])) out[field] = out[field].filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const key = MERGE_KEYS[k];
    if (Array.isArray(v) && key && Array.isArray(out[k]) && v.every(isObj)) {
      const list = clone(out[k]);
      for (const item of v) {
        const i = list.findIndex((x) => isObj(x) && x[key] === item[key]);
        if (item.$patch === 'delete') {
          if (i >= 0) list.splice(i, 1);
        } else if (i >= 0) list[i] = strategicMergePatch(list[i], item);
        else list.push(strategicMergePatch(undefined, item));
      }
      out[k] = list;
    } else if (isObj(v)) {
      const merged = strategicMergePatch(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = clone(v);
    }
  }
  return out;
}

function pointer(p) {
  if (p === '') return [];
  if (!p.startsWith('/')) throw badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer ${p}`);
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function walk(doc, parts) {
  let cur = doc;
  for (const part of parts) {
    if (cur === null || typeof cur !== 'object' || !(part in cur)) return { found: false };
    cur = cur[part];
  }
  return { found: true, value: cur };
}

export function jsonPatch(doc, ops) {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let out = clone(doc);
  const fail = (msg) => new ApiError(422, 'Invalid', msg);
  for (const op of ops) {
    const parts = pointer(op.path ?? '');
    const parentParts = parts.slice(0, -1);
    const last = parts[parts.length - 1];
    const parent = walk(out, parentParts);
    const setAt = (value) => {
      if (parts.length === 0) { out = value; return; }
      if (!parent.found || parent.value === null || typeof parent.value !== 'object') throw fail(`doc is missing path: "${op.path}": missing value`);
      if (Array.isArray(parent.value)) {
        const i = last === '-' ? parent.value.length : Number(last);
        if (!(i >= 0 && i <= parent.value.length)) throw fail(`add operation does not apply: doc is missing path: "${op.path}": missing value`);
        parent.value.splice(i, 0, value);
      } else parent.value[last] = value;
    };
    const removeAt = () => {
      const t = walk(out, parts);
      if (!t.found) throw fail(`${op.op} operation does not apply: doc is missing path: "${op.path}": missing value`);
      if (Array.isArray(parent.value)) parent.value.splice(Number(last), 1);
      else delete parent.value[last];
      return t.value;
    };
    switch (op.op) {
      case 'add': setAt(clone(op.value)); break;
      case 'remove': removeAt(); break;
      case 'replace': {
        removeAt();
        setAt(clone(op.value));
        break;
      }
      case 'move': case 'copy': {
        const from = walk(out, pointer(op.from));
        if (!from.found) throw fail(`${op.op} operation does not apply: doc is missing from path: "${op.from}": missing value`);
        if (op.op === 'move') {
          const fp = pointer(op.from);
          const fparent = walk(out, fp.slice(0, -1)).value;
          if (Array.isArray(fparent)) fparent.splice(Number(fp[fp.length - 1]), 1);
          else delete fparent[fp[fp.length - 1]];
        }
        setAt(clone(from.value));
        break;
      }
      case 'test': {
        const t = walk(out, parts);
        if (!t.found || JSON.stringify(t.value) !== JSON.stringify(op.value)) throw fail(`testing value ${op.path} failed: test failed`);
        break;
      }
      default: throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// managed fields (FieldsV1: {"f:metadata":{"f:labels":{".":{},"f:app":{}}}})

const SKIP_TOP = new Set(['apiVersion', 'kind', 'status']);
const SKIP_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp']);

/** Leaf paths (arrays of keys) of an object; lists are atomic leaves. */
export function leafPaths(obj, prefix = [], out = []) {
  for (const [k, v] of Object.entries(obj ?? {})) {
    if (prefix.length === 0 && SKIP_TOP.has(k)) continue;
    if (prefix.length === 1 && prefix[0] === 'metadata' && SKIP_META.has(k)) continue;
    const p = [...prefix, k];
    if (isObj(v) && Object.keys(v).length > 0) leafPaths(v, p, out);
    else out.push(p);
  }
  return out;
}

export function getPath(obj, p) {
  let cur = obj;
  for (const k of p) {
    if (!isObj(cur) || !(k in cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function setPath(obj, p, value) {
  let cur = obj;
  for (const k of p.slice(0, -1)) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k];
  }
  cur[p[p.length - 1]] = clone(value);
}

function deletePath(obj, p) {
  const parents = [];
  let cur = obj;
  for (const k of p.slice(0, -1)) {
    if (!isObj(cur[k])) return;
    parents.push([cur, k]);
    cur = cur[k];
  }
  delete cur[p[p.length - 1]];
  for (const [o, k] of parents.reverse()) {
    if (isObj(o[k]) && Object.keys(o[k]).length === 0) delete o[k];
    else break;
  }
}


export function encodeFields(paths) {
  const root = {};
  for (const p of paths) {
    let cur = root;
    p.forEach((k, i) => {
      const fk = `f:${k}`;
      if (!cur[fk]) cur[fk] = i < p.length - 1 ? { '.': {} } : {};
      cur = cur[fk];
    });
  }
  // the "." marker is only for maps nested below the top level
  for (const v of Object.values(root)) if (isObj(v)) delete v['.'];
  return root;
}

export function decodeFields(fields, prefix = [], out = []) {
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (k === '.') continue;
    const p = [...prefix, k.replace(/^f:/, '')];
    const children = Object.keys(v ?? {}).filter((x) => x !== '.');
    if (children.length === 0) out.push(p);
    else decodeFields(v, p, out);
  }
  return out;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const prefixOf = (a, b) => a.length <= b.length && a.every((k, i) => b[i] === k);
const overlaps = (a, b) => prefixOf(a, b) || prefixOf(b, a);

function entry(manager, operation, apiVersion, paths, subresource) {
  return { manager, operation, apiVersion, time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), fieldsType: 'FieldsV1', fieldsV1: encodeFields(paths), ...(subresource ? { subresource } : {}) };
}

/** Records an Update (create/update/patch) by `manager`: it owns what it changed; others lose it. */
export function recordUpdate(oldObj, newObj, manager, apiVersion) {
  const managed = (oldObj?.metadata?.managedFields ?? []).map((e) => ({ e, paths: decodeFields(e.fieldsV1) }));
  const newPaths = leafPaths(newObj);
  const changed = newPaths.filter((p) => !oldObj || !same(getPath(oldObj, p), getPath(newObj, p)));
  const removed = oldObj ? leafPaths(oldObj).filter((p) => getPath(newObj, p) === undefined) : [];
  const result = [];
  let mine;
  for (const m of managed) {
    let paths = m.paths.filter((p) => !changed.some((c) => overlaps(c, p)) && !removed.some((r) => overlaps(r, p)));
    if (m.e.manager === manager && m.e.operation === 'Update') {
      mine = [...paths, ...changed];
      continue;
    }
    if (paths.length > 0) result.push({ ...m.e, fieldsV1: encodeFields(paths) });
  }
  mine = mine ?? changed;
  if (mine.length > 0) result.push(entry(manager, 'Update', apiVersion, mine));
  newObj.metadata.managedFields = result;
}

/**
 * Server-side apply of `applied` by `manager` onto `current` (undefined on
 * create). Throws 409 Conflict naming the other managers unless `force`.
 */
export function serverSideApply(current, applied, manager, apiVersion, force) {
  const base = current ? clone(current) : { apiVersion: applied.apiVersion, kind: applied.kind, metadata: {} };
  const managed = (current?.metadata?.managedFields ?? []).map((e) => ({ e, paths: decodeFields(e.fieldsV1) }));
  const appliedPaths = leafPaths(applied);
  const conflicts = [];
  for (const p of appliedPaths) {
    const cur = getPath(base, p);
    if (cur === undefined || same(cur, getPath(applied, p))) continue;
    for (const m of managed) {
      if (m.e.manager === manager && m.e.operation === 'Apply') continue;
      if (m.paths.some((q) => overlaps(q, p))) conflicts.push({ manager: m.e.manager, apiVersion: m.e.apiVersion, path: p });
    }
  }
  if (conflicts.length > 0 && !force) {
    const lines = conflicts.map((c) => `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}: .${c.path.join('.')}`);
    const msg = conflicts.length === 1 ? `Apply failed with 1 conflict: ${lines[0]}` : `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
    throw new ApiError(409, 'Conflict', msg, { causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: `.${c.path.join('.')}` })) });
  }
  const out = base;
  // fields this manager applied before and no longer applies: removed unless someone else owns them
  const previous = managed.find((m) => m.e.manager === manager && m.e.operation === 'Apply');
  for (const p of previous?.paths ?? []) {
    if (appliedPaths.some((q) => overlaps(q, p))) continue;
    if (managed.some((m) => m !== previous && m.paths.some((q) => overlaps(q, p)))) continue;
    deletePath(out, p);
  }
  for (const p of appliedPaths) setPath(out, p, getPath(applied, p));
  const result = [];
  for (const m of managed) {
    if (m === previous) continue;
    const paths = m.paths.filter((q) => !appliedPaths.some((p) => overlaps(p, q) && !same(getPath(current, q), getPath(applied, q))));
    if (paths.length > 0) result.push({ ...m.e, fieldsV1: encodeFields(paths) });
  }
  result.push(entry(manager, 'Apply', apiVersion, appliedPaths));
  out.metadata.managedFields = result;
  return out;
}
