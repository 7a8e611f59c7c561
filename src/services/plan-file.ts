import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../apply/atomic-file.js';
import { UserError } from '../model/errors.js';
import type { Plan } from '../plan/plan.js';
import { parsePlan, serializePlan } from '../plan/planfile.js';

/** Write a plan file atomically (temp + fsync + rename), mode 0600: it names every target. */
export async function writePlanFile(file: string, plan: Plan): Promise<void> {
  await writeFileAtomic(file, serializePlan(plan));
}

export async function readPlanFile(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `cannot read plan file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      [],
      ["Write one with 'cis-fix plan -o FILE'."],
    );
  }
  return parsePlan(text, file);
}
