import type { z } from 'zod';
import type { InputProblem, SourceLocation } from './errors.js';
import { didYouMean } from './closest-match.js';

/**
 * The one explainer of zod issues for every file cis-fix reads (playbooks,
 * the inventory, plan files, baseline.json): each problem says where (the
 * file's line and column for YAML, the JSON path for JSON), what is wrong,
 * and what to write instead.
 */

/** A path into parsed data: map keys and list indexes, as zod reports them. */
export type DataPath = readonly PropertyKey[];

/** A parsed input file and the way back from a path in its data to where it is written. */
export interface IssueSource {
  readonly file: string;
  readonly data: unknown;
  /**
   * Where the value at `path` is written (with `at: 'key'`, its key), falling
   * back to the deepest existing part of the path; undefined when the format
   * has no useful positions (JSON written by cis-fix itself): the problem
   * then names the JSON path.
   */
  locate(path: DataPath, at?: 'key' | 'value'): SourceLocation | undefined;
}

/** A source for JSON files: problems name the file and the JSON path (`plan.json: changes[3].after.mode: …`). */
export function jsonIssueSource(file: string, data: unknown): IssueSource {
  return { file, data, locate: () => undefined };
}

/** `changes[3].after.mode`, as a JSON path reads. */
export function formatJsonPath(path: DataPath): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else out += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(String(step)) ? `${out ? '.' : ''}${String(step)}` : `[${JSON.stringify(String(step))}]`;
  }
  return out || '(the document)';
}

/**
 * A file format's own words for some issues (the inventory speaks of nodes
 * and SSH settings, and suggests the key meant): returns the problems when it
 * has better wording than the generic one, else undefined.
 */
export type IssueWording = (issue: z.core.$ZodIssue, source: IssueSource) => InputProblem[] | undefined;

export function explainIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, source: IssueSource, wording?: IssueWording): InputProblem[] {
  return issues.flatMap((issue) => explainIssue(issue, schema, source, wording));
}

/** One issue explained; without positions (JSON) each problem is prefixed with the file and the JSON path it is about. */
export function explainIssue(issue: z.core.$ZodIssue, schema: z.ZodType, source: IssueSource, wording?: IssueWording): InputProblem[] {
  const problems = wording?.(issue, source) ?? explainAt(issue, schema, source);
  if (source.locate(issue.path) !== undefined) return problems;
  return problems.map((problem, i) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[i] ?? ''] : issue.path;
    return { location: undefined, message: `${source.file}: ${formatJsonPath(path)}: ${problem.message}`, fix: problem.fix };
  });
}

function explainAt(issue: z.core.$ZodIssue, schema: z.ZodType, source: IssueSource): InputProblem[] {
  const path = issue.path;
  const key = describeKey(path);
  const value = valueAt(source.data, path);
  // A map or list starts on the line after its key: point at the key, where the reader looks.
  const at = (): SourceLocation | undefined => source.locate(path, value !== null && typeof value === 'object' ? 'key' : 'value');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysAt(schema, path, source.data);
      return issue.keys.map((unknown) => ({
        location: source.locate([...path, unknown], 'key'),
        message: `unknown key \`${unknown}\``,
        fix: `${didYouMean(unknown, allowed)}Keys allowed here: ${allowed.join(', ')}.`,
      }));
    }
    case 'invalid_union': {
      if ('note' in issue && issue.note === 'No matching discriminator') {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        const written = value === undefined ? undefined : String(value);
        return [
          {
            location: source.locate(path, written === undefined ? 'key' : 'value'),
            message: written === undefined ? `missing \`${key}\`` : `unknown ${key} "${written}"`,
            fix: `${written === undefined ? '' : didYouMean(written, options)}Write one of: ${options.join(', ')}.`,
          },
        ];
      }
      // A value that may take several forms (a literal or `{ param: NAME }`): explain the closest form.
      const branches = issue.errors.filter((branch) => branch.length > 0);
      const allTypeErrors = branches.every((branch) => branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0);
      if (allTypeErrors) {
        const expected = branches.map((branch) => describeExpected((branch[0] as { expected?: string }).expected ?? 'value'));
        return [
          {
            location: at(),
            message: `\`${key}\` is ${describeValue(value)}, not ${expected.join(' or ')}`,
            fix: `Write ${expected.join(', or ')}.`,
          },
        ];
      }
      const closest = [...branches].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0] ?? [];
      return closest.flatMap((inner) => explainAt({ ...inner, path: [...path, ...inner.path] } as z.core.$ZodIssue, schema, source));
    }
    case 'invalid_type': {
      if (value === undefined) {
        const parent = path.slice(0, -1);
        return [{ location: source.locate(parent, 'key'), message: `missing \`${key}\``, fix: `Add \`${String(path[path.length - 1])}:\` here.` }];
      }
      const expected = describeExpected(issue.expected);
      const quote = issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean');
      return [
        {
          location: at(),
          message: `\`${key}\` is ${describeValue(value)}, not ${expected}`,
          fix: quote ? `Quote it: ${String(path[path.length - 1])}: "${String(value)}" (YAML reads it unquoted as a ${typeof value}).` : `Write ${expected}.`,
        },
      ];
    }
    case 'invalid_value': {
      const options = issue.values.map(String);
      return [
        {
          location: at(),
          message: value === undefined ? `missing \`${key}\`` : `\`${key}\` is ${describeValue(value)}`,
          fix: `${value === undefined ? '' : didYouMean(String(value), options)}Write ${options.length === 1 ? JSON.stringify(issue.values[0]) : `one of: ${options.join(', ')}`}.`,
        },
      ];
    }
    case 'too_small':
      return [
        {
          location: at(),
          message: Array.isArray(value)
            ? `\`${key}\` is an empty list`
            : value === ''
              ? `\`${key}\` is empty`
              : `\`${key}\` is ${describeValue(value)}, below the minimum ${String(issue.minimum)}`,
          fix: Array.isArray(value)
            ? 'Give at least one entry, or remove the key.'
            : typeof value === 'string'
              ? 'Write some text, or remove the key.'
              : `Write a value of at least ${String(issue.minimum)}.`,
        },
      ];
    case 'too_big':
      return [
        {
          location: at(),
          message: `\`${key}\` is ${describeValue(value)}, above the maximum ${String(issue.maximum)}`,
          fix: `Write a value of at most ${String(issue.maximum)}.`,
        },
      ];
    case 'invalid_format':
      // Messages written as "expected …" (the plan schema's) read best as the message itself.
      if (issue.message.startsWith('expected ')) return [{ location: at(), message: `${issue.message}, not ${describeValue(value)}`, fix: undefined }];
      return [{ location: at(), message: `\`${key}\` is ${describeValue(value)}, which is not valid here`, fix: issue.message }];
    case 'custom': {
      const fix = (issue.params as { fix?: string } | undefined)?.fix;
      return [{ location: at(), message: issue.message, fix }];
    }
    default:
      return [{ location: at(), message: `\`${key}\`: ${issue.message}`, fix: undefined }];
  }
}

function depth(branch: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...branch.map((issue) => issue.path.length));
}

function describeKey(path: DataPath): string {
  const names = path.filter((step) => typeof step === 'string');
  return names.length ? String(names[names.length - 1]) : 'the document';
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a map (`{ param: NAME }` refers to a parameter)';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    default:
      return expected;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `"${value}"`;
  return `${typeof value} ${String(value)}`;
}

export function valueAt(data: unknown, path: DataPath): unknown {
  let node = data;
  for (const step of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[step as string];
  }
  return node;
}

/** The zod definition of any schema, read structurally (zod v4 keeps it at `_zod.def`). */
interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly valueType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly getter?: () => z.ZodType;
  readonly values?: readonly unknown[];
  readonly discriminator?: string;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The keys a strict object at `path` allows, found by walking the schema along the data. */
export function keysAt(schema: z.ZodType, path: DataPath, data: unknown): string[] {
  const target = schemaAt(schema, path, data);
  const shape = target ? objectShape(target, valueAt(data, path)) : undefined;
  return shape ? Object.keys(shape) : [];
}

function schemaAt(schema: z.ZodType, path: DataPath, data: unknown): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (let i = 0; i < path.length && current; i++) {
    const step = path[i] as PropertyKey;
    const here = valueAt(data, path.slice(0, i));
    current = unwrap(current, here);
    if (!current) return undefined;
    const def = defOf(current);
    if (def.type === 'object') current = def.shape?.[String(step)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return undefined;
  }
  return current ? unwrap(current, valueAt(data, path)) : undefined;
}

/** Strip optional/default/lazy/pipe wrappers; for unions, pick the object option that fits the data best. */
function unwrap(schema: z.ZodType, data: unknown): z.ZodType | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
      return def.innerType ? unwrap(def.innerType, data) : undefined;
    case 'lazy':
      return def.getter ? unwrap(def.getter(), data) : undefined;
    case 'pipe':
      return def.in ? unwrap(def.in, data) : undefined;
    case 'union': {
      const candidates = (def.options ?? []).map((option) => unwrap(option, data)).filter((o): o is z.ZodType => o !== undefined);
      const objects = candidates.filter((o) => defOf(o).type === 'object');
      if (objects.length === 0) return candidates[0];
      const keys = data && typeof data === 'object' && !Array.isArray(data) ? Object.keys(data) : [];
      const score = (option: z.ZodType): number => {
        const shape = defOf(option).shape ?? {};
        let s = keys.filter((k) => k in shape).length;
        const disc = def.discriminator;
        const discSchema = disc ? shape[disc] : undefined;
        if (disc && discSchema && defOf(discSchema).values?.includes((data as Record<string, unknown>)[disc])) s += 100;
        return s;
      };
      return [...objects].sort((a, b) => score(b) - score(a))[0];
    }
    default:
      return schema;
  }
}

function objectShape(schema: z.ZodType, data: unknown): Record<string, z.ZodType> | undefined {
  const target = unwrap(schema, data);
  if (!target) return undefined;
  const def = defOf(target);
  return def.type === 'object' ? def.shape : undefined;
}
