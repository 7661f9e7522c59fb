import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // a private TMPDIR per run, and a report of what tests leave in it (test/support/leftover-check.ts)
    globalSetup: ['test/support/leftover-check.ts'],
  },
});
