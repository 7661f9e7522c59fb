import { describe, expect, it } from 'vitest';
import { ExceptionHistory } from '../../src/cluster/exception-history.js';
import { RepeatedFailureDetector } from '../../src/cluster/repeated-failure-detector.js';
import { jobExceptionsView } from '../../src/cluster/rest/exception-views.js';
import { JobFailedError, TaskFailureError } from '../../src/core/errors.js';

const taskFailure = (operator: string, subtaskIndex: number, attempt: number, message = 'boom') =>
  new TaskFailureError({ operator, subtaskIndex, parallelism: 4, attempt }, new RangeError(message));
const endpoint = (subtask: number) => `worker-thread-${subtask % 2}`;

describe('ExceptionHistory', () => {
  it("records a task failure in Flink's fields plus the operator, subtask and attempt", () => {
    const history = new ExceptionHistory();
    const error = taskFailure('enrich', 2, 1);
    history.add(error, 1, 1_000, endpoint);
    expect(history.snapshot()).toEqual({
      entries: [
        {
          exceptionName: 'TaskFailureError',
          stacktrace: error.stack,
          timestamp: 1_000,
          taskName: 'enrich (3/4)#1',
          endpoint: 'worker-thread-0',
          failureLabels: {},
          concurrentExceptions: [],
          operator: 'enrich',
          subtask: 2,
          attempt: 1,
        },
      ],
      truncated: false,
    });
    expect(history.snapshot().entries[0]!.stacktrace).toContain('Caused by: RangeError: boom');
  });

  it('records a failure outside any task with null task fields', () => {
    const history = new ExceptionHistory();
    history.add(new JobFailedError('worker thread 1 exited unexpectedly (code 1)'), 0, 5, endpoint);
    expect(history.snapshot().entries[0]).toMatchObject({ exceptionName: 'JobFailedError', taskName: null, endpoint: null, operator: null, subtask: null, attempt: 0 });
  });

  it('keeps the newest entries first and says when older ones were dropped', () => {
    const history = new ExceptionHistory(3);
    for (let attempt = 0; attempt < 3; attempt++) history.add(taskFailure('op', 0, attempt), attempt, attempt, endpoint);
    expect(history.snapshot().truncated).toBe(false);
    history.add(taskFailure('op', 0, 3), 3, 3, endpoint);
    const { entries, truncated } = history.snapshot();
    expect(entries.map((e) => e.attempt)).toEqual([3, 2, 1]);
    expect(truncated).toBe(true);
  });

  it('answers GET /jobs/:id/exceptions in the shape of Flink 2, limited by maxExceptions', () => {
    const history = new ExceptionHistory();
    for (let attempt = 0; attempt < 3; attempt++) history.add(taskFailure('op', 1, attempt), attempt, attempt, endpoint);
    const all = jobExceptionsView(history.snapshot(), undefined);
    expect(Object.keys(all)).toEqual(['exceptionHistory']);
    expect(all.exceptionHistory.truncated).toBe(false);
    expect(all.exceptionHistory.entries.map((e) => e.attempt)).toEqual([2, 1, 0]);
    const one = jobExceptionsView(history.snapshot(), 1);
    expect(one.exceptionHistory.entries.map((e) => e.attempt)).toEqual([2]);
    expect(one.exceptionHistory.truncated).toBe(true);
  });
});

describe('RepeatedFailureDetector', () => {
  it('counts identical failures (class, message, operator) in a row, whatever the subtask and attempt', () => {
    const detector = new RepeatedFailureDetector(3);
    expect(detector.record(taskFailure('op', 0, 0))).toBe(1);
    expect(detector.record(taskFailure('op', 3, 1))).toBe(2);
    expect(detector.justReachedThreshold).toBe(false);
    expect(detector.record(taskFailure('op', 1, 2))).toBe(3);
    expect(detector.justReachedThreshold).toBe(true);
    expect(detector.record(taskFailure('op', 1, 3))).toBe(4);
    expect(detector.justReachedThreshold).toBe(false);
  });

  it('starts over when the failure differs or a checkpoint completed in between', () => {
    const detector = new RepeatedFailureDetector(3);
    detector.record(taskFailure('op', 0, 0));
    expect(detector.record(taskFailure('other', 0, 1))).toBe(1);
    expect(detector.record(taskFailure('other', 0, 2, 'another message'))).toBe(1);
    detector.progressed();
    expect(detector.record(taskFailure('other', 0, 3, 'another message'))).toBe(1);
  });
});
