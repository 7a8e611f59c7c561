import { UserError } from '../model/errors.js';
import { PLAN_FORMAT_VERSION, type Plan } from './plan.js';

/** The plan file is the plan as JSON, stable key order, newline-terminated. */
export function serializePlan(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/** Parse a plan file, refusing other format versions and anything that is not a cis-fix plan. */
export function parsePlan(text: string, file: string): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file} is not a plan file: ${(error as Error).message}`, [], ["Write one with 'cis-fix plan -o FILE'."]);
  }
  const candidate = data as Partial<Plan> | null;
  if (!candidate || typeof candidate !== 'object' || candidate.tool?.name !== 'cis-fix' || !Array.isArray(candidate.changes) || !Array.isArray(candidate.findings)) {
    throw new UserError(`${file} is not a cis-fix plan file`, [], ["Write one with 'cis-fix plan -o FILE'."]);
  }
  if (candidate.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new UserError(`${file} has plan format version ${String(candidate.formatVersion)}; this cis-fix reads version ${PLAN_FORMAT_VERSION}`, [], [
      "Make a new plan with this version of cis-fix ('cis-fix plan -o FILE').",
    ]);
  }
  return candidate as Plan;
}
