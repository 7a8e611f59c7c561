import { open, readFile, rename } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { UserError } from '../model/errors.js';
import type { Plan } from '../plan/plan.js';
import { parsePlan, serializePlan } from '../plan/planfile.js';

/** Write a plan file atomically (temp + fsync + rename), mode 0600: it names every target. */
export async function writePlanFile(file: string, plan: Plan): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}`);
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(serializePlan(plan));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

export async function readPlanFile(file: string): Promise<Plan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read plan file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, [], ["Write one with 'cis-fix plan -o FILE'."]);
  }
  return parsePlan(text, file);
}
