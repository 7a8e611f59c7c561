import { z } from 'zod';
import { baselineSchema } from '../baseline-store.js';
import { jsonPath, runJournalSchema } from '../journal-schema.js';
import type { RunRecord } from '../../model/run-record.js';
import type { Baseline } from '../../plan/drift.js';

/**
 * Records read back from nodes and the cluster are input like any other
 * (DESIGN.md §7): parsed by a schema, and a bad one is named with where it
 * was found and the JSON path of the problem.
 */

const recordShape = z
  .object({
    formatVersion: z.literal(1),
    // The same strict schema as the workstation's journals (a record is input like any other).
    journal: runJournalSchema,
    by: z.object({ user: z.string(), host: z.string() }).strict(),
    planDigest: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    baselineReplaced: z.record(z.string(), z.string().nullable()).optional(),
    stepsOnNodes: z.literal(true).optional(),
  })
  .strict();

/** "node cp-1: journal.steps[0]: …" — where the record was found, then the JSON path of its first problem. */
function explain(where: string, error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${where}: ${jsonPath(issue.path).replace(/^\$\.?/, '') || '(top)'}: ${issue.message}`;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

function parseWith<T>(schema: z.ZodType<T>, text: string, where: string): Parsed<T> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `${where}: not JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(data);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problem: explain(where, parsed.error) };
}

export function parseRunRecord(text: string, where: string): Parsed<RunRecord> {
  const parsed = parseWith(recordShape, text, where);
  if (!parsed.ok) return parsed;
  const { stepsOnNodes: _stepsOnNodes, ...record } = parsed.value;
  return { ok: true, value: record as RunRecord };
}

export function parseBaselineRecord(text: string, where: string): Parsed<Baseline> {
  return parseWith(baselineSchema, text, where);
}
