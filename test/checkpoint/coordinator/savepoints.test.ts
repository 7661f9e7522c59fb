/**
 * Savepoints beside periodic checkpoints, on a manual scheduler: how they share the
 * slots and the barrier path, and that a savepoint that cannot be written fails alone,
 * without holding checkpoints back or keeping the job from ending.
 */
import { describe, expect, it, vi } from 'vitest';
import { CheckpointError } from '../../../src/core/errors.js';
import { ack, newHarness, TASKS } from './support.js';

/** A promise's outcome, readable once it settled. */
function track<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { value, settled: true }),
    (error: unknown) => Object.assign(state, { error, settled: true }),
  );
  return state;
}

describe('CheckpointCoordinator: savepoints beside checkpoints', () => {
  it('holds periodic checkpoints back while a savepoint aligns, and lets them go once every task acknowledged it', async () => {
    const h = newHarness({ interval: 100 });
    h.savepoints.metadata = 'hang'; // its _metadata is never written
    const savepoint = track(h.coordinator.triggerSavepoint('/sp'));
    await vi.waitFor(() => expect(h.triggeredIds()).toEqual([1]));
    expect(h.triggered[0]!.options).toMatchObject({ kind: 'savepoint', targetDirectory: h.savepoints.prepared[0] });
    h.scheduler.advance(300);
    expect(h.triggeredIds()).toEqual([1]); // the savepoint's barriers hold the slot
    h.ackAll(1);
    h.scheduler.advance(100);
    expect(h.triggeredIds()).toEqual([1, 2]); // only its _metadata is left: checkpoints go on
    h.ackAll(2);
    await vi.waitFor(() => expect(h.completed.map((s) => s.checkpointId)).toEqual([2]));
    expect(h.coordinator.pendingIds).toEqual([1]); // a checkpoint does not subsume a savepoint
    expect(savepoint.settled).toBe(false);
  });

  it('completes a savepoint without telling the tasks, so sinks do not commit on it', async () => {
    const h = newHarness({ interval: 100 });
    const savepoint = h.coordinator.triggerSavepoint('/sp');
    await vi.waitFor(() => expect(h.triggeredIds()).toEqual([1]));
    h.ackAll(1);
    await expect(savepoint).resolves.toBe(h.savepoints.prepared[0]);
    expect(h.savepoints.written).toEqual([h.savepoints.prepared[0]]);
    expect(h.completed.map((s) => [s.checkpointId, s.kind, s.status])).toEqual([[1, 'savepoint', 'completed']]);
    expect(h.completeNotices).toEqual([]);
  });

  it('never counts a failed savepoint towards the tolerable checkpoint failures', async () => {
    const h = newHarness({ interval: 100, tolerableFailures: 0, timeoutMs: 1000 });
    const savepoint = h.coordinator.triggerSavepoint('/sp');
    await vi.waitFor(() => expect(h.triggeredIds()).toEqual([1]));
    h.coordinator.receiveDecline(1, TASKS[0], 'cannot write state file');
    await expect(savepoint).rejects.toThrow('savepoint 1 failed: task 0:0 declined: cannot write state file');
    expect(h.failures).toEqual([]);
    expect(h.savepoints.discarded).toEqual([h.savepoints.prepared[0]]);
  });
});

describe('CheckpointCoordinator: a savepoint that cannot be written', () => {
  it('fails alone when writing its _metadata fails, and checkpoints go on', async () => {
    const h = newHarness({ interval: 100 });
    h.savepoints.metadata = new Error('ENOSPC: no space left on device');
    const savepoint = h.coordinator.triggerSavepoint('/sp');
    await vi.waitFor(() => expect(h.triggeredIds()).toEqual([1]));
    h.ackAll(1);
    await expect(savepoint).rejects.toThrow('savepoint 1 failed: writing its metadata failed: ENOSPC: no space left on device');
    expect(h.savepoints.discarded).toEqual([h.savepoints.prepared[0]]);
    expect(h.failures).toEqual([]);
    h.scheduler.advance(100);
    expect(h.triggeredIds()).toEqual([1, 2]);
  });

  it('fails at once, sending no barrier, when its directory cannot be created', async () => {
    const h = newHarness({ interval: 100 });
    h.savepoints.mkdir = Object.assign(new Error("ENOENT: no such file or directory, mkdir '/proc/sp'"), { code: 'ENOENT' });
    const failure = await h.coordinator.triggerSavepoint('/proc').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CheckpointError);
    expect((failure as Error).message).toBe(
      `cannot create the savepoint directory '${h.savepoints.prepared[0]}': ENOENT: no such file or directory, mkdir '/proc/sp'; choose a target directory the job can write`,
    );
    expect(h.triggeredIds()).toEqual([]);
    h.scheduler.advance(100);
    expect(h.triggeredIds()).toEqual([1]);
  });

  it('fails after its directory timeout when creating the directory never ends, while checkpoints continue and the job finishes', async () => {
    const h = newHarness({ interval: 100 }, { savepointDirectoryTimeoutMs: 1000 });
    h.savepoints.mkdir = 'hang';
    const savepoint = track(h.coordinator.triggerSavepoint('/proc'));
    // checkpoints go on while the directory is being created
    for (let i = 1; i <= 3; i++) {
      h.scheduler.advance(100);
      expect(h.triggeredIds()).toEqual(Array.from({ length: i }, (_, k) => k + 1));
      h.ackAll(i);
      await vi.waitFor(() => expect(h.completed.map((s) => s.checkpointId)).toContain(i));
    }
    expect(savepoint.settled).toBe(false);
    h.scheduler.advance(700); // 1000 ms after the request
    await vi.waitFor(() => expect(savepoint.settled).toBe(true));
    expect((savepoint.error as Error).message).toBe(
      `cannot create the savepoint directory '${h.savepoints.prepared[0]}': no answer from the file system within 1000 ms; choose a target on a writable local file system`,
    );
    expect(h.triggered.filter((b) => b.options.kind === 'savepoint')).toEqual([]);
    // the job ends: every task ends its input, the final checkpoint completes, the coordinator shuts down
    for (const task of TASKS) h.coordinator.taskEndedInput(task);
    const final = h.finalTriggered[0]!.checkpointId;
    h.ackAll(final);
    await vi.waitFor(() => expect(h.completeNotices).toContainEqual({ id: final, isFinal: true }));
    h.coordinator.shutdown();
    expect(h.scheduler.scheduledCount).toBe(0);
  });

  it('is failed, not waited for, when the job ends while its directory is being created', async () => {
    const h = newHarness({ interval: 100 });
    h.savepoints.mkdir = 'hang';
    const savepoint = h.coordinator.triggerSavepoint('/proc');
    await vi.waitFor(() => expect(h.savepoints.prepared).toHaveLength(1));
    for (const task of TASKS) h.coordinator.taskEndedInput(task);
    h.ackAll(h.finalTriggered[0]!.checkpointId);
    await vi.waitFor(() => expect(h.completeNotices.map((n) => n.isFinal)).toEqual([true]));
    h.coordinator.shutdown();
    await expect(savepoint).rejects.toThrow(`the savepoint into '${h.savepoints.prepared[0]}' was not taken: the job ended`);
    expect(h.scheduler.scheduledCount).toBe(0);
  });

  it('leaves the job running when the directory of a stop-with-savepoint cannot be created', async () => {
    const h = newHarness({ interval: 100 }, { savepointDirectoryTimeoutMs: 500 });
    h.savepoints.mkdir = 'hang';
    const stop = track(h.coordinator.stopWithSavepoint('/proc', false));
    await vi.waitFor(() => expect(h.savepoints.prepared).toHaveLength(1));
    await expect(h.coordinator.stopWithSavepoint('/sp', false)).rejects.toThrow('the job is already stopping with a savepoint');
    h.scheduler.advance(100);
    expect(h.triggeredIds()).toEqual([1]); // checkpoints go on while the directory is being created
    h.scheduler.advance(400);
    await vi.waitFor(() => expect(stop.settled).toBe(true));
    expect((stop.error as Error).message).toMatch(/^cannot create the savepoint directory '.*': no answer from the file system within 500 ms/);
    expect(h.stopped).toEqual([]); // the sources were never stopped
    h.ackAll(1);
    await vi.waitFor(() => expect(h.completed.map((s) => s.checkpointId)).toEqual([1]));
    h.scheduler.advance(100);
    expect(h.triggeredIds()).toEqual([1, 2]);
  });
});

describe('CheckpointCoordinator: a stop-with-savepoint', () => {
  it('stops the sources once its directory exists and takes the final checkpoint as the savepoint', async () => {
    const h = newHarness({ interval: 100 });
    const stop = h.coordinator.stopWithSavepoint('/sp', true);
    await vi.waitFor(() => expect(h.stopped).toEqual([true]));
    h.scheduler.advance(500);
    expect(h.triggeredIds()).toEqual([]); // no periodic checkpoint once stopping
    for (const task of TASKS) h.coordinator.taskEndedInput(task);
    const final = h.finalTriggered[0]!;
    expect(final.options).toMatchObject({ kind: 'savepoint', targetDirectory: h.savepoints.prepared[0] });
    h.coordinator.receiveAck(ack(final.checkpointId, TASKS[0]));
    h.coordinator.receiveAck(ack(final.checkpointId, TASKS[1]));
    await expect(stop).resolves.toBe(h.savepoints.prepared[0]);
    expect(h.completeNotices).toEqual([{ id: final.checkpointId, isFinal: true }]);
  });
});
