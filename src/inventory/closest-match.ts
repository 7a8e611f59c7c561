/**
 * "Did you mean …?" for misspelt keys and names. Comparison ignores case,
 * `_` and `-`, so `identityfile`, `identity_file` and `Identity-File` all
 * land on `identityFile` — the spellings Ansible and ssh_config users bring.
 */

function squash(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, '');
}

/** Levenshtein distance; the words here are short, so the O(n·m) table is fine. */
export function editDistance(a: string, b: string): number {
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
 * The candidate closest to `word`, or undefined when none is close enough to
 * be a plausible typo (at most a third of the word's letters differ, and at
 * most 3), so that unrelated keys get the list of valid ones instead.
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
