/**
 * `env.getParallelism()` is the default parallelism the job's operators get: the run's
 * (RunOptions.parallelism, `--parallelism`), else the job's own `setParallelism`, else 1;
 * never undefined (issue 11). The CLI's `-p` is checked in module-formats.test.ts.
 */
import { runJob } from 'eddy';
import { describe, expect, it } from 'vitest';
import { testJobPath } from './support.js';

const JOB = testJobPath('report-parallelism');

describe('env.getParallelism()', () => {
  it("is the run's parallelism on worker threads, where each thread builds the job again", async () => {
    const result = await runJob(JOB, { parallelism: 2, execution: 'threads' });
    expect(result.output('parallelism')).toEqual(['parallelism 2']);
  });

  it("is the run's parallelism also when the job sets its own", async () => {
    const result = await runJob(JOB, { parallelism: 2, execution: 'single-thread', parameters: { 'job-parallelism': '3' } });
    expect(result.output('parallelism')).toEqual(['parallelism 2']);
  });

  it("is the job's own setting when the run sets none", async () => {
    const result = await runJob(JOB, { execution: 'single-thread', parameters: { 'job-parallelism': '3' } });
    expect(result.output('parallelism')).toEqual(['parallelism 3']);
  });

  it('is 1, the runtime default, when neither the run nor the job sets one', async () => {
    const result = await runJob(JOB, { execution: 'single-thread' });
    expect(result.output('parallelism')).toEqual(['parallelism 1']);
  });
});
