/** The warning when controls an apply meant to fix do not comply on the facts gathered after it. */
export function notRecorded(unverified: readonly string[]): string {
  return `not recorded as enforced (they do not comply on the facts gathered after the run): ${unverified.join(', ')}. Run 'cis-fix plan' to see why.`;
}
