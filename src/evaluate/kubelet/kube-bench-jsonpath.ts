/**
 * The subset of Kubernetes JSONPath (k8s.io/client-go/util/jsonpath) that
 * kube-bench's kubelet checks use, evaluated the way kube-bench runs it:
 * AllowMissingKeys(true), results printed with Go's fmt.Fprint. Pure.
 *
 * Supported: literal text, `{.a.b}` field chains, `{['a']}`/`{[0]}` and
 * `{[:]}`/`{[*]}` on lists, `{range <path>}…{end}`, `{@}`/`{}` for the
 * current element and quoted literals `{','}`. Anything else is reported as
 * unsupported rather than guessed. Input data is the decoded config:
 * `numbers` says how Go holds its numbers (go-yaml v2 keeps integers as
 * int, encoding/json makes every number a float64).
 */
export type JsonPathResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly error: string };

type Step = { readonly kind: 'field'; readonly name: string } | { readonly kind: 'index'; readonly index: number } | { readonly kind: 'all' };
type Action =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'path'; readonly steps: readonly Step[] }
  | { readonly kind: 'range'; readonly steps: readonly Step[]; readonly body: readonly Action[] };

class Unsupported extends Error {}

export function evaluateJsonPath(template: string, data: unknown, numbers: 'yaml' | 'json'): JsonPathResult {
  let actions: Action[];
  try {
    actions = parseTemplate(template);
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  try {
    return { ok: true, text: run(actions, [data], numbers) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function parseTemplate(template: string): Action[] {
  const texts: (string | { action: string })[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      texts.push(template.slice(i));
      break;
    }
    if (open > i) texts.push(template.slice(i, open));
    const close = template.indexOf('}', open);
    if (close < 0) throw new Unsupported(`unclosed action in ${template}`);
    texts.push({ action: template.slice(open + 1, close).trim() });
    i = close + 1;
  }
  let at = 0;
  const parseBlock = (inRange: boolean): Action[] => {
    const out: Action[] = [];
    while (at < texts.length) {
      const part = texts[at] as string | { action: string };
      at += 1;
      if (typeof part === 'string') {
        out.push({ kind: 'text', text: part });
        continue;
      }
      const action = part.action;
      if (action === 'end') {
        if (!inRange) throw new Unsupported('{end} without {range}');
        return out;
      }
      if (action.startsWith('range ')) {
        const steps = parsePath(action.slice('range '.length).trim());
        out.push({ kind: 'range', steps, body: parseBlock(true) });
        continue;
      }
      const quoted = /^'([^']*)'$|^"([^"]*)"$/.exec(action);
      if (quoted) {
        out.push({ kind: 'text', text: quoted[1] ?? quoted[2] ?? '' });
        continue;
      }
      out.push({ kind: 'path', steps: parsePath(action) });
    }
    if (inRange) throw new Unsupported('{range} without {end}');
    return out;
  };
  return parseBlock(false);
}

function parsePath(path: string): Step[] {
  const steps: Step[] = [];
  let rest = path === '@' || path === '' ? '' : path.replace(/^@/, '');
  while (rest.length > 0) {
    let match: RegExpExecArray | null;
    if ((match = /^\.([A-Za-z0-9_-]+)/.exec(rest))) steps.push({ kind: 'field', name: match[1] ?? '' });
    else if ((match = /^\[\s*'([^']*)'\s*\]/.exec(rest)) || (match = /^\[\s*"([^"]*)"\s*\]/.exec(rest))) steps.push({ kind: 'field', name: match[1] ?? '' });
    else if ((match = /^\[\s*(-?\d+)\s*\]/.exec(rest))) steps.push({ kind: 'index', index: Number(match[1]) });
    else if ((match = /^\[\s*(\*|:)\s*\]/.exec(rest))) steps.push({ kind: 'all' });
    else throw new Unsupported(`unsupported JSONPath ${path}`);
    rest = rest.slice(match[0].length);
  }
  return steps;
}

function walk(steps: readonly Step[], inputs: readonly unknown[]): unknown[] {
  let current = [...inputs];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || value === undefined) continue;
      if (step.kind === 'field') {
        if (typeof value === 'object' && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, step.name))
          next.push((value as Record<string, unknown>)[step.name]);
      } else if (!Array.isArray(value)) {
        throw new Error(`${describe(value)} is not array or slice`);
      } else if (step.kind === 'all') {
        next.push(...value);
      } else {
        const index = step.index < 0 ? value.length + step.index : step.index;
        if (index < 0 || index >= value.length) throw new Error(`array index out of bounds: index ${step.index}, length ${value.length}`);
        next.push(value[index]);
      }
    }
    current = next;
  }
  return current;
}

function describe(value: unknown): string {
  return typeof value === 'object' ? 'map' : typeof value;
}

function run(actions: readonly Action[], current: readonly unknown[], numbers: 'yaml' | 'json'): string {
  let out = '';
  for (const action of actions) {
    switch (action.kind) {
      case 'text':
        out += action.text;
        break;
      case 'path':
        out += walk(action.steps, current)
          .map((v) => goPrint(v, numbers))
          .join(' ');
        break;
      case 'range':
        for (const item of walk(action.steps, current)) {
          const items = Array.isArray(item) ? item : [item];
          for (const element of items) out += run(action.body, [element], numbers);
        }
        break;
      default: {
        const never: never = action;
        return never;
      }
    }
  }
  return out;
}

/** fmt.Fprint of a decoded value. */
export function goPrint(value: unknown, numbers: 'yaml' | 'json'): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return numbers === 'yaml' && Number.isInteger(value) ? String(value) : goFloat(value);
  if (Array.isArray(value)) return `[${value.map((v) => goPrint(v, numbers)).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${goPrint(v, numbers)}`).join(' ')}]`;
  }
  return String(value);
}

/**
 * Go's %v for a float64: strconv 'g' with the shortest digits, which uses
 * the exponent form when the exponent is below -4 or at least 6
 * ("if precision was the shortest possible, use precision 6"): 1e+06.
 */
function goFloat(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa = '', exp = '0'] = value.toExponential().split('e');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return String(value);
}
