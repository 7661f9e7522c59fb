/**
 * A failing user function fails its task with the user's own error and stack, named with
 * the operator and subtask (DESIGN §2.1, STYLE 7), in both execution modes; a worker
 * thread that dies makes the job fail instead of hang (STYLE 4).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JobDefinitionError, JobFailedError, TaskFailureError, runJob } from 'eddy';

const JOB = fileURLToPath(new URL('../jobs/runtime-failure.ts', import.meta.url));
const LOAD_FAILURE_JOB = fileURLToPath(new URL('../jobs/runtime-worker-load-failure.ts', import.meta.url));

type Execution = 'single-thread' | 'threads';

/** Runs the failure job and returns what it rejected with (fails the test if it resolves). */
async function failureOf(execution: Execution, kind: string, at?: number): Promise<Error> {
  const parameters: Record<string, string> = { case: kind };
  if (at !== undefined) parameters.at = String(at);
  let result: unknown;
  try {
    result = await runJob(JOB, { execution, slots: 3, parameters });
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error(`job '${kind}' finished although it should have failed: ${JSON.stringify(result)}`);
}

function asTaskFailure(error: Error): TaskFailureError {
  expect(error).toBeInstanceOf(TaskFailureError);
  expect(error.name).toBe('TaskFailureError');
  return error as TaskFailureError;
}

describe.each<Execution>(['single-thread', 'threads'])('task failures (%s)', (execution) => {
  it.each([
    [5, 1],
    [150, 2],
    [299, 3],
  ])('fails with TaskFailureError naming the operator and subtask when record %i throws (subtask %i/3)', async (at, subtask) => {
    const error = asTaskFailure(await failureOf(execution, 'throw-at', at));
    expect(error.operator).toBe('boom');
    expect(error.subtaskIndex).toBe(subtask - 1);
    expect(error.parallelism).toBe(3);
    expect(error.message).toBe(`operator 'boom' (subtask ${subtask}/3) failed: RangeError: record ${at} is cursed`);
  });

  it("carries the user's error name, message and stack", async () => {
    const error = asTaskFailure(await failureOf(execution, 'throw-at', 150));
    expect(error.userError.name).toBe('RangeError');
    expect(error.userError.message).toBe('record 150 is cursed');
    expect(error.userError.stack).toContain('cursedMap');
    expect(error.userError.stack).toContain('runtime-failure');
    expect(error.stack).toContain("operator 'boom' (subtask 2/3)");
    expect(error.stack).toContain('Caused by: RangeError: record 150 is cursed');
  });

  it('wraps a thrown non-Error value into an error with its text', async () => {
    const error = asTaskFailure(await failureOf(execution, 'throw-string', 42));
    expect(error.operator).toBe('stringly');
    expect(error.subtaskIndex).toBe(0);
    expect(error.userError.message).toBe('a plain string');
  });

  it('names a sink whose write throws', async () => {
    const error = asTaskFailure(await failureOf(execution, 'sink-write'));
    expect(error.message).toBe("operator 'bad-sink' (subtask 1/3) failed: Error: disk on fire");
  });

  it('fails with a KeyError when a key selector returns an unsupported key', async () => {
    const error = asTaskFailure(await failureOf(execution, 'bad-key'));
    expect(error.userError.name).toBe('KeyError');
    expect(error.userError.message).toMatch(/keyBy\(\)/);
  });

  it('fails with TaskFailureError carrying the message when open() throws', async () => {
    const error = asTaskFailure(await failureOf(execution, 'open-head'));
    expect(error.message).toMatch(/^operator 'opener' \(subtask [123]\/3\) failed: Error: cannot open the pod bay doors$/);
    expect(error.userError.stack).toContain('FailingOpen');
  });

  it('names the chained operator whose open() threw, not the head of its chain', async () => {
    const error = asTaskFailure(await failureOf(execution, 'open-chained'));
    expect(error.operator).toBe('opener');
  });

  it('fails when close() throws at the end of a bounded job', async () => {
    const error = asTaskFailure(await failureOf(execution, 'close-chained'));
    expect(error.userError.message).toBe('close failed');
  });

  it('names the chained operator whose close() threw', async () => {
    const error = asTaskFailure(await failureOf(execution, 'close-chained'));
    expect(error.operator).toBe('closer');
  });

  it('names the chained sink whose end-of-input flush threw', async () => {
    const error = asTaskFailure(await failureOf(execution, 'sink-flush'));
    expect(error.userError.message).toBe('flush on fire');
    expect(error.operator).toBe('bad-flush');
  });
});

describe('worker thread failures', () => {
  it('rejects with JobFailedError when a worker thread exits (process.exit in a user function)', async () => {
    const error = await failureOf('threads', 'exit', 150);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error.message).toMatch(/^worker thread \d+ exited unexpectedly \(code 3\)$/);
  });

  it('rejects with JobFailedError when an exception escapes in a worker outside any task', async () => {
    // the source never ends, so only the crash can end this job
    const error = await failureOf('threads', 'timer-throw', 100);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error.message).toMatch(/^worker thread \d+ crashed: thrown from a timer$/);
  }, 20_000);

  it('rejects with the loader error when the job module fails to load in a worker', async () => {
    const attempt = runJob(LOAD_FAILURE_JOB, { execution: 'threads', slots: 2, parallelism: 2 });
    await expect(attempt).rejects.toBeInstanceOf(JobDefinitionError);
    await expect(attempt).rejects.toThrow(/refuses to load in a worker/);
  });

  it('runs the same job normally when nothing fails, in both modes', async () => {
    for (const execution of ['single-thread', 'threads'] as const) {
      const result = await runJob(JOB, { execution, slots: 3, parameters: { case: 'none' } });
      expect(result.output<number>('out').sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    }
  });
});
