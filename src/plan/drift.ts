import type { Finding } from '../model/finding.js';
import type { Plan } from './plan.js';

/**
 * What cis-fix last enforced (DESIGN.md §1 "State": baseline.json): per node
 * (`cluster` for API controls) the controls that complied after an apply,
 * each with the run that left it so. A rollback of that run takes its
 * entries out again.
 */
export interface Baseline {
  readonly formatVersion: 1;
  readonly updatedAt: string;
  readonly benchmark: string;
  /** `${node}\u0000${controlId}` → the run after which it complied. */
  readonly enforced: Readonly<Record<string, string>>;
}

export const EMPTY_BASELINE: Baseline = { formatVersion: 1, updatedAt: '', benchmark: '', enforced: {} };

const key = (node: string | undefined, controlId: string) => `${node ?? 'cluster'}\u0000${controlId}`;

/**
 * The baseline after a successful apply of `plan`'s `applied` changes: what
 * passed already, plus what the applied changes fixed. Pure.
 */
export function baselineAfterApply(previous: Baseline, plan: Plan, appliedChangeIds: ReadonlySet<string>, runId: string, at: string): Baseline {
  const enforced: Record<string, string> = previous.benchmark === plan.benchmark.id ? { ...previous.enforced } : {};
  for (const f of plan.findings) if (f.status === 'pass') enforced[key(f.node, f.controlId)] ??= runId;
  const fixed = new Set(plan.changes.filter((c) => appliedChangeIds.has(c.id)).flatMap((c) => c.controlIds.map((id) => key(c.node, id))));
  for (const f of plan.findings) {
    const k = key(f.node, f.controlId);
    // A control counts only when every change it needed on that node was applied.
    const needed = plan.changes.filter((c) => c.node === f.node && c.controlIds.includes(f.controlId));
    if (f.status === 'fail' && f.fixable && fixed.has(k) && needed.every((c) => appliedChangeIds.has(c.id))) enforced[k] = runId;
  }
  return { formatVersion: 1, updatedAt: at, benchmark: plan.benchmark.id, enforced };
}

/** The baseline without what a rolled-back run enforced. Pure. */
export function baselineAfterRollback(previous: Baseline, rolledBackRunId: string, at: string): Baseline {
  const enforced = Object.fromEntries(Object.entries(previous.enforced).filter(([, runId]) => runId !== rolledBackRunId));
  return { ...previous, updatedAt: at, enforced };
}

export interface DriftReport {
  /** Failing now, although cis-fix had enforced them (with the run that did). */
  readonly drifted: readonly (Finding & { readonly enforcedBy: string })[];
  /** Failing now and never enforced by cis-fix (new controls, new nodes, or never fixable). */
  readonly neverEnforced: readonly Finding[];
  /** Changes the plan would make to correct both. */
  readonly pendingChanges: number;
  /** Failing again because their inventory waiver expired (also in `drifted` or `neverEnforced`): drift exits 2 for them even when no change can fix them. */
  readonly expiredWaivers: readonly Finding[];
}

/** Compare a fresh plan with the baseline. Pure. */
export function driftReport(plan: Plan, baseline: Baseline): DriftReport {
  const failing = plan.findings.filter((f) => f.status === 'fail' || f.status === 'error');
  const sameBenchmark = baseline.benchmark === plan.benchmark.id;
  const drifted: (Finding & { enforcedBy: string })[] = [];
  const neverEnforced: Finding[] = [];
  for (const f of failing) {
    const runId = sameBenchmark ? baseline.enforced[key(f.node, f.controlId)] : undefined;
    if (runId !== undefined) drifted.push({ ...f, enforcedBy: runId });
    else neverEnforced.push(f);
  }
  const expiredWaivers = failing.filter((f) => f.waiver?.expired === true);
  return { drifted, neverEnforced, pendingChanges: plan.changes.length, expiredWaivers };
}
