import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineJob, runJob, Sinks, TaskFailureError } from '../../src/index.js';
import { AbortingSource } from '../../src/testing/index.js';

const ITEMS = Array.from({ length: 2000 }, (_, i) => i);
const dir = mkdtempSync(join(tmpdir(), 'eddy-aborting-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job = defineJob((env) => {
  env
    .fromSource(new AbortingSource(ITEMS, { abortAtIndex: 1500 }), 'aborting')
    .uid('source')
    .sinkTo(Sinks.collect<number>('out'));
});

describe('AbortingSource', () => {
  it('fails the job at its marker, after emitting every item before it', async () => {
    const error = await runJob(job, { execution: 'single-thread', testing: { batchSize: 7 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailureError);
    expect((error as TaskFailureError).userError.message).toBe('source aborted at item 1500');
  });

  it('replays exactly once after the failure when the job restarts from a checkpoint', async () => {
    const result = await runJob(job, {
      execution: 'single-thread',
      testing: { batchSize: 7 },
      checkpoint: { interval: 10, directory: dir },
      restartStrategy: { type: 'fixed-delay', attempts: 1, delayMs: 0 },
    });
    expect(result.restarts).toBe(1);
    expect(result.output<number>('out').sort((a, b) => a - b)).toEqual(ITEMS);
  });
});
