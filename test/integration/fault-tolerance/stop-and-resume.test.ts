/**
 * A job canceled after two completed checkpoints, with its checkpoints retained, and
 * started again from the retained checkpoint, three times in a row, then run to its end:
 * what all the runs committed together must be the failure-free output exactly.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startJob } from 'eddy';
import type { JobClient, JobResult } from 'eddy';
import {
  CHAOS_COUNT,
  compareCounts,
  concatAll,
  exactly,
  expectedCounts,
  finalCounts,
  lastAttemptSourceRecords,
  listDir,
  readCommittedJsonl,
  TempDirs,
} from './support.js';
import type { PrefixCount } from './support.js';
import type { Execution } from '../support.js';
import { casesFor, STATE_BACKENDS } from '../../support/state-backends.js';
import type { StateBackendKind } from '../../support/state-backends.js';

const RECORDS = 120_000;
const STOPS = 3;

const dirs = new TempDirs('stop-and-resume');
afterAll(() => dirs.removeAll());

interface Cycle {
  readonly result: JobResult;
  /** Ids of the checkpoints the run completed, in order, as `onCheckpoint` saw them. */
  readonly completed: readonly number[];
}

/**
 * Runs the job once, from `fromSavepoint` if given; with `stopAfter`, cancels it as soon as
 * that many checkpoints completed (from inside `onCheckpoint`, so no later one can complete).
 * A stopped run's sources hold at `holdAt` records of their range until the cancel, so the
 * run can never end before its checkpoints complete, however slow the machine.
 */
async function runOnce(
  backend: StateBackendKind,
  sink: 'collect' | 'jsonl',
  execution: Execution,
  dir: string,
  fromSavepoint: string | undefined,
  stop?: { readonly after: number; readonly holdAt: number },
): Promise<Cycle> {
  const completed: number[] = [];
  let client: JobClient | undefined;
  client = await startJob(CHAOS_COUNT, {
    parallelism: 2,
    execution,
    stateBackend: backend,
    // throttled, so records are in flight while checkpoints are taken
    parameters: {
      records: String(RECORDS),
      rate: '40',
      sink,
      out: join(dir, 'out'),
      ...(stop ? { holdAt: String(stop.holdAt), holdDir: dirs.make(), holdCheckpoints: String(Number.MAX_SAFE_INTEGER) } : {}),
    },
    // the pause lets each commit reach the caller before the next checkpoint starts
    checkpoint: { interval: 20, minPauseMs: 20, retentionOnCancel: 'retain', directory: join(dir, 'checkpoints') },
    ...(fromSavepoint !== undefined ? { fromSavepoint } : {}),
    onCheckpoint: (stats) => {
      if (stats.status !== 'completed') return;
      completed.push(stats.checkpointId);
      // Checkpoints complete only after startJob has returned the client. Canceling right
      // here means the run has delivered the records of the checkpoints before, and the
      // resumed run commits this checkpoint's records. (A Sinks.collect run canceled later
      // would also deliver this checkpoint's records, and the resumed run would deliver
      // them again: the collect sink deduplicates commits within one run only.)
      if (completed.length === stop?.after) void client!.cancel();
    },
  });
  return { result: await client.result, completed };
}

describe.each(STATE_BACKENDS)('[%s] stopping a job and resuming it from its retained checkpoint', (backend) => {
  // The collect sink's case depends on the cancel reaching the sink before the notice of
  // the checkpoint that triggered it (see runOnce); a task that first waits for its
  // asynchronous checkpoint part, as RocksDB's take longer, may commit first. The jsonl
  // sink's two-phase commit has no such race: the rocksdb variant runs that case.
  it.each<['collect' | 'jsonl', Execution]>(
    casesFor(backend, [
      ['collect', 'threads'],
      ['jsonl', 'single-thread'],
    ], ([sink]) => sink === 'jsonl'),
  )(
    'commits exactly the failure-free output over three stop-and-resume cycles (%s sink, %s)',
    { timeout: 90_000 },
    async (sink, execution) => {
      const dir = dirs.make();
      const cycles: Cycle[] = [];
      let from: string | undefined;
      for (let stop = 0; stop < STOPS; stop++) {
        // each run holds further into the input than the one before, so every run makes progress
        const cycle = await runOnce(backend, sink, execution, dir, from, { after: 2, holdAt: ((stop + 1) * RECORDS) / 2 / (STOPS + 2) });
        cycles.push(cycle);
        const { result, completed } = cycle;
        expect(result.status).toBe('canceled');
        expect(completed).toHaveLength(2);
        const retained = result.checkpoints.filter((c) => c.status === 'completed').at(-1);
        expect(retained?.checkpointId).toBe(completed[1]);
        expect(retained?.directory).toBe(join(dir, 'checkpoints', result.jobId, `chk-${completed[1]}`));
        expect(existsSync(join(retained!.directory!, '_metadata'))).toBe(true);
        from = retained!.directory;
      }
      const last = await runOnce(backend, sink, execution, dir, from);
      cycles.push(last);
      expect(last.result.status).toBe('finished');
      expect(last.result.restarts).toBe(0);
      // it went on from the checkpoint instead of reading everything again
      expect(lastAttemptSourceRecords(last.result)).toBeLessThan(RECORDS);
      // checkpoint ids go on across runs, so every resumed run started after the one before
      const ids = cycles.map((c) => c.completed[0]!);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);

      const committed =
        sink === 'collect'
          ? concatAll(cycles.map((c) => c.result.output<PrefixCount>('counts')))
          : readCommittedJsonl<PrefixCount>(join(dir, 'out'));
      // a canceled run may leave hidden in-progress files of its own (docs/SINKS.md); nothing else is visible
      if (sink === 'jsonl') expect(listDir(join(dir, 'out')).filter((name) => !name.startsWith('.') && !/^part-.*\.jsonl$/.test(name))).toEqual([]);
      expect(committed.length).toBe(RECORDS);
      expect(finalCounts(committed)).toEqual(expectedCounts(RECORDS));
      expect(compareCounts(committed, RECORDS)).toEqual(exactly(RECORDS));
    },
  );
});
