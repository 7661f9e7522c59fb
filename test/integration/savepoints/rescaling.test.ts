/**
 * Rescaling through savepoints, after Flink's RescalingITCase and SavepointITCase: 42 keys
 * with 1000 records each at one parallelism, a stop-with-savepoint, a restore at another
 * parallelism that reads 500 more records per key. Every key's sum must be exact and be
 * produced by the subtask the key-group formula names; split list state keeps its items,
 * union list state reaches every new instance whole. Also: a moved savepoint restores,
 * two jobs start from one savepoint, a missing operator needs --allow-non-restored-state,
 * and a changed maxParallelism fails clearly. Every test runs on each state backend (the
 * rescales on rocksdb: 4 → 2, 7 → 3 and 1 → 5), and a savepoint moves a job from one
 * backend to the other.
 */
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assignKeyToParallelOperator, runJob, startJob } from 'eddy';
import type { JobClient, RunOptions } from 'eddy';
import type { KeySum, TokenReport } from '../../jobs/rescale-sum.js';
import { TempDirs } from '../fault-tolerance/support.js';
import { testJobPath } from '../support.js';
import type { Execution } from '../support.js';
import { casesFor, STATE_BACKENDS } from '../../support/state-backends.js';
import type { StateBackendKind } from '../../support/state-backends.js';
import { waitUntil } from '../../support/wait-until.js';

const JOB = testJobPath('rescale-sum');
const KEYS = 42;
const PER_KEY = 1000;
const MORE = 500;
const TOKENS = 10;
const dirs = new TempDirs('rescaling');
afterAll(() => dirs.removeAll());

/** Σ n over n < records with n % KEYS === key. */
function expectedSum(key: number, records: number): number {
  let sum = 0;
  for (let n = key; n < records; n += KEYS) sum += n;
  return sum;
}

async function sourcesRead(client: JobClient, records: number): Promise<void> {
  const read = () => client.details().vertices.filter((v) => v.isSource).reduce((n, v) => n + v.recordsIn, 0);
  await waitUntil(() => read() >= records, { what: `the sources read ${records} records`, timeoutMs: 60_000, describe: () => `read ${read()}` });
}

/** Runs phase 1 at `parallelism` and stops it with a savepoint once all its records were read. */
async function phaseOne(backend: StateBackendKind, dir: string, parallelism: number, execution: Execution, extra: RunOptions = {}): Promise<string> {
  const client = await startJob(JOB, {
    parallelism,
    execution,
    stateBackend: backend,
    progressIntervalMs: 20,
    parameters: { phase: '1', report: join(dir, 'report-1.jsonl') },
    ...extra,
  });
  await sourcesRead(client, KEYS * PER_KEY);
  const savepoint = await client.stopWithSavepoint(join(dir, 'savepoints'));
  expect((await client.result).status).toBe('finished');
  return savepoint;
}

function phaseTwoOptions(
  backend: StateBackendKind,
  dir: string,
  parallelism: number,
  execution: Execution,
  savepoint: string,
  report = 'report-2.jsonl',
): RunOptions {
  return { parallelism, execution, stateBackend: backend, fromSavepoint: savepoint, parameters: { phase: '2', report: join(dir, report) } };
}

/** Checks phase 2's output: counts PER_KEY+1..PER_KEY+MORE once per key, exact sums, each from the key's subtask. */
function checkPhaseTwo(output: readonly KeySum[], parallelism: number): void {
  const byKey = new Map<number, KeySum[]>();
  for (const r of output) if (r.count > PER_KEY) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  expect([...byKey.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: KEYS }, (_, k) => k));
  const wrongSubtask: string[] = [];
  for (const [key, records] of byKey) {
    expect(records.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: MORE }, (_, i) => PER_KEY + 1 + i));
    const last = records.find((r) => r.count === PER_KEY + MORE)!;
    expect(last.sum).toBe(expectedSum(key, KEYS * (PER_KEY + MORE)));
    for (const r of records) {
      expect(r.parallelism).toBe(parallelism);
      const owner = assignKeyToParallelOperator(key, r.maxParallelism, parallelism);
      if (r.subtask !== owner) wrongSubtask.push(`key ${key} on subtask ${r.subtask}, formula says ${owner}`);
    }
  }
  expect(wrongSubtask).toEqual([]);
}

function readReports(file: string): TokenReport[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TokenReport);
}

const RESCALES: readonly [number, number, Execution][] = [
  [2, 4, 'threads'],
  [4, 2, 'single-thread'],
  [3, 7, 'single-thread'],
  [7, 3, 'threads'],
  [1, 5, 'single-thread'],
];

describe.each(STATE_BACKENDS)('[%s] restoring a savepoint at another parallelism', (backend) => {
  it.each(casesFor(backend, RESCALES, ([from]) => from === 4 || from === 7 || from === 1))('%i → %i (%s): exact sums from the right subtasks; split and union list state redistributed', { timeout: 90_000 }, async (from, to, execution) => {
    const dir = dirs.make();
    const savepoint = await phaseOne(backend, dir, from, execution);
    const result = await runJob(JOB, phaseTwoOptions(backend, dir, to, execution, savepoint));
    checkPhaseTwo(result.output<KeySum>('sums'), to);

    const restored = readReports(join(dir, 'report-2.jsonl')).filter((r) => r.restored);
    expect(restored.map((r) => r.subtask).sort((a, b) => a - b)).toEqual(Array.from({ length: to }, (_, i) => i));
    // split list state: all old items, each exactly once, in contiguous even runs
    const oldTokens = Array.from({ length: from }, (_, s) => Array.from({ length: TOKENS }, (_, i) => `${s}-${i}`)).flat();
    const bySubtask = restored.sort((a, b) => a.subtask - b.subtask);
    expect(bySubtask.flatMap((r) => r.tokens)).toEqual(oldTokens);
    const sizes = bySubtask.map((r) => r.tokens.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    // union list state: every new instance gets every old marker
    const markers = Array.from({ length: from }, (_, s) => `marker-${s}`);
    for (const r of bySubtask) expect([...r.markers].sort()).toEqual(markers);
  });
});

describe.each(STATE_BACKENDS)('[%s] savepoints as a starting point', (backend) => {
  it('restores after the savepoint directory was moved elsewhere', { timeout: 60_000 }, async () => {
    const dir = dirs.make();
    const savepoint = await phaseOne(backend, dir, 2, 'single-thread');
    mkdirSync(join(dir, 'elsewhere', 'deeper'), { recursive: true });
    const moved = join(dir, 'elsewhere', 'deeper', 'my-savepoint');
    renameSync(savepoint, moved);
    const result = await runJob(JOB, phaseTwoOptions(backend, dir, 3, 'single-thread', moved));
    checkPhaseTwo(result.output<KeySum>('sums'), 3);
  });

  it('starts two jobs from one savepoint, both continuing correctly, and leaves it untouched', { timeout: 60_000 }, async () => {
    const dir = dirs.make();
    const savepoint = await phaseOne(backend, dir, 2, 'single-thread');
    const before = readFileSync(join(savepoint, '_metadata'));
    const [a, b] = await Promise.all([
      runJob(JOB, phaseTwoOptions(backend, dir, 3, 'threads', savepoint, 'report-a.jsonl')),
      runJob(JOB, phaseTwoOptions(backend, dir, 2, 'single-thread', savepoint, 'report-b.jsonl')),
    ]);
    checkPhaseTwo(a.output<KeySum>('sums'), 3);
    checkPhaseTwo(b.output<KeySum>('sums'), 2);
    expect(readFileSync(join(savepoint, '_metadata'))).toEqual(before);
  });

  it('stops with a savepoint while one of two sources has already ended, and commits everything', { timeout: 60_000 }, async () => {
    const dir = dirs.make();
    const first = await phaseOne(backend, dir, 2, 'single-thread');
    // phase 2: numbers-1 has nothing left and ends at once; numbers-2 waits after its last record
    const options = phaseTwoOptions(backend, dir, 3, 'single-thread', first);
    const client = await startJob(JOB, { ...options, progressIntervalMs: 20, parameters: { ...options.parameters, moreIdleAtEnd: 'true' } });
    await sourcesRead(client, KEYS * MORE);
    await expect(client.triggerSavepoint(join(dir, 'savepoints'))).rejects.toThrow(/some tasks have ended their input; stop it with a savepoint instead/);
    const second = await client.stopWithSavepoint(join(dir, 'savepoints'));
    const result = await client.result;
    expect(result.status).toBe('finished');
    checkPhaseTwo(result.output<KeySum>('sums'), 3);
    expect(existsSync(join(second, '_metadata'))).toBe(true);
  });

  it('refuses state of a missing operator unless told to drop it, naming its uid', { timeout: 60_000 }, async () => {
    const dir = dirs.make();
    const savepoint = await phaseOne(backend, dir, 2, 'single-thread');
    const withoutTokens: RunOptions = { ...phaseTwoOptions(backend, dir, 2, 'single-thread', savepoint), parameters: { phase: '2', withTokens: 'false' } };
    await expect(runJob(JOB, withoutTokens)).rejects.toThrow(/operator\(s\) 'tokens'.*--allow-non-restored-state/);
    const result = await runJob(JOB, { ...withoutTokens, allowNonRestoredState: true });
    checkPhaseTwo(result.output<KeySum>('sums'), 2);
    expect(existsSync(join(savepoint, '_metadata'))).toBe(true);
  });

  it('refuses a different explicit maxParallelism with a clear message, and inherits it when none is set', { timeout: 60_000 }, async () => {
    const dir = dirs.make();
    const savepoint = await phaseOne(backend, dir, 2, 'single-thread', { maxParallelism: 64 });
    await expect(runJob(JOB, { ...phaseTwoOptions(backend, dir, 3, 'single-thread', savepoint), maxParallelism: 256 })).rejects.toThrow(
      /'sum'.*maxParallelism 64.*maxParallelism 256.*--max-parallelism 64/,
    );
    const result = await runJob(JOB, phaseTwoOptions(backend, dir, 3, 'single-thread', savepoint));
    const output = result.output<KeySum>('sums').filter((r) => r.count > PER_KEY);
    expect(new Set(output.map((r) => r.maxParallelism))).toEqual(new Set([64]));
    checkPhaseTwo(result.output<KeySum>('sums'), 3);
  });
});

describe.runIf(STATE_BACKENDS.includes('hashmap') && STATE_BACKENDS.includes('rocksdb'))('moving a job between state backends', () => {
  it.each<[StateBackendKind, StateBackendKind]>([
    ['hashmap', 'rocksdb'],
    ['rocksdb', 'hashmap'],
  ])('restores a savepoint taken on %s into %s at another parallelism, with exact sums and redistributed list state', { timeout: 60_000 }, async (from, to) => {
    const dir = dirs.make();
    const savepoint = await phaseOne(from, dir, 2, 'single-thread');
    const result = await runJob(JOB, phaseTwoOptions(to, dir, 3, 'single-thread', savepoint));
    checkPhaseTwo(result.output<KeySum>('sums'), 3);
    const restored = readReports(join(dir, 'report-2.jsonl')).filter((r) => r.restored);
    const oldTokens = Array.from({ length: 2 }, (_, s) => Array.from({ length: TOKENS }, (_, i) => `${s}-${i}`)).flat();
    expect(restored.flatMap((r) => r.tokens).sort()).toEqual(oldTokens.sort());
  });
});
