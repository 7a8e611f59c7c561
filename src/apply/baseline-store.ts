import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../model/errors.js';
import { explainIssues, jsonIssueSource } from '../model/explain-zod-issue.js';
import { EMPTY_BASELINE, type Baseline } from '../plan/drift.js';
import { writeFileAtomic } from './atomic-file.js';
import { stateDir } from './journal.js';

/** baseline.json in the state directory (DESIGN.md §1 "State"): read by drift, written after apply and rollback. */
export function baselineFile(dir = stateDir()): string {
  return join(dir, 'baseline.json');
}

const NUL = String.fromCharCode(0);

/** baseline.json's schema: strict, like every file cis-fix reads back (DESIGN.md §7). */
export const baselineSchema = z.strictObject({
  formatVersion: z.literal(1),
  updatedAt: z.string(),
  benchmark: z.string(),
  enforced: z.record(
    z.string().refine((key) => key.split(NUL).length === 2 && !key.split(NUL).includes(''), 'expected a key "<node>\\u0000<control id>"'),
    z.string().min(1, 'expected the id of the run that enforced the control'),
  ),
});

export async function readBaseline(dir = stateDir()): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(baselineFile(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_BASELINE;
    throw error;
  }
  return parseBaseline(text, baselineFile(dir));
}

/** Parse baseline.json through its schema; anything else is refused, naming the JSON path. */
export function parseBaseline(text: string, file: string): Baseline {
  const hints = ['Move it aside; the next successful apply writes a new one.'];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file} is not a baseline cis-fix can read (${(error as Error).message})`, [], hints);
  }
  const parsed = baselineSchema.safeParse(data);
  if (!parsed.success) {
    throw new UserError(
      `${file} is not a baseline cis-fix can read:`,
      explainIssues(parsed.error.issues, baselineSchema, jsonIssueSource(file, data)).slice(0, 20),
      hints,
    );
  }
  return parsed.data;
}

export async function writeBaseline(baseline: Baseline, dir = stateDir()): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(baselineFile(dir), `${JSON.stringify(baseline, null, 2)}\n`);
}
