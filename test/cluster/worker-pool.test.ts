/**
 * The worker pool of the embedded local cluster: a thread whose attempt was canceled
 * cleanly serves the next attempt or job; one in which user code left a timer running is
 * ended, never handed out again. Seen from outside, by the thread ids the subtasks report.
 */
import { describe, expect, it } from 'vitest';
import { runJob } from 'eddy';
import { testJobPath } from '../integration/support.js';

const JOB = testJobPath('thread-ids');

/** The thread id each subtask of a run of the thread-ids job ran in. */
async function threadsOfRun(leak: 'none' | 'timer'): Promise<Set<string>> {
  const result = await runJob(JOB, { execution: 'threads', slots: 2, parameters: { parallelism: '2', leak } });
  const lines = result.output<string>('threads');
  expect(lines.map((l) => l.split(' ')[0]).sort()).toEqual(['0', '1']);
  return new Set(lines.map((l) => l.split(' ')[1]!));
}

describe('worker pool', () => {
  it('runs the next job in the threads of the last one', async () => {
    const first = await threadsOfRun('none');
    const second = await threadsOfRun('none');

    expect(first.size).toBe(2);
    expect(second).toEqual(first);
  });

  it('never hands out a thread in which user code left a timer running', async () => {
    const leaky = await threadsOfRun('timer');
    const next = await threadsOfRun('none');

    expect(next.size).toBe(2);
    expect([...next].filter((id) => leaky.has(id))).toEqual([]);
  });
});
