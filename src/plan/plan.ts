import type { BenchmarkId } from '../model/benchmark-id.js';
import type { Change } from '../model/change.js';
import type { Finding } from '../model/finding.js';

/** Bumped whenever a field changes meaning; apply refuses other versions. */
export const PLAN_FORMAT_VERSION = 1;

/**
 * A plan is data (DESIGN.md §1): what was found and what apply would change.
 * Invariants: every change's controlIds name findings with status 'fail' and
 * fixable true on the same node; no field holds secret material; the object
 * round-trips through JSON unchanged.
 */
export interface Plan {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  readonly tool: { readonly name: 'cis-fix'; readonly version: string };
  readonly createdAt: string;
  readonly benchmark: { readonly id: BenchmarkId; readonly chosenBy: string };
  readonly selection: {
    readonly targets: readonly string[];
    readonly only: readonly string[];
    readonly skip: readonly string[];
    readonly nodes: readonly string[];
  };
  readonly inventory: { readonly file: string; readonly digest: string };
  /** How the plan reached the Kubernetes API, or why it did not (its controls are then "not evaluated"). */
  readonly cluster?:
    | { readonly kind: 'connected'; readonly server: string; readonly context: string; readonly version: string }
    | { readonly kind: 'none'; readonly reason: string };
  readonly findings: readonly Finding[];
  readonly changes: readonly Change[];
  readonly summary: PlanSummary;
}

export interface PlanSummary {
  readonly changes: number;
  /** Nodes with at least one change. */
  readonly nodesChanged: number;
  readonly nodesEvaluated: number;
  readonly passing: number;
  readonly failing: number;
  /** Failing controls that no change fixes: they need a decision (a parameter) or a human. */
  readonly needDecision: number;
  /** Controls CIS leaves to a human (no safe automatic fix). */
  readonly manual: number;
  /** Controls whose kind of check this version of cis-fix does not evaluate yet. */
  readonly notEvaluated: number;
  readonly notApplicable: number;
  readonly errors: number;
  /** Controls an active inventory waiver (or a parameter's decision) holds back: evaluated, never changed. */
  readonly waived: number;
  /** The cloud provider's controls (EKS, GKE, AKS), reported once each: never failing, never changed. */
  readonly providerManaged: number;
}

export function summarizePlan(findings: readonly Finding[], changes: readonly Change[], nodesEvaluated: number): PlanSummary {
  const count = (status: Finding['status']) => findings.filter((f) => f.status === status).length;
  return {
    changes: changes.length,
    nodesChanged: new Set(changes.flatMap((c) => (c.node === undefined ? [] : [c.node]))).size,
    nodesEvaluated,
    passing: count('pass'),
    failing: count('fail'),
    needDecision: findings.filter((f) => f.status === 'fail' && !f.fixable).length,
    manual: findings.filter((f) => f.status === 'manual' && !f.notEvaluated).length,
    notEvaluated: findings.filter((f) => f.notEvaluated).length,
    notApplicable: count('not-applicable'),
    errors: count('error'),
    waived: count('waived'),
    providerManaged: count('provider-managed'),
  };
}
