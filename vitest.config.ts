import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // two test files at a time even on 2 cores (vitest's default is cores - 1): most
    // files spend much of their time waiting on worker threads, child processes and disks
    maxWorkers: 2,
    // a private TMPDIR per run, and a report of what tests leave in it (test/support/leftover-check.ts)
    globalSetup: ['test/support/leftover-check.ts'],
    // The built package (what tests import as 'eddy') runs in Node itself, not through
    // Vite: a job module it loads then resolves 'eddy' the way it does under `eddy run`
    // (the runtime's resolve hooks), from any folder.
    server: { deps: { external: [/\/dist\//] } },
  },
});
