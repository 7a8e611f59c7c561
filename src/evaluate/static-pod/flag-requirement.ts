import { compareValue } from '../kube-bench/test-items.js';
import { expandTemplate, templateVariables } from '../../playbook/path-template.js';
import { isParamRef } from '../../playbook/types.js';
import type { ParameterValue, Requirement, SettingValue, Valued } from '../../playbook/types.js';
import { listElements } from './flag-list.js';

/**
 * A static pod flag's Requirement (playbook/types.ts) judged against the
 * flag's value, with kube-bench's comparison semantics where kube-bench has
 * them (KUBE-BENCH-SEMANTICS.md "Semantics of the tests operators"):
 *
 * - `equals` / `not-equals`: kube-bench's `eq` / `noteq`: true/false compare
 *   case-insensitively, anything else exactly.
 * - `at-least`: kube-bench's `gte`: integers only ("30s" fails).
 * - `elements-within`: kube-bench's `valid_elements`.
 * - `present`: stricter than kube-bench's bare presence: an empty value
 *   (`--audit-log-path=`) does not count, since the component then has no
 *   value either.
 * - `contains-element`: stricter than kube-bench's `has`, a substring test:
 *   the element must be a whole list element (`NodeRestrictionX` does not
 *   contain `NodeRestriction`), because that is what the component reads.
 *   Whatever satisfies the element test also satisfies `has`.
 * - `not-contains-element`: exactly kube-bench's `nothave`, a substring
 *   test, which is stricter than the element test: `AlwaysAllowed` would
 *   count as containing `AlwaysAllow`. Looser would let kube-bench fail
 *   after apply. The fix removes whole elements only, so such a value is
 *   reported unfixable (flag-fix.ts).
 * - an absent flag satisfies `absent` and `not-contains-element`, and
 *   `equals`/`not-equals` only with `allowAbsent`.
 */

/** A Requirement whose values are concrete flag strings: parameters and path variables already substituted. */
export type ResolvedRequirement =
  | { readonly op: 'equals'; readonly value: string; readonly allowAbsent: boolean }
  | { readonly op: 'not-equals'; readonly values: readonly string[]; readonly fixValue: string; readonly allowAbsent: boolean }
  | { readonly op: 'at-least'; readonly value: number }
  | { readonly op: 'present'; readonly setIfAbsent: string }
  | { readonly op: 'absent' }
  | { readonly op: 'contains-element'; readonly element: string; readonly insert: 'start' | 'end' }
  | { readonly op: 'not-contains-element'; readonly element: string }
  | { readonly op: 'elements-within'; readonly allowed: readonly string[] };

export type ResolveResult =
  | { readonly kind: 'resolved'; readonly requirement: ResolvedRequirement }
  /** A parameter the requirement uses has no value (no default, not set in the inventory). */
  | { readonly kind: 'needs-parameter'; readonly parameter: string }
  /** A path variable (`{pki}`) in a value did not resolve on this node. */
  | { readonly kind: 'needs-variable'; readonly variables: readonly string[] }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Path variables as resolved on one node (evaluate/resolve-variables.ts). */
export type VariableValues = Readonly<Record<string, readonly string[]>>;
export type ParameterValues = Readonly<Record<string, ParameterValue>>;

/** Substitute parameters (`{ param: NAME }`) and path variables (`"{pki}/ca.crt"`). */
export function resolveRequirement(requirement: Requirement, parameters: ParameterValues, variables: VariableValues = {}): ResolveResult {
  const values = new Resolver(parameters, variables);
  try {
    const resolved = ((): ResolvedRequirement => {
      switch (requirement.op) {
        case 'equals':
          return { op: 'equals', value: values.flagValue(requirement.value), allowAbsent: requirement.allowAbsent };
        case 'not-equals':
          return {
            op: 'not-equals',
            values: requirement.values.map((v) => values.flagValue(v)),
            fixValue: values.flagValue(requirement.fixValue),
            allowAbsent: requirement.allowAbsent,
          };
        case 'at-least':
          return { op: 'at-least', value: values.integer(requirement.value) };
        case 'present':
          return { op: 'present', setIfAbsent: values.flagValue(requirement.setIfAbsent) };
        case 'absent':
          return { op: 'absent' };
        case 'contains-element':
          return { op: 'contains-element', element: requirement.element, insert: requirement.insert };
        case 'not-contains-element':
          return { op: 'not-contains-element', element: requirement.element };
        case 'elements-within':
          return { op: 'elements-within', allowed: values.list(requirement.allowed) };
        default: {
          const never: never = requirement;
          return never;
        }
      }
    })();
    return { kind: 'resolved', requirement: resolved };
  } catch (error) {
    if (error instanceof Unresolved) return error.result;
    throw error;
  }
}

/** Whether a flag value (undefined: the flag is not set) satisfies the requirement. */
export function requirementSatisfied(requirement: ResolvedRequirement, currentValue: string | undefined): boolean {
  switch (requirement.op) {
    case 'equals':
      return currentValue === undefined ? requirement.allowAbsent : compareValue('eq', currentValue, requirement.value);
    case 'not-equals':
      return currentValue === undefined ? requirement.allowAbsent : requirement.values.every((v) => compareValue('noteq', currentValue, v));
    case 'at-least':
      return currentValue !== undefined && compareValue('gte', currentValue, String(requirement.value));
    case 'present':
      return currentValue !== undefined && currentValue !== '';
    case 'absent':
      return currentValue === undefined;
    case 'contains-element':
      return currentValue !== undefined && listElements(currentValue).includes(requirement.element);
    case 'not-contains-element':
      return currentValue === undefined || compareValue('nothave', currentValue, requirement.element);
    case 'elements-within':
      return currentValue !== undefined && compareValue('valid_elements', currentValue, requirement.allowed.join(','));
    default: {
      const never: never = requirement;
      return never;
    }
  }
}

/** Thrown inside resolveRequirement only, to leave the switch early with a result. */
class Unresolved extends Error {
  constructor(readonly result: Exclude<ResolveResult, { kind: 'resolved' }>) {
    super(result.kind);
  }
}

class Resolver {
  constructor(
    private readonly parameters: ParameterValues,
    private readonly variables: VariableValues,
  ) {}

  /** A value as the flag spells it: booleans as true/false, lists joined with ",". */
  flagValue(value: Valued<SettingValue>): string {
    const raw = this.raw(value);
    if (typeof raw === 'string') return this.expand(raw);
    if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
    if (Array.isArray(raw)) return raw.join(',');
    throw new Unresolved({ kind: 'invalid', reason: `${describe(value)} is a map, not a flag value` });
  }

  integer(value: Valued<number>): number {
    const raw = this.raw(value);
    const number = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    if (typeof number === 'number' && Number.isInteger(number)) return number;
    throw new Unresolved({ kind: 'invalid', reason: `${describe(value)} is not an integer` });
  }

  list(value: Valued<readonly string[]>): string[] {
    const raw = this.raw(value);
    if (typeof raw === 'string') return listElements(raw);
    if (Array.isArray(raw) && raw.every((e) => typeof e === 'string')) return [...raw];
    throw new Unresolved({ kind: 'invalid', reason: `${describe(value)} is not a list of strings` });
  }

  private raw(value: Valued<SettingValue | number | readonly string[]>): ParameterValue {
    if (!isParamRef(value)) return value;
    const found = this.parameters[value.param];
    if (found === undefined) throw new Unresolved({ kind: 'needs-parameter', parameter: value.param });
    return found;
  }

  /** `{pki}/ca.crt` → `/etc/kubernetes/pki/ca.crt`; text without `{name}` parts is returned as is. */
  private expand(text: string): string {
    const names = templateVariables(text);
    if (names.length === 0) return text;
    const missing = names.filter((name) => (this.variables[name]?.length ?? 0) === 0);
    if (missing.length) throw new Unresolved({ kind: 'needs-variable', variables: [...new Set(missing)] });
    const paths = expandTemplate(text, this.variables);
    if (paths.length !== 1 || paths[0] === undefined)
      throw new Unresolved({ kind: 'invalid', reason: `${text} stands for ${paths.length} paths, a flag takes one` });
    return paths[0];
  }
}

function describe(value: unknown): string {
  return isParamRef(value) ? `parameter ${value.param}` : JSON.stringify(value);
}
