import { expandTemplate } from '../../playbook/path-template.js';
import { isParamRef, type ParameterValue, type Requirement, type SettingValue, type Valued } from '../../playbook/types.js';
import type { EffectiveKubeletSetting } from '../kubelet-setting.js';
import { formatSettingValue, sameSettingValue } from './setting-value.js';

/**
 * Whether a kubelet setting's effective value meets a playbook Requirement
 * (playbook/types.ts), and what value a fix would write. Pure.
 *
 * cis-fix judges the value the kubelet really uses. "Set" means set by a
 * flag or in the config file; `allowAbsent` lets an unset setting pass only
 * when its default (kubelet-defaults.ts) is itself compliant, or unknown.
 * So 4.2.10 fails when rotateCertificates is unset (the default is false)
 * although kube-bench passes it: the plan reports that as stricter.
 */
export interface SettingJudgement {
  readonly compliant: boolean;
  /** Human-readable requirement, e.g. "false", "not 0s", "set", "not set". */
  readonly expected: string;
  /** The value cannot be known (a source cis-fix cannot read): never compliant. */
  readonly undetermined: boolean;
  /** A parameter with no value that the requirement needs. */
  readonly needsParameter?: string;
}

/** What a fix writes: a value, a parameter still to choose, or why the value cannot be formed. */
export type SettingTarget =
  | { readonly kind: 'value'; readonly value: SettingValue }
  | { readonly kind: 'needs-parameter'; readonly parameter: string }
  | { readonly kind: 'unresolved'; readonly reason: string }
  /** `absent`: the fix removes the setting. */
  | { readonly kind: 'remove' }
  /** List membership: the fix adds or removes one element of the current list. */
  | { readonly kind: 'add-element' | 'remove-element'; readonly element: string; readonly insert: 'start' | 'end' };

export type Variables = Readonly<Record<string, readonly string[]>>;

/** A Valued<T> with parameters and `{variable}` path templates resolved. */
export function resolveSettingValue(value: Valued<SettingValue>, parameters: Readonly<Record<string, ParameterValue>>, variables: Variables): SettingTarget {
  if (isParamRef(value)) {
    const chosen = parameters[value.param];
    if (chosen === undefined) return { kind: 'needs-parameter', parameter: value.param };
    if (typeof chosen === 'object' && !Array.isArray(chosen)) return { kind: 'unresolved', reason: `parameter ${value.param} is a map, not a setting value` };
    return { kind: 'value', value: chosen as SettingValue };
  }
  if (typeof value === 'string' && /\{[^{}]+\}/.test(value)) {
    const [expanded] = expandTemplate(value, variables);
    if (expanded === undefined) return { kind: 'unresolved', reason: `${value} names a path variable that does not resolve on this node` };
    return { kind: 'value', value: expanded };
  }
  return { kind: 'value', value };
}

export function settingTarget(requirement: Requirement, parameters: Readonly<Record<string, ParameterValue>>, variables: Variables): SettingTarget {
  switch (requirement.op) {
    case 'equals':
      return resolveSettingValue(requirement.value, parameters, variables);
    case 'not-equals':
      return resolveSettingValue(requirement.fixValue, parameters, variables);
    case 'at-least':
      return resolveSettingValue(requirement.value, parameters, variables);
    case 'present':
      return resolveSettingValue(requirement.setIfAbsent, parameters, variables);
    case 'absent':
      return { kind: 'remove' };
    case 'contains-element':
      return { kind: 'add-element', element: requirement.element, insert: requirement.insert };
    case 'not-contains-element':
      return { kind: 'remove-element', element: requirement.element, insert: 'end' };
    case 'elements-within':
      return resolveSettingValue(requirement.allowed as Valued<SettingValue>, parameters, variables);
    default: {
      const never: never = requirement;
      return never;
    }
  }
}

function elements(value: SettingValue): string[] {
  return Array.isArray(value)
    ? [...value]
    : String(value)
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e !== '');
}

export function judgeKubeletSetting(
  effective: Pick<EffectiveKubeletSetting, 'value' | 'source' | 'spec'>,
  requirement: Requirement,
  parameters: Readonly<Record<string, ParameterValue>>,
  variables: Variables = {},
): SettingJudgement {
  const { value, source, spec } = effective;
  const set = (source.kind === 'flag' || source.kind === 'config') && value !== null && value !== '';
  const same = (a: SettingValue, b: SettingValue): boolean => sameSettingValue(spec.type, a, b);
  const verdict = (compliant: boolean, expected: string, needsParameter?: string): SettingJudgement => ({
    compliant: compliant && source.kind !== 'unknown',
    expected,
    undetermined: source.kind === 'unknown',
    ...(needsParameter !== undefined ? { needsParameter } : {}),
  });
  /** Unset passes only with allowAbsent, and then only if the default is compliant or unknown (or `absentAnyDefault`: whatever it is). */
  const anyDefault = (requirement.op === 'equals' || requirement.op === 'not-equals') && requirement.absentAnyDefault === true;
  const absentPasses = (allowAbsent: boolean, test: (v: SettingValue) => boolean): boolean => allowAbsent && (anyDefault || value === null || test(value));

  switch (requirement.op) {
    case 'equals': {
      const target = resolveSettingValue(requirement.value, parameters, variables);
      if (target.kind !== 'value') return verdict(false, 'a value', target.kind === 'needs-parameter' ? target.parameter : undefined);
      const expected = `${formatSettingValue(target.value)}${requirement.allowAbsent ? ' (or unset)' : ''}`;
      return verdict(set ? same(value, target.value) : absentPasses(requirement.allowAbsent, (v) => same(v, target.value)), expected);
    }
    case 'not-equals': {
      const bad = (v: SettingValue): boolean => requirement.values.some((b) => same(v, b));
      return verdict(
        set ? !bad(value) : absentPasses(requirement.allowAbsent, (v) => !bad(v)),
        `not ${requirement.values.map((v) => formatSettingValue(v)).join(', ')}${requirement.allowAbsent ? ' (or unset)' : ''}`,
      );
    }
    case 'at-least': {
      const target = resolveSettingValue(requirement.value, parameters, variables);
      if (target.kind !== 'value') return verdict(false, 'at least a minimum', target.kind === 'needs-parameter' ? target.parameter : undefined);
      const n = Number(value);
      return verdict(set && /^[+-]?\d+$/.test(String(value)) && n >= Number(target.value), `at least ${formatSettingValue(target.value)}`);
    }
    case 'present':
      return verdict(set, 'set');
    case 'absent':
      return verdict(!set, 'not set');
    case 'contains-element':
      return verdict(set && elements(value).includes(requirement.element), `contains ${requirement.element}`);
    case 'not-contains-element':
      return verdict(!set || !elements(value).includes(requirement.element), `does not contain ${requirement.element}`);
    case 'elements-within': {
      const target = resolveSettingValue(requirement.allowed as Valued<SettingValue>, parameters, variables);
      if (target.kind !== 'value') return verdict(false, 'only allowed elements', target.kind === 'needs-parameter' ? target.parameter : undefined);
      const allowed = elements(target.value);
      const have = set ? elements(value) : [];
      return verdict(have.length > 0 && have.every((e) => allowed.includes(e)), `only ${allowed.join(',')}`);
    }
    default: {
      const never: never = requirement;
      return never;
    }
  }
}
