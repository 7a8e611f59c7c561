import type { SettingValue } from '../../playbook/types.js';

/**
 * The result of setting one dotted key in a kubelet configuration file,
 * whatever its syntax (kubelet-config-syntax.ts chooses the editor). Pure.
 *
 * - `unchanged`: the key already holds the value; nothing to write.
 * - `edited`: `after` is the file with only that key changed (every other
 *   byte as it was), checked by re-parsing.
 * - `unsupported`: `reason` says why cis-fix will not edit it.
 */
export type ConfigKeyEdit =
  { readonly kind: 'unchanged' } | { readonly kind: 'edited'; readonly after: string } | { readonly kind: 'unsupported'; readonly reason: string };

/** `data` with `parts` set to `value`, creating mappings; undefined when a parent is not a mapping. */
export function withKey(data: unknown, parts: readonly string[], value: SettingValue): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const [head, ...rest] = parts;
  if (head === undefined) return data;
  const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  if (rest.length === 0) {
    copy[head] = Array.isArray(value) ? [...value] : value;
    return copy;
  }
  const child = copy[head] ?? {};
  const updated = withKey(child === null ? {} : child, rest, value);
  if (updated === undefined) return undefined;
  copy[head] = updated;
  return copy;
}
