import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_KIND_HANDLERS } from '../../../src/plan/kinds/registry.js';

// Issue 9 §2: change kinds are plug-ins. Plan assembly and makePlan iterate
// over the registry; only the kind modules (src/plan/kinds) and the model
// name a kind. A kind literal anywhere else in src/plan, or in
// src/services/plan.ts, is a switch over kinds creeping back.
const KINDS = Object.keys(PLAN_KIND_HANDLERS);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The kind names written as string literals in a file ('file-mode', "api-object", `support-file`). */
function kindLiterals(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return KINDS.filter((kind) => new RegExp(`['"\`]${kind}['"\`]`).test(text));
}

describe('change kind literals', () => {
  it('the registry has one handler per change kind, registered under its own kind', () => {
    expect(KINDS.sort()).toEqual(['api-object', 'file-mode', 'file-owner', 'kubelet-file', 'static-pod-manifest', 'support-file']);
    for (const [kind, handler] of Object.entries(PLAN_KIND_HANDLERS)) expect(handler.kind).toBe(kind);
  });

  it('appear in src/plan only inside src/plan/kinds, and never in src/services/plan.ts', () => {
    const files = [...sourceFiles('src/plan').filter((f) => !f.startsWith(join('src', 'plan', 'kinds'))), join('src', 'services', 'plan.ts')];
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((f) => kindLiterals(f).map((k) => `${f}: ${k}`))).toEqual([]);
  });

  it('the scan finds a literal where one is written', () => {
    expect(kindLiterals(join('src', 'plan', 'kinds', 'file-mode.ts'))).toEqual(['file-mode']);
  });
});
