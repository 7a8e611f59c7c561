import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../model/errors.js';
import { EMPTY_BASELINE, type Baseline } from '../plan/drift.js';
import { writeFileAtomic } from './atomic-file.js';
import { stateDir } from './journal.js';

/** baseline.json in the state directory (DESIGN.md §1 "State"): read by drift, written after apply and rollback. */
export function baselineFile(dir = stateDir()): string {
  return join(dir, 'baseline.json');
}

export async function readBaseline(dir = stateDir()): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(baselineFile(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_BASELINE;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Baseline;
    if (parsed.formatVersion !== 1 || typeof parsed.enforced !== 'object') throw new Error('unknown format');
    return parsed;
  } catch (error) {
    throw new UserError(`${baselineFile(dir)} is not a baseline cis-fix can read (${(error as Error).message})`, [], [
      'Move it aside; the next successful apply writes a new one.',
    ]);
  }
}

export async function writeBaseline(baseline: Baseline, dir = stateDir()): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(baselineFile(dir), `${JSON.stringify(baseline, null, 2)}\n`);
}
