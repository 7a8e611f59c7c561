import type { StaticPodFlagStep } from '../../playbook/types.js';
import { requirementSatisfied, resolveRequirement } from './flag-requirement.js';
import type { ParameterValues, ResolvedRequirement, ResolveResult, VariableValues } from './flag-requirement.js';
import type { PodFlagOccurrence } from './pod-flags.js';

/**
 * What the judgement reads of a step: the flag and its requirement. Static-pod,
 * kubelet and kube-proxy steps (and the etcd service's) are all judged by it.
 */
export type FlagRequirementStep = Pick<StaticPodFlagStep, 'flag' | 'requirement'>;

/** One occurrence of a flag as the manifest writes it (pod-flags.ts). */
export type FlagReading = Pick<PodFlagOccurrence, 'value' | 'form' | 'singleDash'>;

/**
 * A flag step judged against the flag as the manifest (or command line) has it.
 * - `satisfied`: kube-bench and the component agree that it complies;
 * - `unsatisfied`: `requirement` is what the flag must meet (what a fix aims at);
 * - otherwise the requirement could not be formed (a parameter or path
 *   variable without a value, an invalid value).
 */
export type FlagJudgement =
  { readonly kind: 'satisfied' } | { readonly kind: 'unsatisfied'; readonly requirement: ResolvedRequirement } | Exclude<ResolveResult, { kind: 'resolved' }>;

/**
 * A step is satisfied only when kube-bench and the component agree: every
 * occurrence of the flag satisfies the requirement (kube-bench reads the
 * first, the component the last) and every occurrence is written in a form
 * kube-bench reads (`--flag=value` or a bare `--flag`). Pure.
 */
export function judgeFlagStep(
  step: FlagRequirementStep,
  occurrences: readonly FlagReading[],
  parameters: ParameterValues = {},
  variables: VariableValues = {},
): FlagJudgement {
  // `present` is judged without its value and keeps an existing one, so its parameter or path is needed only when the flag is missing.
  if (step.requirement.op === 'present' && occurrences.some((o) => o.value !== '')) {
    const anyValue: ResolvedRequirement = { op: 'present', setIfAbsent: '' };
    return stepSatisfied(anyValue, occurrences) ? { kind: 'satisfied' } : { kind: 'unsatisfied', requirement: anyValue };
  }
  const resolved = resolveRequirement(step.requirement, parameters, variables);
  if (resolved.kind !== 'resolved') return resolved;
  return stepSatisfied(resolved.requirement, occurrences) ? { kind: 'satisfied' } : { kind: 'unsatisfied', requirement: resolved.requirement };
}

/** Whether the flag as written satisfies the step for kube-bench and for the component alike. */
export function stepSatisfied(requirement: ResolvedRequirement, occurrences: readonly FlagReading[]): boolean {
  if (requirement.op === 'absent') return occurrences.length === 0;
  if (occurrences.length === 0) return requirementSatisfied(requirement, undefined);
  return occurrences.every((o) => o.form !== 'separate' && !o.singleDash && requirementSatisfied(requirement, o.value));
}
