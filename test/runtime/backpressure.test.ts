/**
 * Backpressure (DESIGN §2.1): a slow sink must slow the source, so the records in flight
 * stay bounded by the data-path settings whatever the input size. The job's source
 * measures, at every poll, how far it is ahead of the sink (emitted − received) through
 * counters in a SharedArrayBuffer shared with every worker thread via
 * `setEnvironmentData` (before the first thread starts), so the measurement holds across
 * threads too. No timing is
 * asserted: the bound is computed from batch size, credits and channel count.
 */
import { fileURLToPath } from 'node:url';
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { runJob } from 'eddy';
import {
  COUNTER_SLOTS,
  DUPLICATES,
  EMITTED,
  MAX_GAP,
  MISSING,
  OUT_OF_RANGE,
  POLLS,
  RECEIVED,
} from '../jobs/runtime-backpressure.js';

const JOB = fileURLToPath(new URL('../jobs/runtime-backpressure.ts', import.meta.url));
const RECORDS = 200_000;

/**
 * Environment data reaches a worker thread when the thread starts, and the worker pool
 * keeps threads from one job to the next: so every run's counters are handed out before
 * the first thread starts, each run taking fresh ones.
 */
const COUNTER_SETS = 8;
const counterKeys = Array.from({ length: COUNTER_SETS }, (_, i) => {
  const key = `eddy-test-backpressure-${process.pid}-${i}`;
  setEnvironmentData(key, new SharedArrayBuffer(COUNTER_SLOTS * 4));
  return key;
});
let runs = 0;

/** Runs the job with fresh shared counters and returns them. */
async function run(options: {
  topology: 'fan-in' | 'remote';
  execution: 'single-thread' | 'threads';
  slots?: number;
  batchSize: number;
  credits: number;
  work: number;
}): Promise<Int32Array> {
  const key = counterKeys[runs++];
  if (key === undefined) throw new Error(`backpressure test: more than ${COUNTER_SETS} runs, raise COUNTER_SETS`);
  await runJob(JOB, {
    execution: options.execution,
    slots: options.slots ?? 1,
    testing: { batchSize: options.batchSize, credits: options.credits },
    parameters: { counters: key, records: String(RECORDS), work: String(options.work), topology: options.topology },
  });
  return new Int32Array(getEnvironmentData(key) as SharedArrayBuffer);
}

/**
 * The most records that can be between a source's collect and the sink's write: per data
 * channel, `credits` buffers queued or in flight, one partial buffer and one poll's worth
 * of backlog (a source is polled only while its writers are available, and a poll emits
 * `batchSize` records); plus one buffer the sink may be processing on another thread.
 */
function inFlightBound(channels: number, batchSize: number, credits: number): number {
  return channels * ((credits + 1) * batchSize + batchSize) + batchSize;
}

function expectEveryRecordExactlyOnce(c: Int32Array): void {
  expect(c[EMITTED]).toBe(RECORDS);
  expect(c[RECEIVED]).toBe(RECORDS);
  expect(c[DUPLICATES]).toBe(0);
  expect(c[MISSING]).toBe(0);
  expect(c[OUT_OF_RANGE]).toBe(0);
}

describe('backpressure', () => {
  it('keeps four fast sources at most a few buffers ahead of one slow sink on a single thread', async () => {
    const batchSize = 64;
    const credits = 2;
    const c = await run({ topology: 'fan-in', execution: 'single-thread', batchSize, credits, work: 50 });
    const bound = inFlightBound(4, batchSize, credits);
    expect(c[POLLS]).toBeGreaterThan(RECORDS / batchSize); // measured at every poll
    expect(c[MAX_GAP]).toBeLessThanOrEqual(bound);
    expect(c[MAX_GAP]).toBeGreaterThanOrEqual(credits * batchSize); // the channels did fill up
    expectEveryRecordExactlyOnce(c);
  });

  it('sees the gap grow far past that bound when credits are effectively unlimited (the measurement can fail)', async () => {
    // control: the same job with flow control disabled in all but name; on one thread the
    // scheduler polls four sources per sink step, so without backpressure the lead grows
    const batchSize = 64;
    const c = await run({ topology: 'fan-in', execution: 'single-thread', batchSize, credits: 1_000_000, work: 0 });
    expect(c[MAX_GAP]).toBeGreaterThan(10 * inFlightBound(4, batchSize, 2));
    expectEveryRecordExactlyOnce(c);
  });

  it('keeps a source on one worker thread within the bound of a slow sink on another', async () => {
    const batchSize = 64;
    const credits = 2;
    const c = await run({ topology: 'remote', execution: 'threads', slots: 2, batchSize, credits, work: 200 });
    // one data channel (source subtask 1 in slot 1 → sink in slot 0); subtask 0 only sends end-of-partition
    expect(c[MAX_GAP]).toBeLessThanOrEqual(inFlightBound(1, batchSize, credits));
    expectEveryRecordExactlyOnce(c);
  });

  it('keeps four sources on four worker threads within the bound of one slow sink', async () => {
    const batchSize = 32;
    const credits = 3;
    const c = await run({ topology: 'fan-in', execution: 'threads', slots: 4, batchSize, credits, work: 100 });
    expect(c[MAX_GAP]).toBeLessThanOrEqual(inFlightBound(4, batchSize, credits));
    expectEveryRecordExactlyOnce(c);
  });

  it('delivers every record exactly once through a slow sink with the default data path', async () => {
    const c = await run({ topology: 'fan-in', execution: 'threads', slots: 2, batchSize: 512, credits: 4, work: 100 });
    expect(c[MAX_GAP]).toBeLessThanOrEqual(inFlightBound(4, 512, 4));
    expectEveryRecordExactlyOnce(c);
  });
});
