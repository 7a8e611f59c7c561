import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { EXPLORING, FIXED_SEED, runs } from './property-runs.js';

// The unit project loads property-seed.ts before every file: without it, CI would draw new cases on every run.
describe('property tests under npm test', () => {
  it('run on the fixed seed unless exploring', () => {
    expect(fc.readConfigureGlobal().seed).toBe(EXPLORING ? undefined : FIXED_SEED);
  });

  it('take twenty times the runs when exploring', () => {
    expect(runs(300).numRuns).toBe(EXPLORING ? 6000 : 300);
  });
});
