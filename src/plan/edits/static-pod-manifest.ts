import { isSeq } from 'yaml';
import { flagEditSplices, intendedFlagValue } from './apply-flag-edit.js';
import type { ArgumentEdit } from './apply-flag-edit.js';
import { mountCovers, mountEditSplices } from './apply-mount-edit.js';
import { coalesceFlagEdits } from './coalesce-flag-edits.js';
import { checkFlagEdit, describeFlagEdit } from './flag-edit.js';
import type { FlagEdit } from './flag-edit.js';
import { manifestStyleOf } from './manifest-style.js';
import { readManifestLayout } from '../../evaluate/static-pod/manifest-layout.js';
import type { ManifestLayout } from '../../evaluate/static-pod/manifest-layout.js';
import { podFlagsOf } from '../../evaluate/static-pod/pod-flags.js';
import type { PodFlags } from '../../evaluate/static-pod/pod-flags.js';
import type { SpliceResult } from './sequence-splice.js';
import { applySplices } from './text-splice.js';

/**
 * The `static-pod-flag` change kind's manifest edit (DESIGN.md §2): a pure
 * before → after transform of a kube-apiserver, kube-controller-manager,
 * kube-scheduler or etcd manifest. Only the lines an edit must change are
 * written; every other byte (comments, key order, quoting, indentation,
 * blank lines, line endings) stays as it was. The yaml Document API locates
 * what to change; the change itself is a splice of the original text.
 */

// The kind's public API, so callers (plan building, the facts-side reader) import one module.
export type { FlagEdit, FlagEditKind } from './flag-edit.js';
export { fixFor } from './flag-fix.js';
export { judgeFlagStep, stepSatisfied } from '../../evaluate/static-pod/flag-judgement.js';
export type { CurrentFlag, FlagFix } from './flag-fix.js';
export { requirementSatisfied, resolveRequirement } from '../../evaluate/static-pod/flag-requirement.js';
export type { ParameterValues, ResolvedRequirement, ResolveResult, VariableValues } from '../../evaluate/static-pod/flag-requirement.js';
export { readPodFlags } from '../../evaluate/static-pod/pod-flags.js';
export type { PodFlagOccurrence, PodFlags, PodFlagsResult } from '../../evaluate/static-pod/pod-flags.js';
export { unifiedDiff } from './unified-diff.js';

/**
 * Invariants: `changed` ⇔ `text !== manifestText`; every edit not named in
 * `problems` was applied (or was already true); an edit named in `problems`
 * changed nothing; `text` always parses as a Pod manifest when the input
 * did. Problems are one line each, meant for the plan.
 */
export interface ManifestEditResult {
  readonly text: string;
  readonly changed: boolean;
  readonly problems: readonly string[];
}

export interface EditManifestOptions {
  /** The container to edit, normally the component's name; the first container when none has it. */
  readonly container?: string;
}

/**
 * Apply `edits` in order, each to the result of the previous one, so that
 * list edits compose (remove AlwaysAllow, then add Node, then add RBAC);
 * a flag's edits are first folded into one (coalesce-flag-edits.ts says why).
 * Never throws on bad input: invalid YAML, a manifest without containers or
 * an edit that cannot be made is a problem, not an exception.
 */
export function editManifest(manifestText: string, edits: readonly FlagEdit[], options: EditManifestOptions = {}): ManifestEditResult {
  const initial = readManifestLayout(manifestText, options.container);
  if (initial.kind === 'problem') return { text: manifestText, changed: false, problems: [initial.problem] };
  // Each accepted edit's checked result is the next edit's input: one parse per edit.
  let layout = initial.layout;
  const problems: string[] = [];
  const valid: FlagEdit[] = [];
  for (const edit of edits) {
    const wrong = checkFlagEdit(edit);
    if (wrong === undefined) valid.push(edit);
    else problems.push(`${describeFlagEdit(edit)}: ${wrong}`);
  }
  const initialFlags = podFlagsOf(layout);
  const coalesced = initialFlags.kind === 'flags' ? coalesceFlagEdits(valid, initialFlags) : valid;
  for (const edit of coalesced) {
    const outcome = applyEdit(layout, edit, options.container);
    if (typeof outcome === 'string') problems.push(`${describeFlagEdit(edit)}: ${outcome}`);
    else layout = outcome;
  }
  return { text: layout.text, changed: layout.text !== manifestText, problems };
}

function applyEdit(layout: ManifestLayout, edit: FlagEdit, container: string | undefined): ManifestLayout | string {
  const style = manifestStyleOf(layout);
  let result: SpliceResult;
  if (edit.kind === 'mount') {
    result = mountEditSplices(layout, edit, style);
  } else {
    const flags = podFlagsOf(layout);
    if (flags.kind === 'problem') return flags.problem;
    result = flagEditSplices(layout, flags, edit, style);
  }
  if (result.kind === 'problem') return result.problem;
  if (result.splices.length === 0) return layout;
  let next: string;
  try {
    next = applySplices(layout.text, result.splices);
  } catch (error) {
    return `not applied (cis-fix bug: ${String(error)})`;
  }
  const parsed = readManifestLayout(next, container);
  if (parsed.kind === 'problem') return `not applied (cis-fix bug: the result does not parse: ${parsed.problem})`;
  const wrong = checkResult(layout, parsed.layout, edit);
  return wrong === undefined ? parsed.layout : `not applied (cis-fix bug: ${wrong})`;
}

/**
 * The self-check every edit passes before it is accepted: the result
 * parses, says what the edit intended, and differs from the input in
 * nothing else (the other flags in order, every other key of the pod).
 * Splicing text is exact but blind; this is what makes it safe.
 */
function checkResult(before: ManifestLayout, after: ManifestLayout, edit: FlagEdit): string | undefined {
  if (edit.kind === 'mount') {
    if (!mountCovers(after, edit)) return 'the result does not mount the path';
    if (!appendedOnly(before, after, 'volumeMounts') || !appendedOnly(before, after, 'volumes')) return 'existing volumes or mounts changed';
    return sameOutside(before, after, ['volumeMounts'], ['volumes']) ? undefined : 'something besides volumes and mounts changed';
  }
  const flagsBefore = podFlagsOf(before);
  const flagsAfter = podFlagsOf(after);
  if (flagsBefore.kind === 'problem' || flagsAfter.kind === 'problem') return 'the flags cannot be read back';
  const intended = intendedFlagValue(flagsBefore.occurrences[edit.flag] ?? [], edit);
  const now = flagsAfter.occurrences[edit.flag] ?? [];
  if (intended.kind === 'value') {
    const ok =
      intended.value === undefined ? now.length === 0 : now.length === 1 && now[0]?.form === 'equals' && !now[0].singleDash && now[0].value === intended.value;
    if (!ok) return `${edit.flag} reads back as ${JSON.stringify(now.map((o) => o.value))}`;
  }
  if (JSON.stringify(otherArguments(flagsBefore, edit)) !== JSON.stringify(otherArguments(flagsAfter, edit))) return 'other arguments changed';
  return sameOutside(before, after, ['command', 'args'], []) ? undefined : 'something besides command and args changed';
}

/** argv without the edited flag's occurrences (and the values of its `--flag value` forms). */
function otherArguments(flags: PodFlags, edit: ArgumentEdit): string[] {
  const skip = new Set((flags.occurrences[edit.flag] ?? []).flatMap((o) => (o.form === 'separate' ? [o.index, o.index + 1] : [o.index])));
  return flags.argv.filter((_, i) => !skip.has(i));
}

/** The whole pod as data, with the given keys of the container and of the spec left out, is the same. */
function sameOutside(before: ManifestLayout, after: ManifestLayout, containerKeys: readonly string[], specKeys: readonly string[]): boolean {
  return JSON.stringify(podWithout(before, containerKeys, specKeys)) === JSON.stringify(podWithout(after, containerKeys, specKeys));
}

function podWithout(layout: ManifestLayout, containerKeys: readonly string[], specKeys: readonly string[]): unknown {
  const pod = layout.doc.toJS() as { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
  const index = isSeq(layout.containers.value) ? layout.containers.value.items.indexOf(layout.container) : -1;
  const container = pod.spec.containers[index];
  for (const key of containerKeys) if (container) delete container[key];
  for (const key of specKeys) delete pod.spec[key];
  return pod;
}

/** The list after the edit starts with the whole list before it, and has at most one more item. */
function appendedOnly(before: ManifestLayout, after: ManifestLayout, key: 'volumeMounts' | 'volumes'): boolean {
  const old = JSON.stringify(before[key].seq?.toJSON() ?? []);
  const now = (after[key].seq?.toJSON() ?? []) as unknown[];
  const kept = JSON.stringify(now.slice(0, now.length - 1));
  return old === JSON.stringify(now) || old === kept;
}
