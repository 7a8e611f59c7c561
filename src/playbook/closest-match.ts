/**
 * "Did you mean …?" for misspelt keys, kinds and names in playbooks.
 * Comparison ignores case, `_` and `-`, so `max_mode` and `MaxMode` land on
 * `maxMode`. (src/inventory has its own copy: layers may not import each other.)
 */

function squash(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, '');
}

/** Levenshtein distance; the words here are short. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate closest to `word`, or undefined when none is a plausible
 * typo (at most a third of its letters differ, and at most 3).
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  const target = squash(word);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(target, squash(candidate));
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  const allowed = Math.min(3, Math.max(1, Math.floor(target.length / 3)));
  return best.distance <= allowed ? best.candidate : undefined;
}

/** "Did you mean `x`? " or "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const guess = closestMatch(word, candidates);
  return guess ? `Did you mean \`${guess}\`? ` : '';
}
