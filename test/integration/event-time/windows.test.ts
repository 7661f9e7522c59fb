/**
 * Windows in running jobs (issue 5, item 6), after Flink's
 * EventTimeWindowCheckpointingITCase: a source emits (key, seq) with timestamp seq for seq
 * 0..2999 over 100 keys and the watermark seq − 1333; the job fails once, after a
 * checkpoint completed, half-way through; for tumbling windows of 1000 and sliding
 * windows of 1000/100, with pre-aggregation (reduce, aggregate) and without (process),
 * every window's sum is exact and every key sees every window exactly once. Then the same
 * windows through a stop-with-savepoint with windows open and a rescale 2 → 3. And
 * session windows over out-of-order clicks, with allowed lateness and late data sent to
 * a side output.
 *
 * The jobs are test/jobs/window-ft.ts and window-sessions.ts; the expected windows are
 * computed here. Every case runs on the hashmap backend; on rocksdb a representative
 * subset runs: the tumbling windows (in a job, through a failure with reduce and with
 * process, through a savepoint) and the sessions on worker threads. Sliding windows put
 * every record into 10 windows, a read and a write of RocksDB each, which takes nearly a
 * minute per case there; window-operator-state.test.ts checks them on rocksdb.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob, startJob } from 'eddy';
import type { JobClient } from 'eddy';
import type { WindowSum } from '../../jobs/window-ft.js';
import { GAP, sessionStart } from '../../jobs/window-sessions.js';
import type { Click, Session } from '../../jobs/window-sessions.js';
import { lastAttemptSourceRecords, RESTART_AT_ONCE, TempDirs } from '../fault-tolerance/support.js';
import { testJobPath } from '../support.js';
import type { Execution } from '../support.js';
import { casesFor, FULL_MATRIX, matrixCases, STATE_BACKENDS } from '../../support/state-backends.js';
import { waitUntil } from '../../support/wait-until.js';

const JOB = testJobPath('window-ft');
const SESSIONS_JOB = testJobPath('window-sessions');
/** Keys of the input: 100 as in Flink's EventTimeWindowCheckpointingITCase with the full matrix, 40 in `npm test` (the same windows, per key). */
const KEYS = FULL_MATRIX ? 100 : 40;
const PER_KEY = 3000;
const SIZE = 1000;
const SLIDE = 100;
const dirs = new TempDirs('windows');
afterAll(() => dirs.removeAll());

type Kind = 'tumbling' | 'sliding';

/** Every window start of `kind` that holds some seq of 0..PER_KEY-1. */
function windowStarts(kind: Kind): number[] {
  const slide = kind === 'tumbling' ? SIZE : SLIDE;
  const starts: number[] = [];
  for (let start = -SIZE + slide; start < PER_KEY; start += slide) if (start + SIZE > 0) starts.push(start);
  return starts;
}

/** `key/start` → [sum, count] of every window of every key. */
function expectedWindows(kind: Kind): Map<string, [number, number]> {
  const expected = new Map<string, [number, number]>();
  for (const start of windowStarts(kind)) {
    const from = Math.max(0, start);
    const to = Math.min(PER_KEY, start + SIZE); // exclusive
    const count = to - from;
    const sum = ((from + to - 1) * count) / 2;
    for (let key = 0; key < KEYS; key++) expected.set(`${key}/${start}`, [sum, count]);
  }
  return expected;
}

/** What differs between `output` and exactly-once-per-window with exact sums. */
function check(output: readonly WindowSum[], kind: Kind): { duplicated: string[]; missing: number; wrong: string[]; extra: string[] } {
  const expected = expectedWindows(kind);
  const seen = new Set<string>();
  const duplicated: string[] = [];
  const wrong: string[] = [];
  const extra: string[] = [];
  for (const w of output) {
    const id = `${w.key}/${w.start}`;
    if (seen.has(id)) duplicated.push(id);
    seen.add(id);
    const want = expected.get(id);
    if (want === undefined || w.end !== w.start + SIZE) extra.push(JSON.stringify(w));
    else if (want[0] !== w.sum || want[1] !== w.count) wrong.push(`${id}: sum ${w.sum} count ${w.count}, expected ${want[0]} ${want[1]}`);
  }
  const missing = [...expected.keys()].filter((id) => !seen.has(id)).length;
  return { duplicated: duplicated.slice(0, 5), missing, wrong: wrong.slice(0, 5), extra: extra.slice(0, 5) };
}

const EXACT = { duplicated: [], missing: 0, wrong: [], extra: [] };

const IN_A_JOB: readonly [Kind, string, number, Execution][] = [
  ['tumbling', 'reduce', 1, 'single-thread'],
  ['sliding', 'aggregate', 3, 'threads'],
];
const THROUGH_A_FAILURE: readonly [Kind, string, Execution][] = [
  ['tumbling', 'reduce', 'single-thread'],
  ['tumbling', 'process', 'threads'],
  ['sliding', 'reduce', 'single-thread'],
  ['sliding', 'aggregate', 'single-thread'],
  ['sliding', 'process', 'threads'],
];
const THROUGH_A_SAVEPOINT: readonly [Kind, string, Execution][] = [
  ['tumbling', 'reduce', 'single-thread'],
  ['sliding', 'process', 'threads'],
];
const SESSIONS: readonly [number, Execution][] = [
  [2, 'single-thread'],
  [3, 'threads'],
];

describe.each(STATE_BACKENDS)('[%s] event-time windows in a job', (backend) => {
  it.each(casesFor(backend, IN_A_JOB, ([kind]) => kind === 'tumbling'))('%s windows with %s give every window of every key once, with its exact sum (p=%i, %s)', { timeout: 90_000 }, async (kind, fn, parallelism, execution) => {
    const result = await runJob(JOB, { parallelism, execution, stateBackend: backend, parameters: { window: kind, fn, keys: String(KEYS) } });
    expect(check(result.output<WindowSum>('windows'), kind)).toEqual(EXACT);
  });
});

describe.each(STATE_BACKENDS)('[%s] event-time windows through a failure (Flink EventTimeWindowCheckpointingITCase)', (backend) => {
  it.each(casesFor(backend, matrixCases(THROUGH_A_FAILURE, ([, fn]) => fn !== 'reduce'), ([kind]) => kind === 'tumbling'))('%s windows with %s: one failure half-way, after a checkpoint, and every window is exact and seen once per key (%s)', { timeout: 120_000 }, async (kind, fn, execution) => {
    const result = await runJob(JOB, {
      parallelism: 2,
      execution,
      stateBackend: backend,
      // the source holds at seq 1500 until a checkpoint taken there completes; the failure follows
      parameters: { window: kind, fn, keys: String(KEYS), failAt: String(PER_KEY / 2) },
      // few checkpoints: a sliding window's list state is large, and each checkpoint writes it all
      checkpoint: { interval: 1000, directory: dirs.make() },
      restartStrategy: RESTART_AT_ONCE,
    });
    expect(result.restarts).toBe(1);
    // the last attempt restored a checkpoint: its source did not start from the beginning
    expect(lastAttemptSourceRecords(result)).toBeLessThanOrEqual(KEYS * (PER_KEY / 2));
    expect(check(result.output<WindowSum>('windows'), kind)).toEqual(EXACT);
  });
});

/** Waits until the source has read `records`. */
async function read(client: JobClient, records: number): Promise<void> {
  const read = () => client.details().vertices.filter((v) => v.isSource).reduce((n, v) => n + v.recordsIn, 0);
  await waitUntil(() => read() >= records, { what: `the source read ${records} records`, timeoutMs: 60_000, describe: () => `read ${read()}` });
}

describe.each(STATE_BACKENDS)('[%s] event-time windows through a savepoint', (backend) => {
  it.each(casesFor(backend, THROUGH_A_SAVEPOINT, ([kind]) => kind === 'tumbling'))('%s windows with %s left open in a savepoint fire once after a rescale 2 → 3 (%s)', { timeout: 120_000 }, async (kind, fn, execution) => {
    const dir = dirs.make();
    const parameters = { window: kind, fn, keys: String(KEYS) };
    const client = await startJob(JOB, { parallelism: 2, execution, stateBackend: backend, progressIntervalMs: 20, parameters: { ...parameters, idleAtEnd: 'true', phase: '1' } });
    await read(client, KEYS * PER_KEY);
    const savepoint = await client.stopWithSavepoint(join(dir, 'savepoints'));
    const first = await client.result;
    expect(first.status).toBe('finished');
    const before = first.output<WindowSum>('windows');
    // the watermark stopped at 2999 - 1333: the windows ending after it are in the savepoint
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((w) => w.end - 1 <= PER_KEY - 1 - 1333)).toBe(true);

    // the source has nothing left: its end of input fires the restored windows
    const second = await runJob(JOB, { parallelism: 3, execution, stateBackend: backend, fromSavepoint: savepoint, parameters: { ...parameters, phase: '2' } });
    const after = second.output<WindowSum>('windows').filter((w) => w.phase === 2);
    expect(after.length).toBeGreaterThan(0);
    expect(check([...before, ...after], kind)).toEqual(EXACT);
  });
});

describe.each(STATE_BACKENDS)('[%s] session windows with lateness and late data in a job', (backend) => {
  it.each(casesFor(backend, SESSIONS, ([, execution]) => execution === 'threads'))('merge out-of-order clicks into sessions, fire again for a click within the lateness, and send later clicks to the side output only (p=%i, %s)', { timeout: 60_000 }, async (parallelism, execution) => {
    const USERS = 20;
    const SESSIONS = 5;
    const result = await runJob(SESSIONS_JOB, { parallelism, execution, stateBackend: backend, parameters: { users: String(USERS), sessions: String(SESSIONS) } });
    const expected: Session[] = [];
    for (let u = 0; u < USERS; u++) {
      for (let s = 0; s < SESSIONS; s++) {
        const start = sessionStart(u, s);
        const ids = Array.from({ length: 10 }, (_, c) => `u${u}-s${s}-c${c}`);
        expected.push({ user: `u${u}`, start, end: start + 9 * 400 + GAP, clicks: 10, ids: [...ids].sort() });
        // the late click within the lateness merged into the first session, which fired again, 600 ms longer
        if (s === 0) expected.push({ user: `u${u}`, start, end: start + 9 * 400 + 600 + GAP, clicks: 11, ids: [...ids, `u${u}-late-in`].sort() });
      }
    }
    const key = (x: Session): string => `${x.user}/${x.start}/${x.end}/${x.clicks}`;
    expect(result.output<Session>('sessions').sort((a, b) => (key(a) < key(b) ? -1 : 1))).toEqual(expected.sort((a, b) => (key(a) < key(b) ? -1 : 1)));
    // the clicks too late for any session reach the side output, and nothing else does
    expect(result.output<Click>('late').map((c) => c.id).sort()).toEqual(Array.from({ length: USERS }, (_, u) => `u${u}-late-out`).sort());
  });
});
