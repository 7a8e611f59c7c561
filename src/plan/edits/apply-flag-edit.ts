import type { Scalar } from 'yaml';
import type { FlagEdit } from './flag-edit.js';
import { listElements, withElement, withoutElement } from '../../evaluate/static-pod/flag-list.js';
import type { ManifestStyle } from './manifest-style.js';
import { argumentNodes } from '../../evaluate/static-pod/manifest-layout.js';
import type { ManifestLayout } from '../../evaluate/static-pod/manifest-layout.js';
import type { PodFlagOccurrence, PodFlags } from '../../evaluate/static-pod/pod-flags.js';
import { sequenceSplices } from './sequence-splice.js';
import type { ItemChange, SpliceResult } from './sequence-splice.js';
import type { Splice } from './text-splice.js';

export type ArgumentEdit = Exclude<FlagEdit, { kind: 'mount' }>;

/**
 * The splices for one flag edit (flag-edit.ts states each kind's contract).
 * Every kind reduces to "the flag's single value is now V" or "the flag is
 * gone"; nothing is written when the manifest already says exactly that, so
 * an edit applied to its own result changes nothing.
 */
export function flagEditSplices(layout: ManifestLayout, flags: PodFlags, edit: ArgumentEdit, style: ManifestStyle): SpliceResult {
  const occurrences = flags.occurrences[edit.flag] ?? [];
  const intended = intendedFlagValue(occurrences, edit);
  if (intended.kind === 'unchanged') return { kind: 'splices', splices: [] };
  return setFlag(layout, occurrences, edit.flag, intended.value, style);
}

/**
 * What the edit leaves: the flag's one value, `value: undefined` for no
 * flag at all, or `unchanged` (a remove-element whose element is nowhere).
 * Shared by the editor and its self-check, and by fixes predicting `after`.
 */
export function intendedFlagValue(
  occurrences: readonly Pick<PodFlagOccurrence, 'value' | 'form'>[],
  edit: ArgumentEdit,
): { readonly kind: 'value'; readonly value: string | undefined } | { readonly kind: 'unchanged' } {
  // The component's list is its last occurrence; a bare list flag has no elements.
  const last = occurrences.length ? listValue(occurrences[occurrences.length - 1]) : undefined;
  switch (edit.kind) {
    case 'set':
      return { kind: 'value', value: edit.value };
    case 'remove':
      return { kind: 'value', value: undefined };
    case 'add-element':
      return { kind: 'value', value: withElement(last, edit.element, edit.position) };
    case 'remove-element':
      if (last === undefined || !occurrences.some((o) => listElements(listValue(o)).includes(edit.element))) return { kind: 'unchanged' };
      return { kind: 'value', value: withoutElement(last, edit.element) };
    default: {
      const never: never = edit;
      return never;
    }
  }
}

function listValue(occurrence: Pick<PodFlagOccurrence, 'value' | 'form'> | undefined): string {
  return occurrence === undefined || occurrence.form === 'bare' ? '' : occurrence.value;
}

/** Make `--flag=value` the only occurrence (where the first one was), or remove every occurrence (value undefined). */
function setFlag(
  layout: ManifestLayout,
  occurrences: readonly PodFlagOccurrence[],
  flag: string,
  value: string | undefined,
  style: ManifestStyle,
): SpliceResult {
  const nodes = argumentNodes(layout);
  const wanted = value === undefined ? undefined : `${flag}=${value}`;
  const only = occurrences.length === 1 ? occurrences[0] : undefined;
  if (wanted === undefined && occurrences.length === 0) return { kind: 'splices', splices: [] };
  if (only && only.form === 'equals' && nodes[only.index]?.value === wanted) return { kind: 'splices', splices: [] };

  const removed = new Set<unknown>();
  const replaced = new Map<unknown, string>();
  occurrences.forEach((occurrence, i) => {
    const node = nodes[occurrence.index]?.node;
    if (i === 0 && wanted !== undefined) {
      if (nodes[occurrence.index]?.value !== wanted) replaced.set(node, wanted);
    } else {
      removed.add(node);
    }
    if (occurrence.form === 'separate') removed.add(nodes[occurrence.index + 1]?.node);
  });
  const insertion = wanted !== undefined && occurrences.length === 0 ? insertionPoint(layout, nodes, flag) : undefined;

  const splices: Splice[] = [];
  for (const slot of ['command', 'args'] as const) {
    const items = layout[slot].seq?.items ?? [];
    const changes: ItemChange[] = [];
    items.forEach((node, i) => {
      if (insertion?.slot === slot && insertion.before === i && wanted !== undefined) changes.push({ kind: 'insert', value: wanted });
      if (removed.has(node)) return;
      const replacement = replaced.get(node);
      // command and args items are scalars (ManifestLayout's invariant).
      changes.push(replacement === undefined ? { kind: 'keep', node } : { kind: 'replace', node: node as Scalar, value: replacement });
    });
    if (insertion?.slot === slot && insertion.before >= items.length && wanted !== undefined) changes.push({ kind: 'insert', value: wanted });
    const touched = changes.length !== items.length || changes.some((c) => c.kind !== 'keep');
    if (!touched) continue;
    const result = sequenceSplices(layout.text, layout[slot], changes, style);
    if (result.kind === 'problem') return result;
    splices.push(...result.splices);
  }
  return { kind: 'splices', splices };
}

/**
 * Where a new flag goes: among the other flags (in `args` when that is
 * where they are or when `command` is just the binary beside an `args` key,
 * else in `command` after the binary; in `args` when there is no command,
 * since the image's entrypoint is then the binary), right after the last
 * flag (and its value) whose name sorts before it, else before the first
 * flag. In kubeadm's sorted list that is its alphabetical place. In an
 * unsorted list it is still a place fixed by the other flags alone, never
 * by the order edits came in, so that re-applying a plan that removes and
 * re-adds flags puts them back where they were ("at the end" would not).
 */
function insertionPoint(layout: ManifestLayout, nodes: ReturnType<typeof argumentNodes>, flag: string): { slot: 'command' | 'args'; before: number } {
  const commandLength = layout.command.seq?.items.length ?? 0;
  const flagsInArgs = nodes.some((n) => n.slot === 'args' && n.value.startsWith('-'));
  // A command of just the binary next to an `args:` key (even an emptied one) means flags belong in args.
  const slot = flagsInArgs || commandLength === 0 || (commandLength === 1 && layout.args.pair !== undefined) ? 'args' : 'command';
  const items = nodes.filter((n) => n.slot === slot).map((n, i) => ({ ...n, i }));
  const flagItems = items.filter((n) => n.value.startsWith('-') && !(slot === 'command' && n.i === 0));
  const name = flagName(flag);
  const anchor = flagItems.filter((n) => flagName(n.value) <= name).pop();
  const next = anchor ? flagItems.find((n) => n.i > anchor.i) : flagItems[0];
  return { slot, before: next ? next.i : items.length };
}

/** `--name` of `--name=value` or `-name=value`, for ordering. */
function flagName(arg: string): string {
  return (arg.split('=')[0] ?? arg).replace(/^-+/, '');
}
