/**
 * A savepoint aimed where nothing can be written (under `/proc`, where Node's recursive
 * mkdir never returns) fails that savepoint alone: checkpoints go on, and the job still
 * finishes with its output committed exactly once.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startJob } from 'eddy';
import { CHAOS_COUNT, expectedCounts, finalCounts, readCommittedJsonl, TempDirs } from '../fault-tolerance/support.js';
import type { PrefixCount } from '../fault-tolerance/support.js';

const RECORDS = 20_000;
const dirs = new TempDirs('unwritable-savepoint');
afterAll(() => dirs.removeAll());

/** Waits until `check` holds, for at most 60 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a savepoint that cannot be written', () => {
  it('fails alone: checkpoints go on and the job finishes with its output committed', { timeout: 90_000 }, async () => {
    const dir = dirs.make();
    const target = '/proc/eddy-savepoints';
    const client = await startJob(CHAOS_COUNT, {
      parallelism: 2,
      execution: 'single-thread',
      parameters: { records: String(RECORDS), rate: '5', sink: 'jsonl', out: join(dir, 'out') },
      checkpoint: { interval: 20, directory: join(dir, 'checkpoints') },
    });
    await until('a first checkpoint completed', () => client.checkpointCounts().completed >= 1);
    const failure: unknown = await client.triggerSavepoint(target).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain(target);
    expect(existsSync(target)).toBe(false);
    const completedAtFailure = client.checkpointCounts().completed;
    await until('another checkpoint completed', () => client.checkpointCounts().completed > completedAtFailure);
    const result = await client.result;
    expect(result.status).toBe('finished');
    expect(finalCounts(readCommittedJsonl<PrefixCount>(join(dir, 'out')))).toEqual(expectedCounts(RECORDS));
  });
});
