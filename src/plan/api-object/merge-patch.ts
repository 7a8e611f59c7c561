/**
 * JSON merge patches (RFC 7386) as cis-fix plans them: resolving the
 * playbook's parameter references, dropping what already holds, computing
 * the restoring patch and the diff lines. Pure.
 */
import type { JsonObject, JsonValue } from '../../model/api-object-change.js';
import type { ParameterValue, PatchValue } from '../../playbook/types.js';
import { isParamRef } from '../../playbook/types.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Why a patch cannot be resolved: the parameter that has no value for this object. */
export class UnresolvedParameter {
  constructor(readonly parameter: string) {}
}

/**
 * The playbook patch with `{ param }` replaced by the parameter's value and
 * `{ paramEntry }` by the string-map entry for `objectName` (`"*"` for any
 * other object, unless `exactOnly`). Returns UnresolvedParameter when a
 * value is missing.
 */
export function resolvePatch(
  patch: PatchValue,
  parameters: Readonly<Record<string, ParameterValue>>,
  objectName: string,
  exactOnly = false,
): JsonValue | UnresolvedParameter {
  if (isParamRef(patch)) {
    const value = parameters[patch.param];
    return value === undefined ? new UnresolvedParameter(patch.param) : (value as JsonValue);
  }
  if (isObject(patch) && Object.keys(patch).length === 1 && typeof patch['paramEntry'] === 'string') {
    const name = patch['paramEntry'];
    const map = parameters[name];
    const value = isObject(map) ? (map[objectName] ?? (exactOnly ? undefined : map['*'])) : undefined;
    return typeof value === 'string' ? value : new UnresolvedParameter(name);
  }
  if (Array.isArray(patch)) {
    const out: JsonValue[] = [];
    for (const v of patch as readonly PatchValue[]) {
      const r = resolvePatch(v, parameters, objectName, exactOnly);
      if (r instanceof UnresolvedParameter) return r;
      out.push(r);
    }
    return out;
  }
  if (isObject(patch)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(patch as Record<string, PatchValue>)) {
      const r = resolvePatch(v, parameters, objectName, exactOnly);
      if (r instanceof UnresolvedParameter) return r;
      out[k] = r;
    }
    return out;
  }
  return patch as JsonValue;
}

function equalJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The part of `patch` that changes `current`; undefined when the object already holds it all. */
export function effectivePatch(current: unknown, patch: JsonObject): JsonObject | undefined {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(patch)) {
    const now = isObject(current) ? current[key] : undefined;
    if (isObject(value)) {
      const inner = effectivePatch(now, value as JsonObject);
      if (inner) out[key] = inner;
    } else if (value === null ? now !== undefined : !equalJson(now, value)) {
      out[key] = value;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** The merge patch that restores every field `patch` touches to its value in `current` (null: was absent). */
export function restoringPatch(current: unknown, patch: JsonObject): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(patch)) {
    const now = isObject(current) ? current[key] : undefined;
    // A map that did not exist is removed whole (null), or an empty map would be left behind.
    if (isObject(value) && isObject(now)) out[key] = restoringPatch(now, value as JsonObject);
    else out[key] = now === undefined ? null : (now as JsonValue);
  }
  return out;
}

/** RFC 7386 applied to a JSON value: what the server will store. */
export function applyMergePatch(target: unknown, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const out: Record<string, JsonValue> = isObject(target) ? { ...(target as Record<string, JsonValue>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

/** Merge two patches for the same object (several controls patch one namespace): later keys win. */
export function mergePatches(a: JsonObject, b: JsonObject): JsonObject {
  return applyMergePatch(a, b) as JsonObject;
}

/** `path: value` lines, dotted paths, leaves only (arrays as one value). */
function leaves(value: unknown, prefix: string, out: Map<string, string>): void {
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  out.set(prefix, value === undefined || value === null ? '(absent)' : JSON.stringify(value));
}

/** The plan's view of a patch: `-`/`+` lines for each touched field, under a header naming the object. */
export function patchDiff(target: string, resourceVersion: string, before: JsonObject, patch: JsonObject): string {
  const was = new Map<string, string>();
  const will = new Map<string, string>();
  leaves(before, '', was);
  leaves(patch, '', will);
  const lines = [`--- ${target} (resourceVersion ${resourceVersion})`, `+++ ${target} (planned)`];
  for (const [path, value] of will) {
    lines.push(`-${path}: ${was.get(path) ?? '(absent)'}`);
    lines.push(`+${path}: ${value}`);
  }
  return lines.join('\n') + '\n';
}
