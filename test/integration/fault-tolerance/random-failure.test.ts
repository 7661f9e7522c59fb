/**
 * Run → fail → restore → compare with the failure-free output (DESIGN §9): a keyed count
 * over 40 prefixes fails once at a random point of its input and must still emit every
 * running count exactly once. The point is drawn from a seeded PRNG; the seed is in the
 * test name, and `EDDY_TEST_SEED=<seed>` replays it.
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
  seededRandom,
  TempDirs,
  testSeed,
} from './support.js';
import type { PrefixCount } from './support.js';
import { STATE_BACKENDS } from '../../support/state-backends.js';

const RECORDS = 100_000;
const PARALLELISM = 2;

const seed = testSeed();
const random = seededRandom(seed);
const perSubtask = RECORDS / PARALLELISM;
const fraction = 0.4 + 0.3 * random();
const failAt = Math.floor(fraction * perSubtask);
/** Each source subtask waits here for a completed checkpoint, so the failure always comes after one. */
const HOLD_AT = Math.floor(0.3 * perSubtask);

const dirs = new TempDirs('random-failure');
afterAll(() => dirs.removeAll());

describe.each(STATE_BACKENDS)('[%s] recovery from one failure at a random point', (backend) => {
  it(
    `emits every per-prefix count exactly once after a failure at record ${failAt} of ${perSubtask} (${(fraction * 100).toFixed(1)}%, seed ${seed})`,
    { timeout: 120_000 },
    async () => {
      const context = `seed ${seed} (replay with EDDY_TEST_SEED=${seed}), failure at record ${failAt} of subtask 0`;
      const result = await runJobWithin(CHAOS_COUNT, {
        parallelism: PARALLELISM,
        execution: 'threads',
        stateBackend: backend,
        parameters: { records: String(RECORDS), holdAt: String(HOLD_AT), holdDir: dirs.make(), failures: formatFailures([{ attempt: 0, how: 'throw', record: failAt }]) },
        checkpoint: { interval: 20, directory: dirs.make() },
        restartStrategy: RESTART_AT_ONCE,
      }, 90_000);
      const output = result.output<PrefixCount>('counts');

      expect(result.restarts, context).toBe(1);
      // the last attempt started from a completed checkpoint, not from the beginning
      expect(lastAttemptSourceRecords(result), context).toBeLessThanOrEqual(RECORDS - PARALLELISM * HOLD_AT);
      expect(result.checkpointCounts.completed, context).toBeGreaterThanOrEqual(1);
      expect(output.length, context).toBe(RECORDS);
      expect(finalCounts(output), context).toEqual(expectedCounts(RECORDS));
      expect(compareCounts(output, RECORDS), context).toEqual(exactly(RECORDS));
    },
  );
});
