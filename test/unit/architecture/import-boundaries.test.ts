import { ESLint } from 'eslint';

// The dependency direction of DESIGN.md §2 is enforced by eslint.config.js;
// these cases prove the rules bite, so a loosened config fails here.
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it('forbid ssh2 and the Kubernetes client outside src/transport', async () => {
    expect(await restrictedImportMessages('src/facts/x.ts', "import ssh2 from 'ssh2';\nexport const a = ssh2;\n")).toHaveLength(1);
    expect(await restrictedImportMessages('src/services/x.ts', "import * as k from '@kubernetes/client-node';\nexport const a = k;\n")).toHaveLength(1);
    expect(await restrictedImportMessages('src/transport/x.ts', "import ssh2 from 'ssh2';\nexport const a = ssh2;\n")).toHaveLength(0);
  });

  it('forbid oclif outside src/commands', async () => {
    expect(await restrictedImportMessages('src/services/x.ts', "import { Command } from '@oclif/core';\nexport const a = Command;\n")).toHaveLength(1);
    expect(await restrictedImportMessages('src/commands/x.ts', "import { Command } from '@oclif/core';\nexport const a = Command;\n")).toHaveLength(0);
  });

  it('forbid importing upward', async () => {
    expect(await restrictedImportMessages('src/transport/x.ts', "import { a } from '../facts/y.js';\nexport const b = a;\n")).toHaveLength(1);
    expect(await restrictedImportMessages('src/evaluate/x.ts', "import { a } from '../plan/y.js';\nexport const b = a;\n")).toHaveLength(1);
    expect(await restrictedImportMessages('src/facts/x.ts', "import { a } from '../transport/y.js';\nexport const b = a;\n")).toHaveLength(0);
  });
});
