import type { NeedsFile } from '../../playbook/types.js';

/**
 * One edit of a static pod manifest. Every kind is idempotent: applied to
 * its own result it changes nothing. Flags are named with their leading
 * `--` and always written `--flag=value`, the only form kube-bench reads.
 *
 * - `set`: exactly one `--flag=value` remains, where the first occurrence
 *   was (kube-bench reads the first occurrence, the component the last: a
 *   single one makes them agree); every other occurrence goes.
 * - `remove`: no occurrence remains (also `--flag value` and `-flag=…`).
 * - `add-element`: the comma list (the component's value: the last
 *   occurrence) gains `element` at the start or end, keeping its order and
 *   never duplicating it; the flag is created when absent. Several
 *   occurrences collapse into one.
 * - `remove-element`: the list loses `element` and keeps the rest in order;
 *   the flag goes when nothing remains.
 * - `mount`: the pod can see `path` (the file, or its parent directory for
 *   `parent-directory`) at the same path as on the host: a hostPath volume
 *   and volumeMount are added unless an existing mount already covers it.
 */
export type FlagEdit =
  | { readonly kind: 'set'; readonly flag: string; readonly value: string }
  | { readonly kind: 'remove'; readonly flag: string }
  | { readonly kind: 'add-element'; readonly flag: string; readonly element: string; readonly position: 'start' | 'end' }
  | { readonly kind: 'remove-element'; readonly flag: string; readonly element: string }
  | ({ readonly kind: 'mount'; readonly path: string } & NeedsFile);

export type FlagEditKind = FlagEdit['kind'];

/** What is wrong with an edit itself (before any manifest is read), or undefined. */
export function checkFlagEdit(edit: FlagEdit): string | undefined {
  switch (edit.kind) {
    case 'set':
    case 'remove':
      return checkFlagName(edit.flag);
    case 'add-element':
    case 'remove-element':
      return checkFlagName(edit.flag) ?? checkElement(edit.element);
    case 'mount':
      return edit.path.startsWith('/') ? undefined : `cannot mount ${JSON.stringify(edit.path)}: not an absolute path`;
    default: {
      const never: never = edit;
      return never;
    }
  }
}

/** A one-line description for problems and logs: `set --profiling=false`. */
export function describeFlagEdit(edit: FlagEdit): string {
  switch (edit.kind) {
    case 'set':
      return `set ${edit.flag}=${edit.value}`;
    case 'remove':
      return `remove ${edit.flag}`;
    case 'add-element':
      return `add ${edit.element} to ${edit.flag}`;
    case 'remove-element':
      return `remove ${edit.element} from ${edit.flag}`;
    case 'mount':
      return `mount ${edit.mount === 'parent-directory' ? 'the directory of ' : ''}${edit.path}`;
    default: {
      const never: never = edit;
      return never;
    }
  }
}

function checkFlagName(flag: string): string | undefined {
  return /^--[A-Za-z0-9][A-Za-z0-9-]*$/.test(flag) ? undefined : `${JSON.stringify(flag)} is not a flag name (expected --name)`;
}

function checkElement(element: string): string | undefined {
  if (element.trim() !== element || element === '') return `${JSON.stringify(element)} is not a list element (empty or padded with spaces)`;
  return element.includes(',') ? `${JSON.stringify(element)} is not a single list element (it holds a comma)` : undefined;
}
