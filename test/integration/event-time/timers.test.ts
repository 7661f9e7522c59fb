/**
 * Timers in running jobs (issue 5, DESIGN §4.5): event-time timers fire as watermarks
 * pass them; pending timers survive a savepoint and a rescale and fire exactly once, in
 * the subtask that owns their key; a drained stop-with-savepoint fires every pending
 * event-time timer; overdue processing-time timers fire at once after a restore.
 *
 * The job (test/jobs/timer-buckets.ts) closes per-key buckets of event time with
 * event-time timers, so "every timer fires exactly once" is "every (key, bucket) is
 * emitted exactly once, with all its records".
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assignKeyToParallelOperator, runJob, startJob } from 'eddy';
import type { JobClient, RunOptions } from 'eddy';
import { ManualClock } from 'eddy/testing';
import type { BucketFired, Fired, ProcessingFired } from '../../jobs/timer-buckets.js';
import { TempDirs } from '../fault-tolerance/support.js';
import { testJobPath } from '../support.js';
import type { Execution } from '../support.js';
import { waitUntil } from '../../support/wait-until.js';

const JOB = testJobPath('timer-buckets');
const KEYS = 10;
const BUCKET = 100;
const RECORDS = 2000;
const MORE = 1000;
const dirs = new TempDirs('timers');
afterAll(() => dirs.removeAll());

/** `key/end` of a bucket. */
const id = (b: BucketFired): string => `${b.key}/${b.end}`;

/** The buckets of [from, to) for every key: `key/end` → [count, sum]. */
function expectedBuckets(from: number, to: number): Map<string, [number, number]> {
  const buckets = new Map<string, [number, number]>();
  for (let n = from; n < to; n++) {
    const key = `${n % KEYS}/${Math.floor(n / BUCKET) * BUCKET + BUCKET - 1}`;
    const [count, sum] = buckets.get(key) ?? [0, 0];
    buckets.set(key, [count + 1, sum + n]);
  }
  return buckets;
}

/** What the run of `phase` emitted (a resumed run's collect sink also replays what its savepoint committed). */
const ofPhase = (phase: number, output: readonly Fired[]): Fired[] => output.filter((f) => f.phase === phase);
const bucketsOf = (output: readonly Fired[]): BucketFired[] => output.filter((f): f is BucketFired => f.kind === 'bucket');
const processingOf = (output: readonly Fired[]): ProcessingFired[] => output.filter((f): f is ProcessingFired => f.kind === 'processing');

/** Checks that `fired` holds every bucket of `expected` exactly once, with its exact content. */
function expectExactlyOnce(fired: readonly BucketFired[], expected: Map<string, [number, number]>): void {
  const ids = fired.map(id);
  expect(ids.length - new Set(ids).size).toBe(0); // no bucket twice
  expect(new Set(ids)).toEqual(new Set(expected.keys()));
  const wrong = fired.filter((b) => {
    const [count, sum] = expected.get(id(b))!;
    return b.count !== count || b.sum !== sum;
  });
  expect(wrong).toEqual([]);
}

/** The buckets emitted by another subtask than the one the key-group formula names. */
function misplaced(fired: readonly Fired[]): string[] {
  return fired
    .filter((f) => f.subtask !== assignKeyToParallelOperator(f.key, f.maxParallelism, f.parallelism))
    .map((f) => `key ${f.key} fired on subtask ${f.subtask}/${f.parallelism}`);
}

/** Waits until the sources have read `records` and the keyed operator has emitted `fired` records. */
async function progressed(client: JobClient, records: number, fired = 0): Promise<void> {
  const counts = () => {
    const vertices = client.details().vertices;
    const read = vertices.filter((v) => v.isSource).reduce((n, v) => n + v.recordsIn, 0);
    return { read, out: vertices.find((v) => v.operatorUids.includes('buckets'))?.recordsOut ?? 0 };
  };
  await waitUntil(
    () => {
      const { read, out } = counts();
      return read >= records && out >= fired;
    },
    { what: `the sources read ${records} records and ${fired} timers fired`, timeoutMs: 60_000, describe: () => JSON.stringify(counts()) },
  );
}

/**
 * Runs phase 1 at `parallelism` until its records are read and (with `firedFirst`) some
 * buckets were closed by watermarks, then stops it with a savepoint.
 */
async function phaseOne(
  dir: string,
  parallelism: number,
  execution: Execution,
  options: { drain?: boolean; firedFirst?: number; extra?: RunOptions } = {},
): Promise<{ savepoint: string; output: Fired[] }> {
  const { extra = {} } = options;
  const client = await startJob(JOB, { parallelism, execution, progressIntervalMs: 20, ...extra, parameters: { phase: '1', ...(extra.parameters as object) } });
  await progressed(client, RECORDS, options.firedFirst ?? 0);
  const savepoint = await client.stopWithSavepoint(join(dir, 'savepoints'), { drain: options.drain ?? false });
  const result = await client.result;
  expect(result.status).toBe('finished');
  return { savepoint, output: result.output<Fired>('fired') };
}

describe('event-time timers in a job', () => {
  it.each<[number, Execution]>([
    [1, 'single-thread'],
    [2, 'threads'],
    [4, 'single-thread'],
    [3, 'threads'],
  ])('close every (key, bucket) once, with all its records, at parallelism %i (%s)', { timeout: 60_000 }, async (parallelism, execution) => {
    const result = await runJob(JOB, { parallelism, execution, parameters: { idleAtEnd: 'false' } });
    const output = result.output<Fired>('fired');
    expectExactlyOnce(bucketsOf(output), expectedBuckets(0, RECORDS));
    expect(misplaced(output)).toEqual([]);
  });

  it('fires timers on watermarks while the job runs, not only at the end of input', { timeout: 60_000 }, async () => {
    const dir = dirs.make();
    // the source idles after its last record: only periodic watermarks can close buckets
    const { output } = await phaseOne(dir, 2, 'single-thread', { firedFirst: KEYS });
    const fired = bucketsOf(output);
    expect(fired.length).toBeGreaterThanOrEqual(KEYS);
    // the watermark stays below the last record's timestamp, so the last buckets are still open
    expect(fired.map((b) => b.end)).not.toContain(RECORDS - 1);
  });
});

describe('timers through savepoints', () => {
  it.each<[number, number, Execution]>([
    [2, 3, 'single-thread'],
    [2, 3, 'threads'],
    [3, 2, 'single-thread'],
  ])('survive a stop-with-savepoint and a rescale %i → %i and fire exactly once, in the owning subtask (%s)', { timeout: 90_000 }, async (from, to, execution) => {
    const dir = dirs.make();
    const first = await phaseOne(dir, from, execution, { firedFirst: KEYS });
    const pending = [...expectedBuckets(0, RECORDS).keys()].filter((b) => !bucketsOf(first.output).some((f) => id(f) === b));
    expect(pending.length).toBeGreaterThanOrEqual(KEYS); // at least every key's last bucket waits in the savepoint

    const second = await runJob(JOB, { parallelism: to, execution, fromSavepoint: first.savepoint, parameters: { phase: '2' } });
    const output = ofPhase(2, second.output<Fired>('fired'));
    expect(misplaced(output)).toEqual([]);
    expect(output.every((f) => f.parallelism === to)).toBe(true);
    const restoredFired = bucketsOf(output).filter((b) => b.end < RECORDS).map(id);
    expect(new Set(restoredFired)).toEqual(new Set(pending)); // the pending ones, and only those
    expectExactlyOnce([...bucketsOf(first.output), ...bucketsOf(output)], expectedBuckets(0, RECORDS + MORE));
  });

  it('a drained stop-with-savepoint fires every pending event-time timer, and leaves none in the savepoint', { timeout: 60_000 }, async () => {
    const dir = dirs.make();
    const first = await phaseOne(dir, 2, 'single-thread', { drain: true });
    expectExactlyOnce(bucketsOf(first.output), expectedBuckets(0, RECORDS));

    const second = await runJob(JOB, { parallelism: 3, execution: 'single-thread', fromSavepoint: first.savepoint, parameters: { phase: '2' } });
    const output = bucketsOf(ofPhase(2, second.output<Fired>('fired')));
    expect(output.filter((b) => b.end < RECORDS)).toEqual([]);
    expectExactlyOnce(output, expectedBuckets(RECORDS, RECORDS + MORE));
  });

  it('fires overdue processing-time timers at once after a restore, once per key, in the owning subtask', { timeout: 60_000 }, async () => {
    const dir = dirs.make();
    const AT = 60_000;
    // phase 1: processing time stands still at 0, so no processing-time timer fires (nor a periodic watermark)
    const first = await phaseOne(dir, 2, 'single-thread', {
      extra: { testing: { clock: new ManualClock(0) }, parameters: { procTimerAt: String(AT) } },
    });
    expect(processingOf(first.output)).toEqual([]);
    expect(readdirSync(first.savepoint)).toContain('_metadata');

    // phase 2 starts long after the timers' time; its own records set no processing-time timers
    const client = await startJob(JOB, {
      parallelism: 3,
      execution: 'single-thread',
      testing: { clock: new ManualClock(2 * AT) },
      fromSavepoint: first.savepoint,
      progressIntervalMs: 20,
      parameters: { phase: '2', moreIdleAtEnd: 'true' },
    });
    await progressed(client, MORE, KEYS);
    await client.stopWithSavepoint(join(dir, 'savepoints'), { drain: true });
    const output = ofPhase(2, (await client.result).output<Fired>('fired'));
    const processing = processingOf(output);
    expect(processing.map((p) => p.key).sort((a, b) => a - b)).toEqual(Array.from({ length: KEYS }, (_, k) => k));
    expect(processing.every((p) => p.at === AT && p.now === 2 * AT && p.parallelism === 3)).toBe(true);
    expect(misplaced(output)).toEqual([]);
    // and the event-time timers of both phases fired once each (the rest on the drain's final watermark)
    expectExactlyOnce([...bucketsOf(first.output), ...bucketsOf(output)], expectedBuckets(0, RECORDS + MORE));
  });
});
