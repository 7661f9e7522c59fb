/**
 * The exactly-once JSON-lines sink end to end: a job that fails once and recovers leaves
 * committed `part-*.jsonl` files holding exactly the failure-free records, and nothing
 * else in the directory (no in-progress or pending file of the failed attempt).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob } from 'eddy';
import {
  CHAOS_COUNT,
  compareCounts,
  exactly,
  expectedCounts,
  finalCounts,
  formatFailures,
  lastAttemptSourceRecords,
  listDir,
  readCommittedJsonl,
  RESTART_AT_ONCE,
  TempDirs,
} from './support.js';
import type { PrefixCount } from './support.js';
import { STATE_BACKENDS } from '../../support/state-backends.js';

const RECORDS = 40_000;
/** Records of each source subtask before it waits for a completed checkpoint. */
const HOLD_AT = 8_000;

const dirs = new TempDirs('jsonl-exactly-once');
afterAll(() => dirs.removeAll());

describe.each(STATE_BACKENDS)('[%s] Sinks.jsonl with a failure', (backend) => {
  it('commits exactly the failure-free records into part files and leaves no hidden file behind', { timeout: 120_000 }, async () => {
    const dir = dirs.make();
    const out = join(dir, 'out');
    const result = await runJob(CHAOS_COUNT, {
      parallelism: 2,
      execution: 'threads',
      stateBackend: backend,
      parameters: {
        records: String(RECORDS),
        sink: 'jsonl',
        out,
        // the first attempt commits files (a checkpoint completes at the hold) before it fails
        holdAt: String(HOLD_AT),
        holdDir: dirs.make(),
        failures: formatFailures([{ attempt: 0, how: 'throw', record: HOLD_AT + 5_000 }]),
      },
      checkpoint: { interval: 20, directory: join(dir, 'checkpoints') },
      restartStrategy: RESTART_AT_ONCE,
    });
    expect(result.restarts).toBe(1);
    expect(lastAttemptSourceRecords(result)).toBeLessThanOrEqual(RECORDS - 2 * HOLD_AT);

    const names = listDir(out);
    expect(names.filter((name) => !/^part-[A-Za-z0-9]+-\d+-\d+-\d+\.jsonl$/.test(name))).toEqual([]);
    // files the first attempt committed before it failed are kept; the second attempt wrote the rest
    const attempts = new Set(names.map((name) => name.split('-')[2]));
    expect([...attempts].sort()).toEqual(['0', '1']);

    const records = readCommittedJsonl<PrefixCount>(out);
    expect(records.length).toBe(RECORDS);
    expect(finalCounts(records)).toEqual(expectedCounts(RECORDS));
    expect(compareCounts(records, RECORDS)).toEqual(exactly(RECORDS));
  });
});
