import fc from 'fast-check';
import { DEFAULT_RUNS, EXPLORING, FIXED_SEED } from './property-runs.js';

// Loaded before every unit test file (jest.config.js): see property-runs.ts.
fc.configureGlobal(EXPLORING ? { numRuns: DEFAULT_RUNS } : { seed: FIXED_SEED, numRuns: DEFAULT_RUNS });
