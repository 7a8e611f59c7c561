/**
 * How the property tests (fast-check) choose their cases.
 *
 * - `npm test` (and so CI): one fixed seed. Every run checks the same cases,
 *   so a red run is the code's doing, never the dice's, and a green main
 *   stays green on the next machine.
 * - `npm run test:properties`: a fresh random seed per property and twenty
 *   times the runs, to go looking for counterexamples. fast-check prints the
 *   seed and path of a failure; replay it with `{ seed, path }` in that test's
 *   options, then keep the counterexample as a fixed test.
 */
export const EXPLORING = process.env['CIS_FIX_PROPERTIES'] === 'explore';

/** The seed `npm test` uses. Changing it is allowed; run `npm run test:properties` first. */
export const FIXED_SEED = 20_261_204;

const EXPLORE_FACTOR = 20;

/** A property's run count: `numRuns` for `npm test`, twenty times that when exploring. */
export function runs(numRuns: number): { readonly numRuns: number } {
  return { numRuns: EXPLORING ? numRuns * EXPLORE_FACTOR : numRuns };
}

/** fast-check's defaults (100 runs) scaled the same way, for properties that name no run count. */
export const DEFAULT_RUNS = runs(100).numRuns;
