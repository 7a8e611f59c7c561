import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/**
 * The diff a plan shows for a file change: unified format with 3 lines of
 * context, headed `--- PATH` / `+++ PATH` (what `patch -p0` and reviewers
 * expect; no `Index:` banner). Invariant: the empty string exactly when
 * `before === after`, so "no diff" and "no change" never disagree. A last
 * line without a newline is marked as diff(1) marks it.
 */
export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  // No header timestamps: a plan must be reproducible byte for byte.
  return createTwoFilesPatch(path, path, before, after, undefined, undefined, { context: 3, headerOptions: FILE_HEADERS_ONLY });
}
