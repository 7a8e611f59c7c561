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

/**
 * The entries `next` took over from `previous`: baseline key → the run that
 * had enforced it before (null: nobody). Kept with the run's record, so
 * that rolling the run back puts the baseline back as it was. Pure.
 */
export function replacedEntries(previous: Baseline, next: Baseline, runId: string): Record<string, string | null> {
  const replaced: Record<string, string | null> = {};
  const before = previous.benchmark === next.benchmark ? previous.enforced : {};
  for (const [k, by] of Object.entries(next.enforced)) if (by === runId && before[k] !== runId) replaced[k] = before[k] ?? null;
  return replaced;
}

/**
 * The baseline as it was before a rolled-back run: each entry the run had
 * taken over goes back to the run that held it before (`replaced`, from the
 * run's record), or away when nobody did. Without `replaced` (a run recorded
 * before records kept it) the run's entries are only removed. Pure.
 */
export function baselineAfterRollback(previous: Baseline, rolledBackRunId: string, at: string, replaced?: Readonly<Record<string, string | null>>): Baseline {
  const enforced: Record<string, string> = {};
  for (const [k, by] of Object.entries(previous.enforced)) {
    if (by !== rolledBackRunId) enforced[k] = by;
    else if (typeof replaced?.[k] === 'string') enforced[k] = replaced[k];
  }
  return { ...previous, updatedAt: at, enforced };
}

/** The part of a baseline about one node (what that node keeps of it). Pure. */
export function baselineShareOf(baseline: Baseline, node: string): Baseline {
  const prefix = `${node}\u0000`;
  return { ...baseline, enforced: Object.fromEntries(Object.entries(baseline.enforced).filter(([k]) => k.startsWith(prefix))) };
}

/**
 * One baseline from the copies found in several places: whole copies (the
 * workstation's cache, the cluster's) and nodes' shares. The newest whole
 * copy is the base; a node's share newer than it replaces that node's
 * entries (the node saw a later run the copy missed). Entries a newer copy
 * dropped (a rollback) stay dropped. Pure.
 */
export function mergeBaselines(copies: readonly { readonly baseline: Baseline; readonly node?: string }[]): Baseline {
  const byAge = (a: { baseline: Baseline }, b: { baseline: Baseline }) => a.baseline.updatedAt.localeCompare(b.baseline.updatedAt);
  const usable = copies.filter((c) => c.baseline.benchmark !== '');
  const whole = usable.filter((c) => c.node === undefined).sort(byAge);
  const shares = usable.filter((c) => c.node !== undefined).sort(byAge);
  const base = whole[whole.length - 1]?.baseline ?? { ...EMPTY_BASELINE, benchmark: shares[shares.length - 1]?.baseline.benchmark ?? '' };
  if (base.benchmark === '') return EMPTY_BASELINE;
  const enforced: Record<string, string> = { ...base.enforced };
  let updatedAt = base.updatedAt;
  for (const { baseline, node } of shares) {
    if (baseline.benchmark !== base.benchmark || baseline.updatedAt <= base.updatedAt) continue;
    const prefix = `${node}\u0000`;
    for (const k of Object.keys(enforced)) if (k.startsWith(prefix)) delete enforced[k];
    Object.assign(enforced, baselineShareOf(baseline, node!).enforced);
    if (baseline.updatedAt > updatedAt) updatedAt = baseline.updatedAt;
  }
  return { formatVersion: 1, updatedAt, benchmark: base.benchmark, enforced };
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
