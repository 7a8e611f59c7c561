import fc from 'fast-check';
import { CisFixError } from '../../../src/model/errors.js';
import { validatedChanges } from '../../../src/plan/compare-saved-plan.js';
import type { Plan } from '../../../src/plan/plan.js';
import { parsePlan, serializePlan } from '../../../src/plan/planfile.js';
import { fixturePlan } from './support/fixture-plan.js';
import { runs } from '../support/property-runs.js';

// Issue 9: random tampering of a valid plan file is always refused, with
// exit 1, by the loader (schema) and the comparison with the re-derived
// plan. The plan is real: made by the planning code from recorded facts.
// What is tampered is what apply acts on: every change, the benchmark and
// the selection. (The findings and summary a file carries are never shown
// or used: apply shows the re-derived ones. The benchmark's `chosenBy` is
// narrative, like `createdAt`.)

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

let plan: Plan;
let text: string;
let paths: { leaves: Path[]; fields: Path[]; objects: Path[] };

beforeAll(async () => {
  plan = (await fixturePlan()).plan;
  text = serializePlan(plan);
  const data = JSON.parse(text) as Json;
  const leaves: Path[] = [];
  const fields: Path[] = [];
  const objects: Path[] = [];
  const walk = (value: Json, path: Path) => {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i]));
    else if (value !== null && typeof value === 'object') {
      objects.push(path);
      for (const [key, item] of Object.entries(value)) {
        fields.push([...path, key]);
        walk(item, [...path, key]);
      }
    } else leaves.push(path);
  };
  const root = data as { [key: string]: Json };
  walk(root['changes']!, ['changes']);
  // The benchmark's id only: `chosenBy` says how `plan` chose it (`auto: …`), narrative like
  // `createdAt`. Apply re-plans with the saved id, so it cannot be re-derived, and it is never acted on.
  leaves.push(['benchmark', 'id']);
  walk(root['selection']!, ['selection']);
  // Inside a change only: dropping a whole change from the file leaves a smaller plan that is still one cis-fix makes.
  paths = {
    leaves: leaves.filter((p) => p[0] !== 'changes' || p.length > 2),
    fields: fields.filter((p) => p[0] === 'changes' && p.length > 2),
    objects: objects.filter((p) => p[0] === 'changes'),
  };
});

/** Exit 1 before anything: a CisFixError whose exit code is 1 (UserError or StalePlanError). */
function refused(tampered: string): boolean {
  try {
    validatedChanges(parsePlan(tampered, 'plan.json'), plan);
    return false;
  } catch (error) {
    return error instanceof CisFixError && error.exitCode === 1;
  }
}

/**
 * The container holding `path`'s last step, or undefined when an earlier
 * tamper in the same run removed or replaced something on the way (a second
 * deletion under a field the first one deleted): that tamper then changes nothing.
 */
function at(data: Json, path: Path): { parent: Record<string | number, Json>; key: string | number } | undefined {
  let parent = data;
  for (const step of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return undefined;
    parent = (parent as Record<string | number, Json>)[step] as Json;
  }
  if (parent === null || typeof parent !== 'object') return undefined;
  return { parent: parent as Record<string | number, Json>, key: path[path.length - 1]! };
}

const anyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('600', '777', '/etc/passwd', 'root', 'kubelet', 'file-mode'),
);

type Tamper = (data: Json) => boolean;

const changeLeaf = fc.tuple(fc.nat(), anyValue).map(([i, value]): Tamper => (data) => {
  const site = at(data, paths.leaves[i % paths.leaves.length]!);
  if (!site || !(site.key in site.parent)) return false;
  if (JSON.stringify(site.parent[site.key]) === JSON.stringify(value)) return false;
  site.parent[site.key] = value;
  return true;
});

const deleteField = fc.nat().map((i): Tamper => (data) => {
  const site = at(data, paths.fields[i % paths.fields.length]!);
  if (!site || !(site.key in site.parent)) return false;
  delete site.parent[site.key];
  return true;
});

const addField = fc.tuple(fc.nat(), fc.string({ minLength: 1 }), anyValue).map(([i, name, value]): Tamper => (data) => {
  const path = paths.objects[i % paths.objects.length]!;
  const site = path.length ? at(data, path) : undefined;
  if (path.length && !site) return false;
  const target = (site ? site.parent[site.key] : data) as Json;
  if (target === null || typeof target !== 'object' || Array.isArray(target) || name in target) return false;
  target[name] = value;
  return true;
});

const addChange = fc
  .tuple(fc.nat(), fc.constantFrom('/etc/passwd', '/etc/cron.d/evil', '/etc/kubernetes/manifests/evil.yaml', '/root/.ssh/authorized_keys', ''))
  .map(([i, target]): Tamper => (data) => {
    const changes = (data as { changes: Record<string, Json>[] }).changes;
    const copy = JSON.parse(JSON.stringify(changes[i % changes.length])) as Record<string, Json>;
    // An empty target: the very same change a second time.
    if (target) {
      copy['target'] = target;
      copy['id'] = `${String(copy['node'] ?? 'cluster')}:${String(copy['kind'])}:${target}`;
    }
    changes.push(copy);
    return true;
  });

const KINDS = ['file-mode', 'file-owner', 'static-pod-manifest', 'kubelet-file', 'support-file', 'api-object', 'shell-command'];
const changeKind = fc.tuple(fc.nat(), fc.constantFrom(...KINDS)).map(([i, kind]): Tamper => (data) => {
  const changes = (data as { changes: Record<string, Json>[] }).changes;
  const change = changes[i % changes.length]!;
  if (change['kind'] === kind) return false;
  change['kind'] = kind;
  return true;
});

describe('a tampered plan file', () => {
  it('is itself accepted untouched (the property below is not vacuous)', () => {
    expect(refused(text)).toBe(false);
  });

  it('is refused when a second tamper reaches under a field the first one deleted (CI seed -795582324)', () => {
    // The run that found this threw a TypeError inside the test instead of judging the plan.
    const nested = paths.fields.find((inner) => paths.fields.some((outer) => outer.length < inner.length && outer.every((step, i) => inner[i] === step)))!;
    const outer = paths.fields.find((candidate) => candidate.length < nested.length && candidate.every((step, i) => nested[i] === step))!;
    const data = JSON.parse(text) as Json;
    const first = at(data, outer)!;
    delete first.parent[first.key];
    expect(at(data, nested)).toBeUndefined();
    expect(refused(JSON.stringify(data))).toBe(true);
  });

  it('is always refused with exit 1: a leaf changed, a field deleted or added, a change added, a kind changed', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(changeLeaf, deleteField, addField, addChange, changeKind), { minLength: 1, maxLength: 3 }), (tampers) => {
        const data = JSON.parse(text) as Json;
        const changed = tampers.map((tamper) => tamper(data)).some(Boolean);
        fc.pre(changed && JSON.stringify(data) !== JSON.stringify(JSON.parse(text)));
        expect(refused(JSON.stringify(data))).toBe(true);
      }),
      runs(300),
    );
  });
});
