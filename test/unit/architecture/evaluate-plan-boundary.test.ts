import { ESLint } from 'eslint';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Issue 9 §3: evaluation judges, planning changes. eslint.config.js forbids
// src/evaluate/ to import src/plan/; these cases prove the rule bites at any
// depth, and the scan proves the tree obeys it even where lint is skipped.
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the boundary between evaluation and planning', () => {
  it('lint refuses an import of src/plan from anywhere in src/evaluate, saying why', async () => {
    for (const [file, from] of [
      ['src/evaluate/x.ts', '../plan/plan.js'],
      ['src/evaluate/x.ts', '../plan/kinds/registry.js'],
      ['src/evaluate/kubelet/x.ts', '../../plan/edits/flag-fix.js'],
    ] as const) {
      const messages = await restrictedImportMessages(file, `import { a } from '${from}';\nexport const b = a;\n`);
      expect([from, messages]).toEqual([from, [expect.stringMatching(/evaluation imports nothing from planning/)]]);
    }
  });

  it('lint still lets planning import evaluation', async () => {
    expect(await restrictedImportMessages('src/plan/kinds/x.ts', "import { a } from '../../evaluate/evaluate-node.js';\nexport const b = a;\n")).toEqual([]);
  });

  it('no module of src/evaluate imports src/plan or speaks of proposals', () => {
    const offenders = sourceFiles('src/evaluate').filter((file) => {
      const text = readFileSync(file, 'utf8');
      return /from '(\.\.\/)+plan\//.test(text) || /\bproposals?\b/i.test(text);
    });
    expect(offenders).toEqual([]);
  });
});
