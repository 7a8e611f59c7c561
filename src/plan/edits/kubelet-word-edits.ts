import type { Span } from '../../evaluate/kubelet/sourced-text.js';
import type { Splice } from './text-splice.js';

/**
 * Removing words of a unit line or environment value from the file's text,
 * touching no other byte (the splices go through text-splice.ts). Pure.
 *
 * A removed word takes exactly one separator with it: the one before it
 * when a kept word precedes it in the same list (ExecStart line or variable
 * value), else the one after it. So `A="--a --b --c"` loses ` --b` cleanly,
 * and removing the only word leaves `A=""`. A separator that holds a line
 * continuation (backslash-newline) is kept when the other one can go, so a
 * unit's line layout survives.
 */

/** One word to remove. Invariant: `list[index]` exists; every removal of the same list passes the same `list`. */
export interface WordRemoval {
  readonly list: readonly Span[];
  readonly index: number;
}

/** Splices that remove the given words from `text`; removals in the same list are merged into runs. */
export function wordRemovalEdits(text: string, removals: readonly WordRemoval[]): Splice[] {
  const byList = new Map<string, { list: readonly Span[]; indexes: Set<number> }>();
  for (const removal of removals) {
    const key = removal.list.map((s) => `${s.start}-${s.end}`).join(',');
    const entry = byList.get(key) ?? { list: removal.list, indexes: new Set<number>() };
    entry.indexes.add(removal.index);
    byList.set(key, entry);
  }
  const edits: Splice[] = [];
  for (const { list, indexes } of byList.values()) {
    const sorted = [...indexes].sort((a, b) => a - b);
    let i = 0;
    while (i < sorted.length) {
      const first = sorted[i] as number;
      let last = first;
      while (sorted[i + 1] === last + 1) {
        i += 1;
        last += 1;
      }
      i += 1;
      const before = list[first - 1];
      const after = list[last + 1];
      const firstSpan = list[first] as Span;
      const lastSpan = list[last] as Span;
      const continuedBefore = before !== undefined && text.slice(before.end, firstSpan.start).includes('\n');
      const continuedAfter = after !== undefined && text.slice(lastSpan.end, after.start).includes('\n');
      if (before && after && continuedBefore && !continuedAfter) edits.push({ start: firstSpan.start, end: after.start, insert: '' });
      else if (before) edits.push({ start: before.end, end: lastSpan.end, insert: '' });
      else if (after) edits.push({ start: firstSpan.start, end: after.start, insert: '' });
      else edits.push({ start: firstSpan.start, end: lastSpan.end, insert: '' });
    }
  }
  return edits;
}
