// Two projects: `unit` (pure logic, in-memory fakes, no network) and `e2e`
// (real sshd, sudo and etcd in the lab's network namespaces; needs root).
const tsJest = [
  'ts-jest',
  { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } },
];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
};
export default {
  // e2e tests bring up a lab and run the CLI several times; unit tests are far below this.
  testTimeout: 120_000,
  projects: [
    // Property tests run on a fixed seed, and on random ones with `npm run test:properties` (test/unit/support/property-runs.ts).
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/unit/support/property-seed.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], slowTestThreshold: 60 },
  ],
};
