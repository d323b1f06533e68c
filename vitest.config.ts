import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The property suites dominate; give each core one.
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
