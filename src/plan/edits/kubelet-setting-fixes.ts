import type { NodeFacts } from '../../facts/types.js';
import type { Variables } from '../../evaluate/kubelet/judge-setting.js';
import type { ParameterValue } from '../../playbook/types.js';
import { planKubeletSettingFix, type KubeletFileEdit, type KubeletSettingFix, type KubeletStepInput } from './kubelet-setting-fix.js';
import { factsAfterKubeletEdits } from './kubelet-simulate.js';
import { unifiedDiff } from './unified-diff.js';

/**
 * Every kubelet-setting step of one node planned together, so that the node
 * gets one edit per file and one kubelet restart (DESIGN.md §2). Pure.
 *
 * Steps are planned in order, each on the node as the previous fixes leave
 * it (files edited, kubelet restarted); a step whose fix is not possible
 * leaves the files as they were. The merged edit of a file goes from its
 * gathered text to its final text and lists the steps that changed it.
 * Invariant: for every merged edit, `before` is the gathered text and
 * `after` the text after all fixes; planning again on the node after
 * `after` is written finds every fixed step compliant.
 */
export interface KubeletStepPlan<K extends string> {
  readonly key: K;
  readonly fix: KubeletSettingFix;
}

export interface MergedKubeletEdit extends KubeletFileEdit {
  /** The steps (their keys) whose fix changes this file. */
  readonly stepKeys: readonly string[];
}

export interface KubeletNodePlan<K extends string> {
  readonly steps: readonly KubeletStepPlan<K>[];
  readonly edits: readonly MergedKubeletEdit[];
  /** True iff any edit is a unit or drop-in. */
  readonly daemonReload: boolean;
  /** The node after every edit and one kubelet restart: for re-evaluation and kube-bench's verdict after apply. */
  readonly factsAfter: NodeFacts;
}

export function planKubeletSettingFixes<K extends string>(
  facts: NodeFacts,
  steps: readonly { readonly key: K; readonly step: KubeletStepInput }[],
  parameters: Readonly<Record<string, ParameterValue>>,
  variables: Variables = {},
): KubeletNodePlan<K> {
  const texts = new Map<string, string>();
  const merged = new Map<string, { first: KubeletFileEdit; after: string; changes: string[]; keys: K[]; daemonReload: boolean }>();
  let current = facts;
  const plans: KubeletStepPlan<K>[] = [];
  for (const { key, step } of steps) {
    const fix = planKubeletSettingFix(current, step, parameters, variables);
    plans.push({ key, fix });
    if (fix.kind !== 'fix') continue;
    for (const edit of fix.edits) {
      texts.set(edit.path, edit.after);
      const existing = merged.get(edit.path);
      if (existing) {
        existing.after = edit.after;
        existing.changes.push(...edit.changes);
        existing.keys.push(key);
      } else {
        merged.set(edit.path, { first: edit, after: edit.after, changes: [...edit.changes], keys: [key], daemonReload: edit.daemonReload });
      }
    }
    current = factsAfterKubeletEdits(facts, texts);
  }
  const edits: MergedKubeletEdit[] = [...merged.values()].map(({ first, after, changes, keys, daemonReload }) => ({
    ...first,
    after,
    changes,
    daemonReload,
    diff: unifiedDiff(first.path, first.before, after),
    stepKeys: [...new Set(keys)],
  }));
  return { steps: plans, edits, daemonReload: edits.some((e) => e.daemonReload), factsAfter: current };
}
