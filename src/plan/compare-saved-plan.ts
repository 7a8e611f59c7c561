import type { Change } from '../model/change.js';
import { StalePlanError, UserError, type InputProblem } from '../model/errors.js';
import { formatJsonPath } from '../model/explain-zod-issue.js';
import type { Plan } from './plan.js';

/**
 * A saved plan is checked, not trusted (DESIGN.md §7): `apply PLANFILE`
 * plans again from fresh facts, for the same inventory, parameters,
 * benchmark and selection, and every saved change must be exactly the
 * change cis-fix makes now for its target. Pure.
 *
 * Two kinds of difference, both refused before any lock:
 * - what the change does (kind, target, action, every field of `after`,
 *   restart, the diff shown, the controls it claims): the file was edited,
 *   or cis-fix would not make that change — a UserError naming the change
 *   id and the field;
 * - what the change found (`precondition`, `before`, and for API objects
 *   the notes and the server's dry-run warnings, which follow the cluster's
 *   state): the node or the cluster changed since the plan — a stale plan,
 *   whatever else differs (a stale plan is refused all the same).
 *
 * What apply then prints and writes are the re-derived change objects, never
 * the file's.
 */
export function validatedChanges(saved: Plan, derived: Plan): Change[] {
  const problems: InputProblem[] = [];
  const stale: string[] = [];
  const problem = (message: string) => problems.push({ location: undefined, message, fix: undefined });

  if (saved.benchmark.id !== derived.benchmark.id) problem(`benchmark.id: the plan says ${saved.benchmark.id}, cis-fix planned ${derived.benchmark.id}`);
  for (const path of differingFields(saved.selection, derived.selection)) {
    problem(
      `selection.${formatJsonPath(path)}: the plan says ${show(valueAt(saved.selection, path))}, cis-fix planned for ${show(valueAt(derived.selection, path))}`,
    );
  }
  const byId = new Map(derived.changes.map((c) => [c.id, c]));
  const seen = new Set<string>();
  const validated: Change[] = [];
  saved.changes.forEach((change, index) => {
    const where = `changes[${index}] (${change.id})`;
    if (seen.has(change.id)) return problem(`${where}: the plan holds this change twice`);
    seen.add(change.id);
    const fresh = byId.get(change.id);
    if (!fresh) {
      return problem(`${where}: cis-fix would not make this change (${change.kind} on ${change.target}${change.node ? ` on ${change.node}` : ''})`);
    }
    const differences = differingFields(change, fresh);
    // What the change found moved on: the plan is stale, and what it would do (its diff names the
    // resourceVersion; a patch follows the object) cannot be judged against it any more.
    if (differences.some(isObservedState)) {
      stale.push(describeStale(change, fresh, differences.filter(isObservedState)));
      return;
    }
    const substantive = differences;
    if (substantive.length > 0) {
      const first = substantive[0]!;
      const more =
        substantive.length > 1
          ? ` (and ${substantive.length - 1} more field(s): ${substantive.slice(1, 4).map(formatJsonPath).join(', ')}${substantive.length > 4 ? ', …' : ''})`
          : '';
      return problem(`${where}: ${describeDifference(first, valueAt(change, first), valueAt(fresh, first))}${more}`);
    }
    validated.push(fresh);
  });
  if (problems.length > 0) {
    throw new UserError('the plan file holds changes cis-fix would not make: it was edited, so nothing was applied', problems, [
      "A plan is applied exactly as cis-fix wrote it. Make a new one ('cis-fix plan -o FILE'), review it, and apply that.",
    ]);
  }
  if (stale.length > 0) throw new StalePlanError(stale);
  return validated;
}

/** `worker-2:/etc/kubernetes/kubelet.conf (precondition.mode changed since the plan)`, `Namespace apps (resourceVersion 53 in the plan, 57 now)`. */
function describeStale(saved: Change, fresh: Change, differences: readonly JsonPath[]): string {
  // An API object's precondition is its resourceVersion: say which one moved on.
  if ('resourceVersion' in saved.precondition && 'resourceVersion' in fresh.precondition) {
    if (saved.precondition.resourceVersion !== fresh.precondition.resourceVersion) {
      return `${saved.target} (resourceVersion ${saved.precondition.resourceVersion} in the plan, ${fresh.precondition.resourceVersion} now)`;
    }
  }
  return `${saved.node ? `${saved.node}:` : ''}${saved.target} (${differences.map(formatJsonPath).join(', ')} changed since the plan)`;
}

/** Fields that record what the plan found rather than what the change does: a difference there means the target changed since. */
function isObservedState(path: readonly PropertyKey[]): boolean {
  const [field] = path;
  if (field === 'precondition' || field === 'before') return true;
  // What the API server said on the dry run (only API objects carry these).
  return field === 'notes' || field === 'dryRunWarnings';
}

type JsonPath = readonly PropertyKey[];

/** Leaf paths where the two values differ, compared as JSON (a field JSON drops equals an absent one). */
export function differingFields(a: unknown, b: unknown): JsonPath[] {
  const out: JsonPath[] = [];
  walk(JSON.parse(JSON.stringify(a ?? null)) as unknown, JSON.parse(JSON.stringify(b ?? null)) as unknown, [], out);
  return out;
}

function walk(a: unknown, b: unknown, path: JsonPath, out: JsonPath[]): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      out.push(path);
      return;
    }
    a.forEach((item, i) => walk(item, b[i], [...path, i], out));
    return;
  }
  if (isObject(a) && isObject(b)) {
    // The fields in a stable order: the saved change's first, then any it lacks.
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], [...path, key], out);
    return;
  }
  if (a !== b) out.push(path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(value: unknown, path: JsonPath): unknown {
  let cursor = JSON.parse(JSON.stringify(value)) as unknown;
  for (const step of path) {
    if (cursor === null || typeof cursor !== 'object') return undefined;
    cursor = (cursor as Record<PropertyKey, unknown>)[step];
  }
  return cursor;
}

/** `after.mode is "777" in the plan, but cis-fix would make it "600"`; for file contents, the first line that differs. */
function describeDifference(path: JsonPath, saved: unknown, fresh: unknown): string {
  if (typeof saved === 'string' && typeof fresh === 'string' && (saved.includes('\n') || fresh.includes('\n'))) {
    const a = saved.split('\n');
    const b = fresh.split('\n');
    const line = a.findIndex((text, i) => text !== b[i]);
    const at = line === -1 ? a.length : line;
    return `${formatJsonPath(path)} line ${at + 1} is ${show(a[at])} in the plan, but cis-fix would make it ${show(b[at])}`;
  }
  return `${formatJsonPath(path)} is ${show(saved)} in the plan, but cis-fix would make it ${show(fresh)}`;
}

/** A value, short enough for one line of an error message. */
function show(value: unknown): string {
  if (value === undefined) return 'absent';
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}…` : json;
}
