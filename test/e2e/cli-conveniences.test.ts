import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/cli.js';

// Shell completion through oclif's autocomplete plugin, from the built CLI (bin/run.js).
let cache: string;

beforeAll(() => {
  cache = mkdtempSync(join(tmpdir(), 'cisfix-ac-'));
});

afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('shell completion', () => {
  const env = () => ({ XDG_CACHE_HOME: cache, XDG_DATA_HOME: cache, HOME: cache });

  it('prints the setup instructions for bash', async () => {
    const result = await runCli(['autocomplete', 'bash'], env());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('cis-fix autocomplete script bash');
  });

  it('completes the commands and their flags', async () => {
    const script = await runCli(['autocomplete', 'script', 'zsh'], env());
    expect(script.code).toBe(0);
    expect(script.stdout).toMatch(/CIS_FIX_AC_ZSH_SETUP_PATH=/);
    const commands = await runCli(['autocomplete', '--refresh-cache'], env());
    expect(commands.code).toBe(0);
    const functions = readFileSync(join(cache, 'cis-fix', 'autocomplete', 'functions', 'zsh', '_cis-fix'), 'utf8');
    for (const word of ['plan', 'apply', 'rollback', 'drift', '--format', '--metrics-file', '--detailed-exitcode']) expect(functions).toContain(word);
  });
});
