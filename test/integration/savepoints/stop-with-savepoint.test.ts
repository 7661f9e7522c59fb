/**
 * Savepoints of a running job, through the JobClient: a savepoint taken while the job
 * runs (with or without checkpointing, in both checkpointing modes) restores to the exact
 * final counts; stop-with-savepoint ends the job with its sink committed, and a run
 * resumed from that savepoint commits exactly the rest of the failure-free output.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startJob } from 'eddy';
import type { JobClient } from 'eddy';
import { CHAOS_COUNT, compareCounts, concatAll, exactly, expectedCounts, finalCounts, listDir, readCommittedJsonl, TempDirs } from '../fault-tolerance/support.js';
import type { PrefixCount } from '../fault-tolerance/support.js';
import type { Execution } from '../support.js';
import { waitUntil } from '../../support/wait-until.js';

const RECORDS = 200_000;
const dirs = new TempDirs('savepoints');
afterAll(() => dirs.removeAll());

/** Waits until the job's sources have read at least `records` records. */
async function readAtLeast(client: JobClient, records: number): Promise<void> {
  const read = () => client.details().vertices.filter((v) => v.isSource).reduce((n, v) => n + v.recordsIn, 0);
  await waitUntil(() => read() >= records, { what: `the sources read ${records} records`, timeoutMs: 60_000, describe: () => `read ${read()}` });
}

function params(dir: string, out: string) {
  return { records: String(RECORDS), rate: '40', sink: 'jsonl', out: join(dir, out) };
}

describe('stop-with-savepoint', () => {
  it.each<[Execution, boolean]>([
    ['threads', false],
    ['single-thread', true],
  ])('ends the job with its sink committed, and a resumed run commits exactly the rest (%s, checkpointing %s)', { timeout: 90_000 }, async (execution, checkpointing) => {
    const dir = dirs.make();
    const checkpoint = checkpointing ? { checkpoint: { interval: 50, directory: join(dir, 'checkpoints') } } : {};
    const first = await startJob(CHAOS_COUNT, { parallelism: 2, execution, parameters: params(dir, 'out'), ...checkpoint });
    await readAtLeast(first, 10_000);
    const savepoint = await first.stopWithSavepoint(join(dir, 'savepoints'));
    const stopped = await first.result;

    expect(stopped.status).toBe('finished');
    expect(basename(savepoint)).toMatch(new RegExp(`^savepoint-${first.jobId.slice(0, 6)}-[0-9a-f]{12}$`));
    expect(JSON.parse(readFileSync(join(savepoint, '_metadata'), 'utf8'))).toMatchObject({ kind: 'savepoint' });
    const committedBeforeResume = readCommittedJsonl<PrefixCount>(join(dir, 'out'));
    // stopped early, and what it committed is a prefix of every count: nothing lost, nothing twice
    expect(committedBeforeResume.length).toBeGreaterThan(0);
    expect(committedBeforeResume.length).toBeLessThan(RECORDS);
    const partial = compareCounts(committedBeforeResume, RECORDS);
    expect({ duplicated: partial.duplicated, overCounted: partial.overCounted, unexpected: partial.unexpected }).toEqual({ duplicated: 0, overCounted: 0, unexpected: 0 });
    expect(stopped.checkpoints.at(-1)).toMatchObject({ kind: 'savepoint', status: 'completed', directory: savepoint, isFinal: true });

    const resumed = await startJob(CHAOS_COUNT, { parallelism: 2, execution, parameters: params(dir, 'out'), fromSavepoint: savepoint, ...checkpoint });
    expect((await resumed.result).status).toBe('finished');
    expect(compareCounts(readCommittedJsonl<PrefixCount>(join(dir, 'out')), RECORDS)).toEqual(exactly(RECORDS));
    expect(existsSync(join(savepoint, '_metadata'))).toBe(true); // never deleted
  });

  it('with drain, finishes the operators before the savepoint', { timeout: 60_000 }, async () => {
    const dir = dirs.make();
    const client = await startJob(CHAOS_COUNT, { parallelism: 2, execution: 'single-thread', parameters: params(dir, 'out') });
    await readAtLeast(client, 5_000);
    const savepoint = await client.stopWithSavepoint(join(dir, 'savepoints'), { drain: true });
    expect((await client.result).status).toBe('finished');
    expect(existsSync(join(savepoint, '_metadata'))).toBe(true);
  });
});

describe('a savepoint of a running job', () => {
  it.each<[Execution, 'exactly-once' | 'at-least-once' | 'off']>([
    ['threads', 'exactly-once'],
    ['threads', 'at-least-once'],
    ['single-thread', 'off'],
  ])('leaves the job running and restores to the exact final counts (%s, checkpointing %s)', { timeout: 90_000 }, async (execution, mode) => {
    const dir = dirs.make();
    const checkpoint = mode === 'off' ? {} : { checkpoint: { interval: 30, mode, directory: join(dir, 'checkpoints') } };
    const running = await startJob(CHAOS_COUNT, { parallelism: 2, execution, parameters: params(dir, 'out-1'), savepointDirectory: join(dir, 'savepoints'), ...checkpoint });
    await readAtLeast(running, 10_000);
    const savepoint = await running.triggerSavepoint();
    expect(running.status()).toBe('running');
    expect(listDir(join(dir, 'savepoints'))).toEqual([basename(savepoint)]);
    await readAtLeast(running, 20_000); // it keeps going after the savepoint
    expect((await running.cancel()).status).toBe('canceled');

    const resumed = await startJob(CHAOS_COUNT, { parallelism: 2, execution, parameters: params(dir, 'out-2'), fromSavepoint: savepoint });
    expect((await resumed.result).status).toBe('finished');
    const output = readCommittedJsonl<PrefixCount>(join(dir, 'out-2'));
    // the resumed run continues every count where the savepoint left it: each count once, ending at the exact total
    expect(finalCounts(output)).toEqual(expectedCounts(RECORDS));
    const seen = new Set(output.map((r) => `${r.prefix}:${r.count}`));
    expect(seen.size).toBe(output.length);
    expect(output.length).toBeLessThan(RECORDS);
    expect(concatAll([output]).length).toBe(output.length);
  });

  it('fails clearly without a savepoint directory, and the job keeps running', { timeout: 30_000 }, async () => {
    const dir = dirs.make();
    const client = await startJob(CHAOS_COUNT, { parallelism: 1, execution: 'single-thread', parameters: params(dir, 'out') });
    await readAtLeast(client, 1000);
    await expect(client.triggerSavepoint()).rejects.toThrow(/no savepoint directory.*--savepoint-dir/);
    expect(client.status()).toBe('running');
    await client.cancel();
  });
});
