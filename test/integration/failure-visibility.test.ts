/**
 * Every failure shows (issue 11, part 1): each failed attempt is logged once with its
 * operator, subtask and attempt, kept in the exception history and told to `onFailure`,
 * and a user callback that throws is logged instead of taking the process down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { RestartStrategies, TaskFailureError, createLogger, startJob } from 'eddy';
import type { CheckpointStats, JobFailure } from 'eddy';

const FAILING = fileURLToPath(new URL('../jobs/runtime-failure.ts', import.meta.url));
const TICKER = fileURLToPath(new URL('../jobs/rest-ticker.ts', import.meta.url));

/** A JSON logger whose records land in an array. */
function capture() {
  const records: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', format: 'json', destination: { write: (line) => records.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, records };
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

afterEach(() => {
  process.removeListener('unhandledRejection', onUnhandled);
  unhandled.length = 0;
});

describe('failures that show', () => {
  it.each(['single-thread', 'threads'] as const)(
    'logs each failed attempt once with operator, subtask and attempt, and keeps them newest first (%s)',
    async (execution) => {
      const { logger, records } = capture();
      const failures: JobFailure[] = [];
      const client = await startJob(FAILING, {
        execution,
        parallelism: 1,
        slots: 1,
        parameters: { case: 'open-head' },
        restartStrategy: RestartStrategies.fixedDelay(2, 0),
        logger,
        onFailure: (f) => failures.push(f),
      });
      const error = await client.result.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TaskFailureError);
      expect((error as TaskFailureError).attempt).toBe(2);

      const failed = records.filter((r) => r['level'] === 50 && r['job'] === client.jobId);
      expect(failed.map((r) => [r['operator'], r['subtask'], r['attempt']])).toEqual([
        ['opener', 0, 0],
        ['opener', 0, 1],
        ['opener', 0, 2],
      ]);
      expect(failed.map((r) => r['restartDelayMs'])).toEqual([0, 0, undefined]);
      const err = failed[0]!['err'] as { type: string; stack: string };
      expect(err.type).toBe('TaskFailureError');
      expect(err.stack).toContain('Caused by: Error: cannot open the pod bay doors');
      expect(err.stack).toContain('FailingOpen.open'); // the user's own frame

      const { entries, truncated } = client.exceptions();
      expect(truncated).toBe(false);
      expect(entries.map((e) => [e.exceptionName, e.operator, e.subtask, e.attempt, e.taskName])).toEqual([
        ['TaskFailureError', 'opener', 0, 2, 'opener (1/1)#2'],
        ['TaskFailureError', 'opener', 0, 1, 'opener (1/1)#1'],
        ['TaskFailureError', 'opener', 0, 0, 'opener (1/1)#0'],
      ]);
      expect(entries[0]!.endpoint).toBe(execution === 'threads' ? 'worker-thread-0' : 'main-thread');
      expect(entries[0]!.stacktrace).toContain('FailingOpen.open');

      expect(failures.map((f) => [f.attempt, f.restartDelayMs, f.sameFailuresInARow])).toEqual([
        [0, 0, 1],
        [1, 0, 2],
        [2, undefined, 3],
      ]);
    },
    120_000,
  );

  it('keeps running when the onCheckpoint callback throws, logging the throw once', async () => {
    process.on('unhandledRejection', onUnhandled);
    const { logger, records } = capture();
    const seen: CheckpointStats[] = [];
    // a run leaves its record (_job.json) in the checkpoint directory: not in the project's
    const directory = mkdtempSync(join(tmpdir(), 'eddy-failure-visibility-'));
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
    const client = await startJob(TICKER, {
      execution: 'single-thread',
      checkpoint: { interval: 20, directory },
      parameters: { rate: '1' },
      logger,
      onCheckpoint: (stats) => {
        seen.push(stats);
        throw new Error(`onCheckpoint broke at checkpoint ${stats.checkpointId}`);
      },
    });
    // the callback threw at least twice, and the job went on taking checkpoints
    await vi.waitFor(() => expect(seen.filter((s) => s.status === 'completed').length).toBeGreaterThanOrEqual(3), { timeout: 60_000, interval: 20 });
    expect(client.status()).toBe('running');
    const result = await client.cancel();
    expect(result.status).toBe('canceled');
    expect(result.restarts).toBe(0);
    expect(result.exceptions).toEqual([]);

    const errors = records.filter((r) => r['callback'] === 'onCheckpoint' && r['level'] === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!['err']).toMatchObject({ message: 'onCheckpoint broke at checkpoint 1' });
    expect(records.filter((r) => r['callback'] === 'onCheckpoint' && r['level'] === 20).length).toBeGreaterThanOrEqual(1);
    expect(unhandled).toEqual([]);
  }, 90_000);
});
