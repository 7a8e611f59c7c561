import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError, type InputProblem } from '../../../src/model/errors.js';
import type { Inventory, ParseInventoryOptions } from '../../../src/inventory/inventory.js';
import { parseInventory } from '../../../src/inventory/load-inventory.js';

/** Deterministic environment: no test depends on who runs it or where. */
export const TEST_ENV: ParseInventoryOptions = { env: {}, homeDir: '/home/tester', userName: 'tester' };

/** Joins lines, so that tests can say "line 4" and be checked by eye. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

export function parse(text: string, file = '/inv/inventory.yaml'): Inventory {
  return parseInventory(text, file, TEST_ENV);
}

/** The problems a parse reports; fails the test when the text is valid. */
export function problemsOf(text: string, file = 'inventory.yaml'): readonly InputProblem[] {
  try {
    parseInventory(text, file, TEST_ENV);
  } catch (error) {
    if (error instanceof UserError) return error.problems;
    throw error;
  }
  throw new Error('expected the inventory to be rejected');
}

/** The problems an async load reports (for file checks). */
export async function loadProblems(load: () => Promise<unknown>): Promise<readonly InputProblem[]> {
  try {
    await load();
  } catch (error) {
    if (error instanceof UserError) return error.problems;
    throw error;
  }
  throw new Error('expected the inventory to be rejected');
}

const tempDirs: string[] = [];

/** A fresh temp dir, removed after the test file's last test (the suite leaves nothing behind). */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cis-fix-inventory-'));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export async function writeIn(dir: string, name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}
