import { didYouMean } from '../model/closest-match.js';
import type { Benchmark, Control, Parameter, ParameterType, ParameterValue } from './types.js';

/**
 * Parameter values: validation of a value (a playbook default or an
 * inventory override) against its parameter, and the effective values for a
 * benchmark given the inventory's `parameters:` map.
 */

/** What to write for a parameter of this type, for messages. */
export function describeParameterType(param: Pick<Parameter, 'type' | 'values' | 'minimum'>): string {
  const type: ParameterType = param.type;
  switch (type) {
    case 'string':
      return 'a string';
    case 'integer':
      return param.minimum === undefined ? 'an integer' : `an integer of at least ${param.minimum}`;
    case 'boolean':
      return 'true or false';
    case 'path':
      return 'an absolute path';
    case 'enum':
      return `one of: ${(param.values ?? []).join(', ')}`;
    case 'string-list':
      return 'a list of strings';
    case 'string-map':
      return param.values ? `a map of names to one of: ${param.values.join(', ')}` : 'a map of names to strings';
  }
}

/** A problem with `value` for `param`, or undefined when it is valid. */
export function checkParameterValue(param: Pick<Parameter, 'name' | 'type' | 'values' | 'minimum'>, value: unknown): string | undefined {
  const bad = `parameter ${param.name} must be ${describeParameterType(param)}, not ${JSON.stringify(value)}`;
  switch (param.type) {
    case 'string':
      return typeof value === 'string' && value.length > 0 ? undefined : bad;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad;
      return param.minimum !== undefined && value < param.minimum ? bad : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : bad;
    case 'path':
      return typeof value === 'string' && value.startsWith('/') && !value.includes('\0') ? undefined : bad;
    case 'enum':
      return typeof value === 'string' && (param.values ?? []).includes(value) ? undefined : bad;
    case 'string-list':
      return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v.length > 0) ? undefined : bad;
    case 'string-map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) return bad;
      const entries = Object.entries(value as Record<string, unknown>);
      const wrong = entries.find(([, v]) => typeof v !== 'string' || (param.values !== undefined && !param.values.includes(v)));
      return wrong
        ? `parameter ${param.name}: "${wrong[0]}" must map to ${param.values ? `one of: ${param.values.join(', ')}` : 'a string'}, not ${JSON.stringify(wrong[1])}`
        : undefined;
    }
  }
}

/**
 * The effective parameter values of a benchmark: each parameter's default,
 * overridden by `overrides` (the inventory's `parameters:`). Parameters with
 * neither are absent from `values` (controls using them are not fixable).
 * Names the benchmark does not declare are reported, with a suggestion.
 */
export function resolveParameters(
  benchmark: Pick<Benchmark, 'parameters'>,
  overrides: Readonly<Record<string, unknown>>,
): { values: Readonly<Record<string, ParameterValue>>; problems: string[] } {
  const values: Record<string, ParameterValue> = {};
  const problems: string[] = [];
  const names = Object.keys(benchmark.parameters);
  for (const [name, value] of Object.entries(overrides)) {
    const param = benchmark.parameters[name];
    if (!param) {
      problems.push(`unknown parameter ${name}. ${didYouMean(name, names)}Parameters: ${names.join(', ')}.`);
      continue;
    }
    const problem = checkParameterValue(param, value);
    if (problem) problems.push(problem);
    else values[name] = value as ParameterValue;
  }
  for (const param of Object.values(benchmark.parameters)) {
    if (values[param.name] === undefined && param.default !== undefined && !(param.name in overrides)) values[param.name] = param.default;
  }
  return { values, problems };
}

/** The parameters `control` needs that have no value: while any remain, the control is `fixable: false`. */
export function missingParameters(control: Pick<Control, 'parameters'>, values: Readonly<Record<string, ParameterValue>>): string[] {
  return control.parameters.filter((name) => values[name] === undefined);
}
