/**
 * Schema evolution through savepoints, end to end (DESIGN §4.4, after Flink's
 * StateMigrationTest and SavepointITCase): a job keeps temperatures in every keyed and
 * operator state kind; a savepoint of its version-1 schema (Celsius numbers) restores
 * into the version-2 schema (`{ kelvin }` objects) through `migrate`, at the same or
 * another parallelism, and the migrated savepoint restores again as it is. Every
 * incompatible change (newer version, no migrate, changed kind, migrate throwing) fails
 * the job at once, even with a restart strategy, with a message naming the operator and
 * the state, and leaves the savepoint exactly as it was.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestartStrategies, runJob, startJob, TaskFailureError } from 'eddy';
import type { JobClient, RunOptions } from 'eddy';
import {
  bucketOf,
  celsiusOf,
  KEYED_STATES,
  MIGRATE_FAILURE,
  migrateMean,
  OPERATOR_STATES,
  toKelvin,
} from '../../jobs/schema-evolution.js';
import type { CalibrationReport, Kelvin, SensorState } from '../../jobs/schema-evolution.js';
import { fingerprintTree, TempDirs } from '../fault-tolerance/support.js';
import { testJobPath } from '../support.js';
import type { Execution } from '../support.js';
import { waitUntil } from '../../support/wait-until.js';

const JOB = testJobPath('schema-evolution');
const KEYS = 12;
const PER_KEY = 20;
const NOT_NON_RESTORED = '--allow-non-restored-state does not help here';
const dirs = new TempDirs('schema-evolution');
afterAll(() => dirs.removeAll());

type StateName = (typeof KEYED_STATES)[number] | (typeof OPERATOR_STATES)[number];
const ALL_STATES: readonly StateName[] = [...KEYED_STATES, ...OPERATOR_STATES];

async function sourcesRead(client: JobClient, records: number): Promise<void> {
  const read = () => client.details().vertices.filter((v) => v.isSource).reduce((n, v) => n + v.recordsIn, 0);
  await waitUntil(() => read() >= records, { what: `the sources read ${records} records`, timeoutMs: 60_000, describe: () => `read ${read()}` });
}

/** Records the sources read in `phase`: restored sources have nothing left, the new one reads one per key. */
const recordsIn = (phase: number): number => (phase === 1 ? KEYS * PER_KEY : KEYS);

interface PhaseRun {
  readonly savepoint: string;
  readonly states: readonly SensorState[];
}

/** Runs `phase` until its sources read everything, then stops it with a savepoint. */
async function runAndSave(dir: string, phase: number, options: RunOptions, parameters: Record<string, string>): Promise<PhaseRun> {
  const client = await startJob(JOB, {
    progressIntervalMs: 20,
    ...options,
    parameters: { phase: String(phase), idle: 'true', report: join(dir, `report-${phase}.jsonl`), ...parameters },
  });
  await sourcesRead(client, recordsIn(phase));
  const savepoint = await client.stopWithSavepoint(join(dir, 'savepoints'));
  const result = await client.result;
  expect(result.status).toBe('finished');
  return { savepoint, states: result.output<SensorState>('states') };
}

function readReports(file: string): CalibrationReport[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CalibrationReport)
    .sort((a, b) => a.subtask - b.subtask);
}

/** The record numbers of `key` read by phase 1, and by each later phase up to `phase`. */
function recordsOf(key: number, phase: number): { first: number[]; later: number[] } {
  const first = Array.from({ length: PER_KEY }, (_, i) => key + i * KEYS);
  const later = Array.from({ length: phase - 1 }, (_, p) => KEYS * PER_KEY + p * KEYS + key);
  return { first, later };
}

const degrees = (v: unknown): number => (typeof v === 'number' ? v : (v as Kelvin).kelvin);
const byDegrees = (values: unknown): unknown[] => [...(values as unknown[])].sort((a, b) => degrees(a) - degrees(b));

/** A key's state as version 1 stores it after `records`. */
function celsiusState(records: readonly number[]) {
  const c = records.map(celsiusOf);
  const buckets = new Map<number, number>();
  records.forEach((n, i) => buckets.set(bucketOf(n, KEYS), Math.max(buckets.get(bucketOf(n, KEYS)) ?? -Infinity, c[i]!)));
  return {
    min: Math.min(...c),
    history: byDegrees(c),
    bucketMax: [...buckets].sort(([a], [b]) => a - b),
    max: Math.max(...c),
    mean: { celsiusSum: c.reduce((s, x) => s + x, 0), count: c.length },
  };
}

/** A key's state as version 2 holds it: `first` written as version 1 and migrated, then `later` added as version 2. */
function kelvinState(first: readonly number[], later: readonly number[]) {
  const v1 = celsiusState([...first, ...later]);
  const sum1 = first.map(celsiusOf).reduce((s, x) => s + x, 0);
  let mean = migrateMean([sum1, first.length]);
  for (const n of later) mean = { kelvinSum: mean.kelvinSum + toKelvin(celsiusOf(n)).kelvin, count: mean.count + 1 };
  return {
    min: toKelvin(v1.min),
    history: byDegrees(v1.history.map((c) => toKelvin(c as number))),
    bucketMax: v1.bucketMax.map(([b, c]) => [b, toKelvin(c)]),
    max: toKelvin(v1.max),
    mean,
  };
}

/** The states `temps` found in `phase`, one per key, with lists sorted. */
function foundStates(states: readonly SensorState[], phase: number, parallelism: number) {
  const found = states.filter((s) => s.phase === phase);
  expect(found.map((s) => s.key).sort()).toEqual(Array.from({ length: KEYS }, (_, k) => `sensor-${k}`).sort());
  for (const s of found) expect(s.parallelism).toBe(parallelism);
  return new Map(found.map((s) => [Number(s.key.slice('sensor-'.length)), { min: s.min, history: byDegrees(s.history), bucketMax: s.bucketMax, max: s.max, mean: s.mean }]));
}

/**
 * Checks what `calibration` restored at `parallelism`, in version 2, of the state a fresh
 * start at `firstParallelism` made; `unions` is how many times the union list state went
 * through a union since (each one gives every instance all items of all old instances).
 */
function checkCalibration(reports: readonly CalibrationReport[], parallelism: number, firstParallelism: number, unions: number[]): void {
  const restored = reports.filter((r) => r.restored);
  expect(restored.map((r) => r.subtask)).toEqual(Array.from({ length: parallelism }, (_, i) => i));
  const oldSubtasks = Array.from({ length: firstParallelism }, (_, s) => s);
  // split list: all old items once, in old-subtask order, cut into contiguous runs; each migrated
  expect(restored.flatMap((r) => r.offsets)).toEqual(oldSubtasks.flatMap((s) => [0, 1, 2].map((i) => toKelvin(10 * s + i))));
  // union list: restored by p instances, then saved by each of them, it comes back p times
  let reference = oldSubtasks.map((s) => toKelvin(100 + s));
  for (const copies of unions) reference = Array.from({ length: copies }, () => reference).flat();
  for (const r of restored) {
    expect(r.reference).toEqual(reference);
    expect(r.limits).toEqual([
      ['max', toKelvin(40)],
      ['min', toKelvin(-20)],
    ]);
  }
}

describe('restoring a savepoint into a newer schema', () => {
  it.each<[number, number, Execution]>([
    [2, 2, 'single-thread'],
    [2, 3, 'threads'],
    [3, 1, 'single-thread'],
  ])(
    'version 1 at p=%i → version 2 at p=%i (%s): every keyed and operator state kind is migrated, and restores again as it is',
    { timeout: 120_000 },
    async (from, to, execution) => {
      const dir = dirs.make();
      const one = await runAndSave(dir, 1, { parallelism: from, execution }, { schema: '1' });
      const before = fingerprintTree(one.savepoint);

      const two = await runAndSave(dir, 2, { parallelism: to, execution, fromSavepoint: one.savepoint }, { schema: '2' });
      const migrated = foundStates(two.states, 2, to);
      for (let key = 0; key < KEYS; key++) {
        const { first } = recordsOf(key, 1);
        expect(migrated.get(key), `sensor-${key}`).toEqual(kelvinState(first, []));
      }
      checkCalibration(readReports(join(dir, 'report-2.jsonl')), to, from, []);
      expect(fingerprintTree(one.savepoint)).toEqual(before);

      // the migrated state was saved as version 2, so version 2 reads it without migrate
      const three = await runJob(JOB, {
        parallelism: from,
        execution,
        fromSavepoint: two.savepoint,
        parameters: { phase: '3', report: join(dir, 'report-3.jsonl'), schema: '2-no-migrate' },
      });
      const asIs = foundStates(three.output<SensorState>('states'), 3, from);
      for (let key = 0; key < KEYS; key++) {
        const { first, later } = recordsOf(key, 2);
        expect(asIs.get(key), `sensor-${key}`).toEqual(kelvinState(first, later));
      }
      checkCalibration(readReports(join(dir, 'report-3.jsonl')), from, from, [to]);
    },
  );

  it('keeps version 1 as it is when the schema does not change', { timeout: 60_000 }, async () => {
    const dir = dirs.make();
    const one = await runAndSave(dir, 1, { parallelism: 2, execution: 'single-thread' }, { schema: '1' });
    const result = await runJob(JOB, {
      parallelism: 2,
      execution: 'single-thread',
      fromSavepoint: one.savepoint,
      parameters: { phase: '2', schema: '1' },
    });
    const found = foundStates(result.output<SensorState>('states'), 2, 2);
    for (let key = 0; key < KEYS; key++) expect(found.get(key)).toEqual(celsiusState(recordsOf(key, 1).first));
  });
});

/** The operator that holds a state, and how its messages name the state. */
function ownerOf(state: StateName): { operator: string; state: string } {
  return (KEYED_STATES as readonly string[]).includes(state)
    ? { operator: 'temps', state: `state '${state}'` }
    : { operator: 'calibration', state: `operator state '${state}'` };
}

/** Restores `savepoint` with `parameters`; returns the error the job failed with. */
async function failedRestore(savepoint: string, parameters: Record<string, string>, options: RunOptions = {}): Promise<Error> {
  const before = fingerprintTree(savepoint);
  const error = await runJob(JOB, {
    parallelism: 2,
    execution: 'single-thread',
    fromSavepoint: savepoint,
    ...options,
    parameters: { phase: '2', ...parameters },
  }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, 'the restore should have failed').toBeInstanceOf(Error);
  expect(fingerprintTree(savepoint), 'the savepoint must be unchanged').toEqual(before);
  return error!;
}

/** Checks that `error` is a RestoreError of the task that holds `state`, naming both, saying `problem`. */
function expectRestoreFailure(error: Error, state: StateName, problem: string): void {
  const owner = ownerOf(state);
  expect(error).toBeInstanceOf(TaskFailureError);
  expect((error as TaskFailureError).operator).toBe(owner.operator);
  expect((error as TaskFailureError).userError.name).toBe('RestoreError');
  expect(error.message).toContain(`RestoreError: operator '${owner.operator}' (subtask `);
  expect(error.message).toContain(`): ${owner.state} cannot be restored: ${problem}`);
}

describe('an incompatible schema change fails the restore, naming operator and state, and leaves the savepoint unchanged', () => {
  let v1: string;
  let v2: string;
  beforeAll(async () => {
    const dir = dirs.make();
    v1 = (await runAndSave(dir, 1, { parallelism: 2, execution: 'single-thread' }, { schema: '1' })).savepoint;
    v2 = (await runAndSave(dir, 1, { parallelism: 2, execution: 'single-thread' }, { schema: '2' })).savepoint;
  }, 120_000);

  it.each(ALL_STATES)('an older version without migrate: %s', { timeout: 60_000 }, async (state) => {
    const error = await failedRestore(v1, { schema: '1', [`schema.${state}`]: '2-no-migrate' });
    expectRestoreFailure(
      error,
      state,
      'it was written with state version 1 and the descriptor is version 2 but has no migrate(old, fromVersion) to convert it; ' +
        `give the descriptor a migrate(old, fromVersion), or restore with the descriptor at version 1 (${NOT_NON_RESTORED}`,
    );
  });

  it.each(ALL_STATES)('a version newer than the descriptor: %s', { timeout: 60_000 }, async (state) => {
    const error = await failedRestore(v2, { schema: '2', [`schema.${state}`]: '1' });
    expectRestoreFailure(
      error,
      state,
      "it was written with state version 2, newer than the descriptor's version 1, and state is never migrated back; " +
        `restore it with a job whose descriptor has version 2 or later (${NOT_NON_RESTORED}`,
    );
  });

  const kindChanges: Record<StateName, [string, string]> = {
    min: ['value state', 'list state'],
    history: ['list state', 'value state'],
    bucketMax: ['map state', 'value state'],
    max: ['reducing state', 'value state'],
    mean: ['aggregating state', 'value state'],
    offsets: ['list state (getListState)', 'union list state (getUnionListState)'],
    reference: ['union list state (getUnionListState)', 'list state (getListState)'],
    limits: ['broadcast state (getBroadcastState)', 'list state (getListState)'],
  };
  it.each(ALL_STATES)('a changed state kind: %s', { timeout: 60_000 }, async (state) => {
    const [saved, requested] = kindChanges[state];
    const error = await failedRestore(v1, { schema: '1', [`schema.${state}`]: 'kind-changed' });
    expectRestoreFailure(
      error,
      state,
      `it was saved as ${saved} but is now requested as ${requested}, and a state cannot change its kind; ` +
        `request it as ${saved}, or give the new state another name (${NOT_NON_RESTORED}`,
    );
  });

  const migratedValue: Record<StateName, string> = {
    min: 'a value',
    history: 'a list element',
    bucketMax: 'a map value',
    max: 'a reduced value',
    mean: 'an accumulator',
    offsets: 'item 0',
    reference: 'item 0',
    limits: 'value of entry 0',
  };
  it.each(ALL_STATES)('a migrate that throws: %s', { timeout: 60_000 }, async (state) => {
    const error = await failedRestore(v1, { schema: '1', [`schema.${state}`]: '2-migrate-throws' });
    expectRestoreFailure(
      error,
      state,
      `migrate(old, 1) failed on ${migratedValue[state]} while converting it to version 2: ${MIGRATE_FAILURE}`,
    );
  });

  it('fails the same way on worker threads at another parallelism', { timeout: 60_000 }, async () => {
    const error = await failedRestore(v1, { schema: '2', 'schema.mean': '2-no-migrate' }, { parallelism: 3, execution: 'threads' });
    expectRestoreFailure(error, 'mean', 'it was written with state version 1 and the descriptor is version 2 but has no migrate');
    expect(error.message).toMatch(/operator 'temps' \(subtask \d\/3\)/);
  });

  it('is not retried by a restart strategy, which would restore the same state again', { timeout: 60_000 }, async () => {
    const before = fingerprintTree(v1);
    for (const restartStrategy of [RestartStrategies.fixedDelay(3, 0), RestartStrategies.exponentialDelay()]) {
      const client = await startJob(JOB, {
        parallelism: 2,
        execution: 'single-thread',
        fromSavepoint: v1,
        restartStrategy,
        checkpoint: { interval: 50, directory: join(dirs.make(), 'checkpoints') },
        parameters: { phase: '2', schema: '1', 'schema.history': '2-no-migrate' },
      });
      const error = await client.result.then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(TaskFailureError);
      expectRestoreFailure(error!, 'history', 'it was written with state version 1');
      expect(client.details().restarts).toBe(0);
      expect(client.status()).toBe('failed');
    }
    expect(fingerprintTree(v1)).toEqual(before);
  });
});
