import { z } from 'zod';
import { baselineSchema } from '../baseline-store.js';
import { runJournalSchema } from '../journal-schema.js';
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

function explain(where: string, error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  return `${where}: ${path || '(top)'}: ${issue.message}`;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

export function parseRunRecord(text: string, where: string): Parsed<RunRecord> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `${where}: not JSON (${(error as Error).message})` };
  }
  const parsed = recordShape.safeParse(data);
  if (!parsed.success) return { ok: false, problem: explain(where, parsed.error) };
  const { stepsOnNodes: _stepsOnNodes, ...record } = parsed.data;
  return { ok: true, value: record as RunRecord };
}

export function parseBaselineRecord(text: string, where: string): Parsed<Baseline> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `${where}: not JSON (${(error as Error).message})` };
  }
  const parsed = baselineSchema.safeParse(data);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problem: explain(where, parsed.error) };
}
