import { UserError } from '../model/errors.js';
import { explainIssues, jsonIssueSource } from '../model/explain-zod-issue.js';
import { PLAN_FORMAT_VERSION, type Plan } from './plan.js';
import { planFromSchema, planSchema } from './plan-schema.js';

/** The plan file is the plan as JSON, stable key order, newline-terminated. */
export function serializePlan(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

/** How many problems one refusal lists: a file mangled throughout would otherwise print thousands of lines. */
const MAX_PROBLEMS = 20;

/**
 * Parse a plan file through its schema (plan-schema.ts): anything unknown,
 * missing or mistyped is refused, naming the file and the JSON path. Pure:
 * called before any connection, lock or Lease.
 */
export function parsePlan(text: string, file: string): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file} is not a plan file: ${(error as Error).message}`, [], ["Write one with 'cis-fix plan -o FILE'."]);
  }
  const candidate = data as { tool?: { name?: unknown }; formatVersion?: unknown } | null;
  if (!candidate || typeof candidate !== 'object' || Array.isArray(candidate) || candidate.tool?.name !== 'cis-fix') {
    throw new UserError(`${file} is not a cis-fix plan file`, [], ["Write one with 'cis-fix plan -o FILE'."]);
  }
  if (candidate.formatVersion !== PLAN_FORMAT_VERSION) {
    throw new UserError(
      `${file} has plan format version ${String(candidate.formatVersion)}; this cis-fix reads version ${PLAN_FORMAT_VERSION}`,
      [],
      ["Make a new plan with this version of cis-fix ('cis-fix plan -o FILE')."],
    );
  }
  const parsed = planSchema.safeParse(data);
  if (!parsed.success) {
    const problems = explainIssues(parsed.error.issues, planSchema, jsonIssueSource(file, data));
    const shown = problems.slice(0, MAX_PROBLEMS);
    const more = problems.length - shown.length;
    throw new UserError(
      `${file} is not a plan cis-fix wrote: it was edited or damaged, so nothing was applied${more > 0 ? ` (first ${shown.length} of ${problems.length} problems)` : ''}:`,
      shown,
      ["A plan is applied exactly as cis-fix wrote it. Make a new one ('cis-fix plan -o FILE'), review it, and apply that."],
    );
  }
  return planFromSchema(parsed.data);
}
