/**
 * Several failures of different kinds in one run: a checkpoint whose state cannot be
 * written (the asynchronous part of the snapshot), two user functions that throw, a
 * function that fails while its state is restored, and a worker thread that exits. The
 * output must still equal the failure-free output, and every failure that fired must
 * have cost exactly one restart.
 *
 * The order is fixed so that every failure fires: every source subtask holds after
 * `HOLD_AT` records until a checkpoint taken there completes, so the first attempt cannot
 * end before checkpoint 1 (the one whose state writes fail) fails it; the second attempt,
 * starting over, completes a checkpoint at the hold before its failure, so every later
 * attempt restores state (which the restore failure needs); and the failures count
 * records, which the input has enough of for all of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob } from 'eddy';
import type { CheckpointStats } from 'eddy';
import {
  CHAOS_COUNT,
  compareCounts,
  exactly,
  expectedCounts,
  finalCounts,
  formatFailures,
  RESTART_AT_ONCE,
  TempDirs,
} from './support.js';
import type { FiredFailure, PrefixCount } from './support.js';
import { STATE_BACKENDS } from '../../support/state-backends.js';

const RECORDS = 100_000;
/** Records of each source subtask before it waits for a completed checkpoint. */
const HOLD_AT = 5_000;

const dirs = new TempDirs('multiple-failures');
afterAll(() => dirs.removeAll());

describe.each(STATE_BACKENDS)('[%s] recovery from several failures in one run', (backend) => {
  it('stays exactly-once through a snapshot, two user-function, a restore and a thread-exit failure, restarting once for each', { timeout: 180_000 }, async () => {
    const dir = dirs.make();
    const failureLog = join(dir, 'failures.jsonl');
    const aborted: CheckpointStats[] = [];
    const result = await runJob(CHAOS_COUNT, {
      parallelism: 2,
      execution: 'threads',
      stateBackend: backend,
      parameters: {
        records: String(RECORDS),
        holdAt: String(HOLD_AT),
        holdDir: dirs.make(),
        failureLog,
        failures: formatFailures([
          { attempt: 1, how: 'throw', record: 15_000 },
          { attempt: 2, how: 'throw', record: 10_000 },
          { attempt: 3, how: 'restore' },
          { attempt: 4, how: 'exit-thread', record: 8_000 },
        ]),
      },
      checkpoint: { interval: 20, directory: join(dir, 'checkpoints'), tolerableFailures: 0 },
      testing: { storageFaults: { failStateWritesOfCheckpoints: [1] } },
      onCheckpoint: (stats) => {
        if (stats.status === 'aborted') aborted.push(stats);
      },
      restartStrategy: RESTART_AT_ONCE,
    });

    const fired = readFileSync(failureLog, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as FiredFailure);
    const storageFault = aborted.filter((s) => s.checkpointId === 1 && /ENOSPC/.test(s.failureReason ?? ''));
    const description = `fired: ${JSON.stringify(fired)}; aborted checkpoints: ${aborted.map((s) => `${s.checkpointId} (${s.failureReason})`).join(', ')}`;

    expect(storageFault, description).toHaveLength(1);
    expect(fired, description).toEqual([
      { attempt: 1, how: 'throw', subtask: 0, record: 15_000 },
      { attempt: 2, how: 'throw', subtask: 0, record: 10_000 },
      { attempt: 3, how: 'restore', subtask: 0 },
      { attempt: 4, how: 'exit-thread', subtask: 0, record: 8_000 },
    ]);
    expect(result.restarts, description).toBe(fired.length + storageFault.length);

    const output = result.output<PrefixCount>('counts');
    expect(output.length).toBe(RECORDS);
    expect(finalCounts(output)).toEqual(expectedCounts(RECORDS));
    expect(compareCounts(output, RECORDS)).toEqual(exactly(RECORDS));
  });
});
