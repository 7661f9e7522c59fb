/**
 * The keyed prefix count with one failure at parallelism 1, 3 and 4, on worker threads and
 * on the calling thread, in both checkpointing modes: exactly-once must give the
 * failure-free output exactly; at-least-once must lose nothing (duplicates allowed).
 * Every source subtask holds halfway through its input until a checkpoint taken there has
 * completed, and the failure comes at three quarters of subtask 0's input: so it always
 * fires, always after that checkpoint, and every run restores state rather than starting
 * over, whatever the scheduling. `npm test` runs a representative subset (`npm run
 * test:full` all): exactly-once at parallelism 1 on the calling thread and 3 on worker
 * threads, at-least-once at 3 on the calling thread and (hashmap only) 4 on worker threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  CHAOS_COUNT,
  compareCounts,
  exactly,
  expectedCounts,
  finalCounts,
  formatFailures,
  lastAttemptSourceRecords,
  RESTART_AT_ONCE,
  runJobWithin,
  TempDirs,
} from './support.js';
import type { PrefixCount } from './support.js';
import type { Execution } from '../support.js';
import { casesFor, matrixCases, STATE_BACKENDS } from '../../support/state-backends.js';
import type { StateBackendKind } from '../../support/state-backends.js';

const RECORDS = 24_000;

const dirs = new TempDirs('parallelism-and-modes');
afterAll(() => dirs.removeAll());

/** Where each source subtask holds for a checkpoint: halfway through its input. */
function holdAt(parallelism: number): number {
  return Math.floor(RECORDS / parallelism / 2);
}

function run(backend: StateBackendKind, parallelism: number, execution: Execution, mode: 'exactly-once' | 'at-least-once') {
  const perSubtask = Math.floor(RECORDS / parallelism);
  return runJobWithin(CHAOS_COUNT, {
    parallelism,
    execution,
    stateBackend: backend,
    parameters: {
      records: String(RECORDS),
      holdAt: String(holdAt(parallelism)),
      holdDir: dirs.make(),
      failures: formatFailures([{ attempt: 0, how: 'throw', record: Math.floor((perSubtask * 3) / 4) }]),
    },
    checkpoint: { interval: 20, directory: dirs.make(), mode },
    restartStrategy: RESTART_AT_ONCE,
  }, 45_000);
}

const EXACTLY_ONCE_RUNS: readonly [number, Execution][] = [
  [1, 'single-thread'],
  [3, 'threads'],
  [4, 'threads'],
];
const AT_LEAST_ONCE_RUNS: readonly [number, Execution][] = [
  [1, 'threads'],
  [3, 'single-thread'],
  [4, 'threads'],
];

describe.each(STATE_BACKENDS)('[%s] recovery at several parallelisms and in both checkpointing modes', (backend) => {
  it.each(casesFor(backend, matrixCases(EXACTLY_ONCE_RUNS, ([p]) => p !== 4), ([p]) => p !== 4))('gives exactly the failure-free output at parallelism %i on %s in exactly-once mode', { timeout: 60_000 }, async (parallelism, execution) => {
    const result = await run(backend, parallelism, execution, 'exactly-once');
    const output = result.output<PrefixCount>('counts');
    expect(result.restarts).toBe(1);
    // every subtask resumed from at least its hold point
    expect(lastAttemptSourceRecords(result)).toBeLessThanOrEqual(RECORDS - parallelism * holdAt(parallelism));
    expect(output.length).toBe(RECORDS);
    expect(finalCounts(output)).toEqual(expectedCounts(RECORDS));
    expect(compareCounts(output, RECORDS)).toEqual(exactly(RECORDS));
  });

  it.each(casesFor(backend, matrixCases(AT_LEAST_ONCE_RUNS, ([p]) => p !== 1), ([p, execution]) => p === 3 && execution === 'single-thread'))('loses no record at parallelism %i on %s in at-least-once mode', { timeout: 60_000 }, async (parallelism, execution) => {
    const result = await run(backend, parallelism, execution, 'at-least-once');
    const output = result.output<PrefixCount>('counts');
    expect(result.restarts).toBe(1);
    // every subtask resumed from at least its hold point
    expect(lastAttemptSourceRecords(result)).toBeLessThanOrEqual(RECORDS - parallelism * holdAt(parallelism));
    const comparison = compareCounts(output, RECORDS);
    // every failure-free record at least once; copies and counts above the total are allowed
    expect({ missing: comparison.missing, unexpected: comparison.unexpected }, comparison.examples.join('\n')).toEqual({ missing: 0, unexpected: 0 });
    expect(output.length).toBeGreaterThanOrEqual(RECORDS);
    for (const [prefix, total] of expectedCounts(RECORDS)) expect(finalCounts(output).get(prefix)).toBeGreaterThanOrEqual(total);
  });
});
