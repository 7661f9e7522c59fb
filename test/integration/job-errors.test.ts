import { describe, expect, it } from 'vitest';
import { ConfigError, JobDefinitionError, runJob, TaskFailureError } from 'eddy';
import { failureMessage, RECORDS } from '../jobs/failing-map.js';
import { testJobPath } from './support.js';

const MODES = ['threads', 'single-thread'] as const;

/** What `promise` rejects with; fails the test if it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  throw new Error('expected the job to fail, but it finished');
}

describe('job errors', () => {
  it.each(MODES)('rejects a parallelism above maxParallelism with a ConfigError naming both, in %s mode', async (execution) => {
    const error = await rejectionOf(runJob(testJobPath('key-isolation'), { parallelism: 8, maxParallelism: 4, execution }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/parallelism 8/);
    expect(error.message).toMatch(/maxParallelism 4/);
  });

  it.each(MODES)('fails a job whose key selector returns an object, naming keyBy and the supported key types, in %s mode', async (execution) => {
    const error = await rejectionOf(runJob(testJobPath('object-key'), { parallelism: 2, execution }));
    expect(error).toBeInstanceOf(TaskFailureError);
    const failure = error as TaskFailureError;
    expect(failure.userError.name).toBe('KeyError');
    expect(error.message).toContain('keyBy()');
    expect(error.message).toMatch(/plain object/);
    expect(error.message).toMatch(/supported key types are string, number.*bigint, boolean and arrays \(tuples\)/);
  });

  it.each(MODES)('tells the author of a module without a default export to export default defineJob, in %s mode', async (execution) => {
    const error = await rejectionOf(runJob(testJobPath('no-default-export'), { execution }));
    expect(error).toBeInstanceOf(JobDefinitionError);
    expect(error.message).toContain('no-default-export.ts');
    expect(error.message).toContain('export default defineJob');
  });

  it.each(MODES)('rejects keyed state asked for on a stream without keyBy, naming the operator and the state, in %s mode', async (execution) => {
    const error = await rejectionOf(runJob(testJobPath('keyed-state-without-key'), { parallelism: 2, execution }));
    expect(error).toBeInstanceOf(TaskFailureError);
    const failure = error as TaskFailureError;
    expect(failure.userError.name).toBe('StateAccessError');
    expect(failure.userError.message).toContain("operator 'remember-last'");
    expect(failure.userError.message).toContain("keyed state 'last-seen'");
    expect(failure.userError.message).toContain('outside a keyed stream');
  });

  // the map is chained behind the source: the failure must name the map, not the chain's head
  it('blames the operator whose open() failed, not the head of its chain', async () => {
    const error = await rejectionOf(runJob(testJobPath('keyed-state-without-key'), { parallelism: 2, execution: 'single-thread' }));
    expect(error).toBeInstanceOf(TaskFailureError);
    expect((error as TaskFailureError).operator).toBe('remember-last');
    expect(error.message).toMatch(/^operator 'remember-last' \(subtask \d\/2\) failed/);
  });

  describe.each(MODES)('a user function that throws, in %s mode', (execution) => {
    // 1000 records over 4 source instances: 0-249, 250-499, 500-749, 750-999; the map is chained to the source
    const cases = [
      { failAt: 249, subtask: 1 },
      { failAt: 250, subtask: 2 },
      { failAt: 600, subtask: 3 },
      { failAt: RECORDS - 1, subtask: 4 },
    ];

    it.each(cases)(
      'fails the job at record $failAt with a TaskFailureError naming the operator and subtask $subtask/4',
      async ({ failAt, subtask }) => {
        const error = await rejectionOf(
          runJob(testJobPath('failing-map'), { parallelism: 4, execution, parameters: { failAt: String(failAt) } }),
        );
        expect(error).toBeInstanceOf(TaskFailureError);
        const failure = error as TaskFailureError;
        expect(failure.operator).toBe('failing-map');
        expect(failure.subtaskIndex).toBe(subtask - 1);
        expect(failure.parallelism).toBe(4);
        expect(error.message).toBe(`operator 'failing-map' (subtask ${subtask}/4) failed: RangeError: ${failureMessage(failAt)}`);
        expect(failure.userError.name).toBe('RangeError');
        expect(failure.userError.message).toBe(failureMessage(failAt));
        // the user's own stack, pointing into the job file
        expect(failure.userError.stack).toMatch(/at FailAtRecord\.map \(.*test\/jobs\/failing-map\.ts:\d+:\d+\)/);
        expect(error.stack).toContain('Caused by: RangeError');
      },
    );
  });
});
