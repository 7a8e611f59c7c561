/**
 * The warning when controls an apply meant to fix are not recorded in the
 * drift baseline: they do not comply on the facts gathered after the run, or
 * those facts could not be gathered (`recheckFailed` says why).
 */
export function notRecorded(unverified: readonly string[], recheckFailed?: string): string {
  const why =
    recheckFailed === undefined ? 'they do not comply on the facts gathered after the run' : `the facts after the run could not be gathered: ${recheckFailed}`;
  return `not recorded as enforced (${why}): ${unverified.join(', ')}. Run 'cis-fix plan' to see why.`;
}
