/**
 * The gathering script is a real shell file (gather-facts.sh) behind a
 * prelude of constants: both halves must agree, and the whole, as sent to a
 * node, must pass shellcheck.
 */

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { GATHER_SCRIPT, GATHER_SCRIPT_FILE, renderPrelude } from '../../../src/facts/gather-script.js';

const program = readFileSync(GATHER_SCRIPT_FILE, 'utf8');

/** Names the program assigns itself (NAME=..., for NAME in ..., read NAME). */
function assignedIn(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/(?:^|[\s;{(])([A-Za-z_][A-Za-z0-9_]*)=/gm)) names.add(m[1]!);
  for (const m of text.matchAll(/\bfor ([A-Za-z_][A-Za-z0-9_]*)\b/g)) names.add(m[1]!);
  for (const m of text.matchAll(/\bread -r ([A-Za-z_][A-Za-z0-9_]*)\b/g)) names.add(m[1]!);
  return names;
}

/** Upper-case variables the program expands. */
function readIn(text: string): Set<string> {
  const code = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  return new Set([...code.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
}

describe('the gathering script file', () => {
  it('is gather-facts.sh beside the module that sends it', () => {
    expect(GATHER_SCRIPT_FILE).toMatch(/\/facts\/gather-facts\.sh$/);
    expect(GATHER_SCRIPT.endsWith(program)).toBe(true);
    expect(GATHER_SCRIPT.startsWith(renderPrelude())).toBe(true);
  });

  it('finds every constant it reads in the prelude, and the prelude defines nothing it does not read', () => {
    const prelude = new Set([...renderPrelude().matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
    const own = assignedIn(program);
    const external = [...readIn(program)].filter((name) => !own.has(name));
    expect(external.filter((name) => !prelude.has(name) && !['CISFIX_FACTS_ROOT', 'CISFIX_FACTS_PROC', 'CISFIX_FACTS_JOURNALCTL'].includes(name))).toEqual([]);
    expect([...prelude].filter((name) => !readIn(program).has(name))).toEqual([]);
    for (const name of prelude) expect(own.has(name)).toBe(false);
  });

  it('passes shellcheck as sent to a node, prelude included', () => {
    const result = spawnSync('shellcheck', ['-s', 'sh', '-f', 'gcc', '-'], { input: GATHER_SCRIPT, encoding: 'utf8' });
    if (result.error) throw new Error(`shellcheck is needed for this test (Debian package shellcheck): ${result.error.message}`);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});
