import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PLAN_KIND_HANDLERS } from '../../../src/plan/kinds/registry.js';

// DESIGN.md §7 "Change kinds are plug-ins": the loops iterate over handlers
// and never name a kind. Kind literals may appear only in src/model, the
// kind modules (src/apply/kinds, src/plan/kinds) and src/playbook (whose
// ensure steps share some of the names).
//
// Files listed in PENDING still name kinds for a reason given beside each;
// the test also fails when one of them no longer names a kind, so the list
// can only shrink.
const ROOT = process.cwd();
const SCANNED = ['src/plan', 'src/apply', 'src/services', 'src/render', 'src/commands'];
// plan-schema.ts is the plan file's format, a model of every kind like src/model.
const ALLOWED = ['src/apply/kinds/', 'src/plan/kinds/', 'src/plan/plan-schema.ts'];
const PENDING = new Set([
  'src/services/controls.ts', // switches over playbook ensure steps (src/playbook's names)
  'src/render/controls.ts', // describes ensure steps too
]);
const KIND_LITERAL =
  /(['"`])(file-mode|file-owner|static-pod-manifest|static-pod-flag|kubelet-file|kubelet-setting|support-file|api-object|etcd-service|rancher-config)\1/;

function filesBelow(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(ROOT, path)).isDirectory() ? filesBelow(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const offenders = () =>
  SCANNED.flatMap(filesBelow)
    .filter((f) => !ALLOWED.some((a) => f.startsWith(a)))
    .flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (KIND_LITERAL.test(line) && !/^\s*(\/\/|\*)/.test(line) ? [`${relative(ROOT, join(ROOT, file))}:${i + 1}`] : [])),
    );

describe('change kinds are plug-ins', () => {
  it('the plan registry has one handler per change kind, registered under its own kind', () => {
    const kinds = ['api-object', 'etcd-service', 'file-mode', 'file-owner', 'kubelet-file', 'rancher-config', 'static-pod-manifest', 'support-file'];
    expect(Object.keys(PLAN_KIND_HANDLERS).sort()).toEqual(kinds);
    for (const [kind, handler] of Object.entries(PLAN_KIND_HANDLERS)) expect(handler.kind).toBe(kind);
  });

  it('no change-kind literal appears in the apply loops, services, renderers or commands outside the kind modules', () => {
    expect(offenders().filter((o) => !PENDING.has(o.split(':')[0]!))).toEqual([]);
  });

  it('every file still pending names a kind (remove it from the list once it does not)', () => {
    const named = new Set(offenders().map((o) => o.split(':')[0]));
    expect([...PENDING].filter((f) => !named.has(f))).toEqual([]);
  });

  it('recognises a kind literal, so that the scan can fail', () => {
    expect(KIND_LITERAL.test("if (change.kind === 'static-pod-manifest')")).toBe(true);
    expect(KIND_LITERAL.test('const k = "api-object";')).toBe(true);
    expect(KIND_LITERAL.test('kind: handler.kind')).toBe(false);
  });
});
