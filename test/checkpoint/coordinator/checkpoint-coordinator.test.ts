/**
 * The coordinator's rules, step by step on a manual scheduler: the periodic trigger,
 * max concurrent, min pause, the timeout, tolerable failures, and how savepoints share
 * the path with checkpoints. Storage is in memory and answers at once unless a test
 * makes it hang or fail.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ack, newHarness, TASKS } from './support.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CheckpointCoordinator: the periodic trigger', () => {
  it('triggers a checkpoint every interval, ids counting from 1', async () => {
    const h = newHarness({ interval: 100 });
    h.scheduler.advance(99);
    expect(h.triggeredIds()).toEqual([]);
    h.scheduler.advance(1);
    expect(h.triggeredIds()).toEqual([1]);
    h.ackAll(1);
    await vi.waitFor(() => expect(h.completed.map((s) => s.checkpointId)).toEqual([1]));
    h.scheduler.advance(100);
    expect(h.triggeredIds()).toEqual([1, 2]);
    expect(h.triggered[1]!.timestamp - h.triggered[0]!.timestamp).toBe(100);
  });

  it('uses its scheduler only: no global timer or clock while it triggers and expires checkpoints', () => {
    const h = newHarness({ interval: 100, timeoutMs: 250 });
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout');
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const dateNowSpy = vi.spyOn(Date, 'now');
    h.scheduler.advance(100); // trigger 1
    h.scheduler.advance(250); // 1 expires; 2 and 3 are not triggered while it holds the slot
    h.coordinator.shutdown();
    expect(h.triggeredIds()).toEqual([1]);
    expect(h.aborted.map((s) => s.failureReason)).toEqual(['expired after 250 ms']);
    expect(setTimeoutSpy).not.toHaveBeenCalled();
    expect(setIntervalSpy).not.toHaveBeenCalled();
    expect(dateNowSpy).not.toHaveBeenCalled();
  });

  it('stops triggering once the attempt is detached, and starts again on the next attach', () => {
    const h = newHarness({ interval: 100 });
    h.coordinator.detach('attempt 0 failed');
    h.scheduler.advance(1000);
    expect(h.triggeredIds()).toEqual([]);
    expect(h.scheduler.scheduledCount).toBe(0);
    h.coordinator.attach({ triggerCheckpoint: (b) => h.triggered.push(b), triggerFinalCheckpoint() {}, notifyCheckpointComplete() {}, notifyCheckpointAborted() {}, stopSources() {} });
    h.scheduler.advance(100);
    expect(h.triggeredIds()).toEqual([1]);
  });
});

describe('CheckpointCoordinator: max concurrent checkpoints', () => {
  it('triggers no periodic checkpoint while maxConcurrent checkpoints are pending, and the next tick after one completes', async () => {
    const h = newHarness({ interval: 100, maxConcurrent: 2 });
    h.scheduler.advance(100);
    h.scheduler.advance(100);
    expect(h.triggeredIds()).toEqual([1, 2]);
    h.scheduler.advance(300); // three ticks: both slots are taken
    expect(h.triggeredIds()).toEqual([1, 2]);
    h.ackAll(2); // completing 2 subsumes 1: both slots are free
    await vi.waitFor(() => expect(h.completed.map((s) => s.checkpointId)).toEqual([2]));
    expect(h.aborted.map((s) => [s.checkpointId, s.failureReason])).toEqual([[1, 'subsumed by checkpoint 2']]);
    h.scheduler.advance(100);
    expect(h.triggeredIds()).toEqual([1, 2, 3]);
  });
});

describe('CheckpointCoordinator: announcing a completion', () => {
  it('triggers no checkpoint before the completion of the last one is announced, so a listener that cancels sees no later one start', async () => {
    const h = newHarness({ interval: 100, retained: 1 });
    h.scheduler.advance(100);
    h.ackAll(1);
    await vi.waitFor(() => expect(h.completed.map((s) => s.checkpointId)).toEqual([1]));
    h.storage.discard = 'hang'; // completing 2 deletes the subsumed checkpoint 1, which never ends
    h.scheduler.advance(100);
    h.ackAll(2);
    await vi.waitFor(() => expect(h.storage.discarded).toEqual([1]));
    h.scheduler.advance(500);
    expect(h.triggeredIds()).toEqual([1, 2]);
    expect(h.completed.map((s) => s.checkpointId)).toEqual([1]); // 2 is written but not announced
  });
});

describe('CheckpointCoordinator: min pause', () => {
  it('waits at least minPauseMs after a completion before the next periodic checkpoint', async () => {
    const h = newHarness({ interval: 100, minPauseMs: 250 });
    h.scheduler.advance(100);
    h.ackAll(1);
    await vi.waitFor(() => expect(h.completed).toHaveLength(1));
    const completedAt = h.scheduler.now();
    h.scheduler.advance(200); // ticks 100 and 200 ms after the completion
    expect(h.triggeredIds()).toEqual([1]);
    h.scheduler.advance(100); // 300 ms after it
    expect(h.triggeredIds()).toEqual([1, 2]);
    expect(h.triggered[1]!.timestamp - completedAt).toBe(300);
  });
});

describe('CheckpointCoordinator: the timeout', () => {
  it('aborts a checkpoint that is not complete after timeoutMs and tells the tasks', () => {
    const h = newHarness({ interval: 100, timeoutMs: 500, tolerableFailures: 5 });
    h.scheduler.advance(100);
    h.coordinator.receiveAck(ack(1, TASKS[0])); // one of two tasks
    h.scheduler.advance(499);
    expect(h.aborted).toEqual([]);
    expect(h.coordinator.pendingIds).toEqual([1]);
    h.scheduler.advance(1);
    expect(h.aborted.map((s) => [s.checkpointId, s.status, s.failureReason])).toEqual([[1, 'aborted', 'expired after 500 ms']]);
    expect(h.abortNotices).toContain(1);
    expect(h.storage.discarded).toContain(1);
    // the tick due at the same time runs after the timeout, which freed the slot
    expect(h.triggeredIds()).toEqual([1, 2]);
    expect(h.coordinator.checkpointCounts).toEqual({ triggered: 2, completed: 0, aborted: 1 });
  });

  it('keeps the timeout running while the metadata is written, so a write that never ends aborts the checkpoint', async () => {
    const h = newHarness({ interval: 100, timeoutMs: 500, tolerableFailures: 5 });
    h.storage.metadata = 'hang';
    h.scheduler.advance(100);
    h.ackAll(1);
    h.scheduler.advance(500);
    expect(h.aborted.map((s) => s.failureReason)).toEqual(['expired after 500 ms']);
    expect(h.completed).toEqual([]);
  });
});

describe('CheckpointCoordinator: tolerable failures', () => {
  it('fails the attempt only when more than tolerableFailures checkpoints fail in a row', () => {
    const h = newHarness({ interval: 100, timeoutMs: 50, tolerableFailures: 1 });
    h.scheduler.advance(100); // 1
    h.scheduler.advance(50); // 1 expires: 1 in a row, tolerated
    expect(h.failures).toEqual([]);
    h.scheduler.advance(50); // 2
    h.coordinator.receiveDecline(2, TASKS[1], 'disk full');
    expect(h.failures).toHaveLength(1);
    expect(h.failures[0]!.message).toBe(
      'checkpoint 2 failed (task 0:1 declined: disk full); 2 checkpoint(s) failed in a row, more than the 1 tolerated (--tolerable-failures)',
    );
  });

  it('starts counting again after a checkpoint completes', async () => {
    const h = newHarness({ interval: 100, timeoutMs: 50, tolerableFailures: 1 });
    h.scheduler.advance(100); // 1
    h.scheduler.advance(50); // expires
    h.scheduler.advance(50); // 2
    h.ackAll(2);
    await vi.waitFor(() => expect(h.completed.map((s) => s.checkpointId)).toEqual([2]));
    h.scheduler.advance(100); // 3
    h.scheduler.advance(50); // expires: the first failure since 2 completed
    expect(h.aborted.map((s) => s.checkpointId)).toEqual([1, 3]);
    expect(h.failures).toEqual([]);
  });

  it('does not count declines of tasks that merely could not take part', () => {
    const h = newHarness({ interval: 100, tolerableFailures: 0 });
    h.scheduler.advance(100);
    h.coordinator.receiveDecline(1, TASKS[0], 'task is draining', false);
    expect(h.aborted.map((s) => s.checkpointId)).toEqual([1]);
    expect(h.failures).toEqual([]);
  });
});
