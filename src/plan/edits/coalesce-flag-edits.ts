import { intendedFlagValue } from './apply-flag-edit.js';
import type { ArgumentEdit } from './apply-flag-edit.js';
import type { FlagEdit } from './flag-edit.js';
import type { PodFlagOccurrence, PodFlags } from '../../evaluate/static-pod/pod-flags.js';

type Occurrence = Pick<PodFlagOccurrence, 'value' | 'form'>;

/**
 * One edit per flag, saying what the whole batch leaves of it, in the order
 * each flag was first edited (mounts keep their place). Every flag edit
 * reduces to "the flag's single value is now V" or "the flag is gone"
 * (intendedFlagValue), and edits of different flags never read each other,
 * so folding a flag's edits over its own occurrences gives the same value
 * the sequence would. Why fold at all: applied one by one, `remove F` then
 * `set F` re-inserts F at a place fixed by the flags present at that moment,
 * which a later edit of the same batch may remove; applying the batch again
 * then finds other neighbours and moves F, so the edit was not idempotent
 * (a counterexample fast-check found). Folded, F is set where it stands.
 */
export function coalesceFlagEdits(edits: readonly FlagEdit[], flags: PodFlags): FlagEdit[] {
  const chains = new Map<string, ArgumentEdit[]>();
  const order: (FlagEdit | string)[] = [];
  for (const edit of edits) {
    if (edit.kind === 'mount') {
      order.push(edit);
      continue;
    }
    const chain = chains.get(edit.flag);
    if (chain) chain.push(edit);
    else {
      chains.set(edit.flag, [edit]);
      order.push(edit.flag);
    }
  }
  return order.flatMap((entry) => {
    if (typeof entry !== 'string') return [entry];
    const chain = chains.get(entry)!;
    return chain.length === 1 ? chain : foldedEdit(entry, chain, flags.occurrences[entry] ?? []);
  });
}

function foldedEdit(flag: string, chain: readonly ArgumentEdit[], original: readonly Occurrence[]): ArgumentEdit[] {
  let occurrences: readonly Occurrence[] = original;
  let touched = false;
  for (const edit of chain) {
    const intended = intendedFlagValue(occurrences, edit);
    if (intended.kind === 'unchanged') continue;
    touched = true;
    occurrences = intended.value === undefined ? [] : [{ form: 'equals', value: intended.value }];
  }
  if (!touched) return [];
  const value = occurrences[0]?.value;
  return [value === undefined ? { kind: 'remove', flag } : { kind: 'set', flag, value }];
}
