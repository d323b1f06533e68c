import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The property suites dominate; give each core one.
    maxWorkers: 2,
    // Generous, so a busy machine cannot fail a test by slowness alone (speed is for benchmarks).
    testTimeout: 120_000,
  },
});
