import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code (src/**/x.test.ts); integration tests live in test/.
// Timings are never asserted here: these machines are shared and noisy (see docs/benchmarks.md).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only make each slower.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
