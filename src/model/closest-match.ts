/**
 * "Did you mean …?" for misspelt keys and names, in the inventory and the
 * playbooks. Comparison ignores case, `_` and `-`, so `identityfile`, `identity_file` and `Identity-File` all
 * land on `identityFile` — the spellings Ansible and ssh_config users bring.
 */

function squash(word: string): string {
  return word.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Edit distance counting a swap of two neighbouring letters as one edit
 * (optimal string alignment): `prot` is one typo away from `port`.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
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

/** "Did you mean `x`? " or "" — the prefix of a fix hint. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const guess = closestMatch(word, candidates);
  return guess ? `Did you mean \`${guess}\`? ` : '';
}
