import { z } from 'zod';
import { UserError } from '../model/errors.js';
import type { ChangeKind } from '../model/change.js';
import type { JournalStep, RunJournal } from '../model/run-journal.js';
import { isKnownKind } from './kinds/registry.js';

/**
 * The schema of runs/<run-id>.json (DESIGN.md §7 "A saved plan is checked,
 * not trusted"): every journal cis-fix reads back is parsed here, so that a
 * rollback never acts on a journal it does not understand. Strict objects:
 * an unknown field is refused like a missing or mistyped one, naming the
 * file and the JSON path. Accepts every journal format cis-fix has written
 * (test/unit/apply/fixtures/ holds real ones from before the typed journal).
 */

const restarted = z.enum(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet']);
const changeKind = z.string().refine(isKnownKind, 'not a change kind cis-fix knows') as unknown as z.ZodType<ChangeKind>;
const base = { at: z.string(), node: z.string() };
const sha = z.string().optional();

const original = z.strictObject({
  mode: z.string(),
  uid: z.number().int(),
  gid: z.number().int(),
  sha256: sha,
  user: z.string(),
  group: z.string(),
  absent: z.literal(true).optional(),
});
const result = z.strictObject({ mode: z.string(), uid: z.number().int(), gid: z.number().int(), sha256: sha });
const expectation = z.strictObject({ mode: z.string().optional(), user: z.string().optional(), group: z.string().optional(), sha256: z.string().optional() });
const apiRef = z.strictObject({ apiVersion: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string() });
const record = z.record(z.string(), z.unknown());
const revert = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('patch'), ref: apiRef, patch: record }),
  z.strictObject({ action: z.literal('delete'), ref: apiRef }),
  z.strictObject({ action: z.literal('create'), ref: apiRef, object: record }),
]);

const phases = [
  'locked',
  'unlocked',
  'precondition-ok',
  'backed-up',
  'write-started',
  'verified',
  'healthy',
  'unhealthy',
  'restore-started',
  'restored',
  'failed',
] as const;

// A plain union (a phase may have a file and an API form); `deepest` picks the branch whose phase matched to explain a problem.
const step = z.union([
  z.strictObject({ ...base, phase: z.enum(['locked', 'unlocked']) }),
  z.strictObject({
    ...base,
    phase: z.literal('precondition-ok'),
    changeId: z.string().optional(),
    target: z.string().optional(),
    detail: z.string().optional(),
  }),
  z.strictObject({ ...base, phase: z.literal('backed-up'), target: z.string(), original }),
  z.strictObject({
    ...base,
    phase: z.literal('backed-up'),
    changeId: z.string(),
    target: z.string(),
    apiObject: z.unknown().refine((v) => v !== undefined, 'apiObject is required (null when absent)'),
  }),
  z.strictObject({
    ...base,
    phase: z.literal('write-started'),
    changeId: z.string(),
    target: z.string(),
    kind: changeKind.optional(),
    restart: restarted.optional(),
    daemonReload: z.boolean().optional(),
    argvBefore: z.array(z.string()).optional(),
    staging: z.string().optional(),
    expected: expectation.optional(),
    service: z
      .string()
      .regex(/^[A-Za-z0-9@_.-]+$/, 'expected a systemd service name like "rke2-server"')
      .optional(),
    alsoGated: z.array(restarted).optional(),
    healthUrl: z
      .string()
      .regex(/^https?:\/\//, 'expected an http(s) URL')
      .optional(),
    healthTls: z.strictObject({ caFile: z.string(), certFile: z.string(), keyFile: z.string() }).optional(),
  }),
  z.strictObject({ ...base, phase: z.literal('write-started'), changeId: z.string(), target: z.string(), kind: changeKind.optional(), revert }),
  z.strictObject({ ...base, phase: z.literal('verified'), changeId: z.string(), target: z.string(), result, createdDirs: z.array(z.string()).optional() }),
  z.strictObject({ ...base, phase: z.literal('verified'), changeId: z.string(), target: z.string(), resourceVersion: z.string().optional() }),
  z.strictObject({
    ...base,
    phase: z.enum(['healthy', 'unhealthy']),
    changeId: z.string().optional(),
    target: z.string().optional(),
    component: restarted.optional(),
    detail: z.string().optional(),
  }),
  z.strictObject({ ...base, phase: z.literal('restore-started'), target: z.string(), changeId: z.string().optional() }),
  z.strictObject({
    ...base,
    phase: z.literal('restored'),
    target: z.string(),
    changeId: z.string().optional(),
    action: z.enum(['restored', 'removed', 'already-original', 'reverted']).optional(),
  }),
  z.strictObject({ ...base, phase: z.literal('failed'), changeId: z.string().optional(), target: z.string().optional(), detail: z.string().optional() }),
]);

export const runJournalSchema = z.strictObject({
  runId: z.string().regex(/^[0-9A-Za-z-]+$/),
  kind: z.enum(['apply', 'rollback']),
  rollsBack: z.string().optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  status: z.enum(['running', 'succeeded', 'failed', 'stale', 'rolled-back', 'nothing-to-do']),
  benchmark: z.string().optional(),
  inventory: z.strictObject({ file: z.string(), digest: z.string() }),
  backups: z.record(z.string(), z.string()),
  changes: z.number().int().nonnegative(),
  steps: z.array(step),
});

// The schema and the model type must describe the same thing: a change to one without the other fails to compile.
type Parsed = z.infer<typeof runJournalSchema>;
const _stepsMatch: (s: z.infer<typeof step>) => JournalStep = (s) => s;
const _journalMatches: (j: Parsed) => RunJournal = (j) => j;
void _stepsMatch;
void _journalMatches;

/** Parse one journal file's text; UserError (exit 1) naming `file` and the JSON path of the first problem. */
export function parseRunJournal(text: string, file: string): RunJournal {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file} is not a cis-fix journal: ${(error as Error).message}`, [], [journalHint(file)]);
  }
  const parsed = runJournalSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap(deepest).slice(0, 5);
  throw new UserError(
    `${file} is not a journal cis-fix can read:\n${problems.map((p) => `  at ${jsonPath(p.path)}: ${p.message}`).join('\n')}`,
    [],
    [journalHint(file)],
  );
}

function journalHint(file: string): string {
  return `Journals are written by cis-fix only. Restore ${file} from a backup, or move it out of the runs directory if that run does not matter any more.`;
}

interface Problem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** For a union, the branch that got furthest explains the problem best (a backed-up step that lacks `original`, not "no branch matched"). */
function deepest(issue: z.core.$ZodIssue): Problem[] {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const matched = issue.errors.filter((branch) => !branch.some((i) => i.path.length === 1 && i.path[0] === 'phase'));
    if (matched.length === 0 && issue.errors.every((branch) => branch.some((i) => i.path[0] === 'phase'))) {
      return [{ path: [...issue.path, 'phase'], message: `unknown step phase; expected one of ${phases.join(', ')}` }];
    }
    const branches = (matched.length > 0 ? matched : issue.errors).map((branch) => branch.flatMap(deepest));
    const score = (b: Problem[]) => (b.length === 0 ? -1 : Math.max(...b.map((p) => p.path.length)) * 100 - b.length);
    const best = branches.reduce((a, b) => (score(b) > score(a) ? b : a));
    return best.map((p) => ({ path: [...issue.path, ...p.path], message: p.message }));
  }
  return [{ path: issue.path, message: issue.message }];
}

/** `$.steps[3].original.mode` */
export function jsonPath(path: readonly PropertyKey[]): string {
  return `$${path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}`;
}
