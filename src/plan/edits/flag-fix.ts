import type { StaticPodFlagStep } from '../../playbook/types.js';
import { intendedFlagValue } from './apply-flag-edit.js';
import type { ArgumentEdit } from './apply-flag-edit.js';
import type { FlagEdit } from './flag-edit.js';
import { judgeFlagStep, type FlagReading, type FlagRequirementStep } from '../../evaluate/static-pod/flag-judgement.js';
import { requirementSatisfied } from '../../evaluate/static-pod/flag-requirement.js';
import type { ParameterValues, ResolvedRequirement, ResolveResult, VariableValues } from '../../evaluate/static-pod/flag-requirement.js';

/**
 * From a `static-pod-flag` step and the flag as the manifest has it, the
 * edits that satisfy the step — or why there are none. Pure.
 *
 * Whether the step is satisfied is evaluation's judgement (judgeFlagStep,
 * with kube-bench's reading of `--flag value` and etcd's `-flag=value`). A fix
 * always leaves a single `--flag=value`; when the component's own value
 * (the last occurrence) already satisfies the requirement, the fix keeps
 * that value and only rewrites its form.
 *
 * The step's `when` gate is the caller's business (it is common to every
 * kind); so is checking that a `File`/`Directory` named by `needsFile`
 * exists on the node before the fix is offered.
 */

type Reading = FlagReading;

/** What a fix reads of a step: the flag, its requirement and, for a static pod, the file the flag names that the pod must mount. */
export type FlagFixStep = FlagRequirementStep & { readonly needsFile?: StaticPodFlagStep['needsFile'] };

/** The flag as the manifest has it: undefined (absent), one `--flag=value` value, or every occurrence in argv order (pod-flags.ts). */
export type CurrentFlag = string | undefined | readonly Reading[];

/**
 * Invariants: `edits` is non-empty and, applied with editManifest, leaves
 * the flag with value `after` (undefined: not set), which satisfies the
 * requirement; a `mount` edit is present iff the step has `needsFile` and
 * the fix sets a value.
 */
export type FlagFix =
  | { readonly kind: 'satisfied' }
  | { readonly kind: 'edits'; readonly edits: readonly FlagEdit[]; readonly after: string | undefined }
  | Exclude<ResolveResult, { kind: 'resolved' }>
  | { readonly kind: 'unfixable'; readonly reason: string };

export function fixFor(step: FlagFixStep, current: CurrentFlag, parameters: ParameterValues = {}, variables: VariableValues = {}): FlagFix {
  const occurrences = readings(current);
  const judged = judgeFlagStep(step, occurrences, parameters, variables);
  if (judged.kind !== 'unsatisfied') return judged;
  return finish(step, judged.requirement, flagEditFor(step.flag, judged.requirement, occurrences), occurrences);
}

/** Check that the edit really satisfies the requirement (never offer a fix that would not), and add the mount a file flag needs. */
function finish(step: FlagFixStep, requirement: ResolvedRequirement, edit: ArgumentEdit, occurrences: readonly Reading[]): FlagFix {
  const intended = intendedFlagValue(occurrences, edit);
  const after = intended.kind === 'value' ? intended.value : occurrences[occurrences.length - 1]?.value;
  if (!requirementSatisfied(requirement, after)) {
    const reason =
      requirement.op === 'not-contains-element'
        ? `${step.flag}=${after ?? ''} would still contain "${requirement.element}" inside another element, and kube-bench's test is a substring test; edit the flag by hand`
        : `no edit of ${step.flag} satisfies ${requirement.op} ${JSON.stringify(requirement)}`;
    return { kind: 'unfixable', reason };
  }
  if (!step.needsFile || edit.kind !== 'set') return { kind: 'edits', edits: [edit], after };
  if (!edit.value.startsWith('/'))
    return { kind: 'unfixable', reason: `${step.flag} must name a file the pod can mount, but ${JSON.stringify(edit.value)} is not an absolute path` };
  return { kind: 'edits', edits: [edit, { kind: 'mount', path: edit.value, ...step.needsFile }], after };
}

function flagEditFor(flag: string, requirement: ResolvedRequirement, occurrences: readonly Reading[]): ArgumentEdit {
  const effective = occurrences[occurrences.length - 1]?.value;
  // The component's value already complies (only its form or a stale first copy does not): keep it.
  const keep = effective !== undefined && requirementSatisfied(requirement, effective) ? effective : undefined;
  if (keep !== undefined && requirement.op !== 'absent') return { kind: 'set', flag, value: keep };
  switch (requirement.op) {
    case 'equals':
      return { kind: 'set', flag, value: requirement.value };
    case 'not-equals':
      return { kind: 'set', flag, value: requirement.fixValue };
    case 'at-least':
      return { kind: 'set', flag, value: String(requirement.value) };
    case 'present':
      return { kind: 'set', flag, value: requirement.setIfAbsent };
    case 'elements-within':
      return { kind: 'set', flag, value: requirement.allowed.join(',') };
    case 'absent':
      return { kind: 'remove', flag };
    case 'contains-element':
      return { kind: 'add-element', flag, element: requirement.element, position: requirement.insert };
    case 'not-contains-element':
      return { kind: 'remove-element', flag, element: requirement.element };
    default: {
      const never: never = requirement;
      return never;
    }
  }
}

function readings(current: CurrentFlag): readonly Reading[] {
  if (current === undefined) return [];
  if (typeof current === 'string') return [{ value: current, form: 'equals', singleDash: false }];
  return current;
}
