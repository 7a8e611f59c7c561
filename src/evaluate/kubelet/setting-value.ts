import type { SettingValue } from '../../playbook/types.js';
import type { KubeletSettingType } from './kubelet-defaults.js';

/**
 * Kubelet setting values as the kubelet reads them: flag text parsed the way
 * pflag and the kubelet's flag types parse it (booleans with Go's
 * strconv.ParseBool, lists split at commas), config values as the YAML/JSON
 * decoder gives them. Pure.
 */

/** Go's strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/** A flag's value: `raw` is null for a bare `--flag` (true for booleans). Unparsable text stays a string, as seen. */
export function flagSettingValue(type: KubeletSettingType, raw: string | null): SettingValue {
  switch (type) {
    case 'boolean':
      return raw === null ? true : (parseGoBool(raw) ?? raw);
    case 'integer':
      return raw !== null && /^[+-]?\d+$/.test(raw) ? Number.parseInt(raw, 10) : (raw ?? '');
    case 'string-list':
    case 'feature-gates':
      return (raw ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '');
    case 'duration':
    case 'string':
      return raw ?? '';
    default: {
      const never: never = type;
      return never;
    }
  }
}

/** A config file value; objects become `key=value` lists (featureGates). Undefined for null or nested data cis-fix does not compare. */
export function configSettingValue(value: unknown): SettingValue | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => String(v));
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k}=${String(v)}`);
  return undefined;
}

/** Nanoseconds of a Go duration ("4h0m0s", "90s", "0"), or undefined. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  const match = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (!match) return undefined;
  let total = 0;
  for (const part of text.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number.parseFloat(part[1] ?? '0') * (units[part[2] ?? 's'] ?? 0);
  }
  return match[1] === '-' ? -total : total;
}

/** Whether two values mean the same to the kubelet. */
export function sameSettingValue(type: KubeletSettingType, a: SettingValue, b: SettingValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const la = Array.isArray(a) ? a : [String(a)];
    const lb = Array.isArray(b) ? b : [String(b)];
    return la.length === lb.length && la.every((e, i) => e === lb[i]);
  }
  if (type === 'boolean') {
    const ba = typeof a === 'boolean' ? a : parseGoBool(String(a));
    const bb = typeof b === 'boolean' ? b : parseGoBool(String(b));
    return ba !== undefined && ba === bb;
  }
  if (type === 'integer') return String(a).trim() === String(b).trim() || (Number(a) === Number(b) && /^[+-]?\d+$/.test(String(a).trim()));
  if (type === 'duration' || typeof a !== typeof b) {
    const da = parseGoDuration(String(a));
    const db = parseGoDuration(String(b));
    if (type === 'duration' && da !== undefined && db !== undefined) return da === db;
  }
  return String(a) === String(b);
}

/** How a value is shown in a plan. */
export function formatSettingValue(value: SettingValue | null): string {
  if (value === null) return '(unset)';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
