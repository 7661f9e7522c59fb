/**
 * A checkpoint coordinator on a {@link ManualCheckpointScheduler}, over in-memory
 * checkpoint and savepoint storage that a test can make hang or fail, with a gateway and
 * a listener that record what the coordinator did. Two tasks (vertex 0, subtasks 0 and 1).
 */
import { CheckpointCoordinator } from '../../../src/checkpoint/checkpoint-coordinator.js';
import type { CheckpointGateway, CoordinatorSettings, CoordinatorStorage, SavepointStorage } from '../../../src/checkpoint/coordinator-contracts.js';
import type { CheckpointBarrier } from '../../../src/checkpoint/barrier/checkpoint-barrier.js';
import type { CheckpointMetadata, TaskCheckpointAck } from '../../../src/checkpoint/checkpoint-metadata.js';
import type { CheckpointStats } from '../../../src/checkpoint/checkpoint-stats.js';
import type { CheckpointError } from '../../../src/core/errors.js';
import { ManualCheckpointScheduler } from '../../support/manual-checkpoint-scheduler.js';

export const TASKS = [
  { vertexId: 0, subtaskIndex: 0 },
  { vertexId: 0, subtaskIndex: 1 },
] as const;

/** What a fake storage operation does: succeed, fail with an error, or never answer. */
export type FakeOutcome = 'ok' | 'hang' | Error;

function outcome(what: FakeOutcome): Promise<void> {
  if (what === 'ok') return Promise.resolve();
  if (what === 'hang') return new Promise<void>(() => {});
  return Promise.reject(what);
}

/** In-memory savepoint storage whose directory creation and `_metadata` write can hang or fail. */
export class FakeSavepointStorage implements SavepointStorage {
  mkdir: FakeOutcome = 'ok';
  metadata: FakeOutcome = 'ok';
  readonly prepared: string[] = [];
  readonly written: string[] = [];
  readonly discarded: string[] = [];
  private next = 0;

  newDirectory(parent: string): string {
    return `${parent}/savepoint-abcdef-${String(++this.next).padStart(12, '0')}`;
  }

  prepareDirectory(directory: string): Promise<void> {
    this.prepared.push(directory);
    return outcome(this.mkdir);
  }

  async writeMetadata(directory: string): Promise<void> {
    await outcome(this.metadata);
    this.written.push(directory);
  }

  async discardFailed(directory: string): Promise<void> {
    this.discarded.push(directory);
  }
}

/** In-memory checkpoint storage whose `_metadata` writes can hang or fail. */
export class FakeCheckpointStorage implements CoordinatorStorage {
  metadata: FakeOutcome = 'ok';
  /** What deleting a checkpoint's directory does. */
  discard: FakeOutcome = 'ok';
  readonly written: number[] = [];
  readonly discarded: number[] = [];

  async writeMetadata(metadata: CheckpointMetadata): Promise<string> {
    await outcome(this.metadata);
    this.written.push(metadata.checkpointId);
    return this.checkpointDirectory(metadata.checkpointId);
  }

  checkpointDirectory(checkpointId: number): string {
    return `/fake/job/chk-${checkpointId}`;
  }

  async discardCheckpoint(checkpointId: number): Promise<void> {
    this.discarded.push(checkpointId);
    await outcome(this.discard);
  }

  ownsSharedFile(): boolean {
    return false;
  }

  async discardSharedFiles(): Promise<void> {}
}

/** An acknowledgement without state from `task` for checkpoint `checkpointId`. */
export function ack(checkpointId: number, task: { vertexId: number; subtaskIndex: number }): TaskCheckpointAck {
  const { vertexId, subtaskIndex } = task;
  return { checkpointId, vertexId, subtaskIndex, operators: [], stats: { vertexId, subtaskIndex, syncMs: 0, asyncMs: 0, alignmentMs: 0, stateBytes: 0 } };
}

/** Settings for tests; checkpointing every 100 ms unless changed. */
export function settings(overrides: Partial<CoordinatorSettings> = {}): CoordinatorSettings {
  return { interval: 100, mode: 'exactly-once', timeoutMs: 10_000, minPauseMs: 0, maxConcurrent: 1, tolerableFailures: 0, retained: 1, ...overrides };
}

/** A coordinator attached to a recording gateway. */
export function newHarness(overrides: Partial<CoordinatorSettings> = {}, options: { savepointDirectoryTimeoutMs?: number } = {}) {
  const scheduler = new ManualCheckpointScheduler();
  const storage = new FakeCheckpointStorage();
  const savepoints = new FakeSavepointStorage();
  const triggered: CheckpointBarrier[] = [];
  const finalTriggered: CheckpointBarrier[] = [];
  const completeNotices: { id: number; isFinal: boolean }[] = [];
  const abortNotices: number[] = [];
  const stopped: boolean[] = [];
  const completed: CheckpointStats[] = [];
  const aborted: CheckpointStats[] = [];
  const failures: CheckpointError[] = [];
  const warnings: string[] = [];
  const gateway: CheckpointGateway = {
    triggerCheckpoint: (b) => triggered.push(b),
    triggerFinalCheckpoint: (b) => finalTriggered.push(b),
    notifyCheckpointComplete: (id, isFinal) => completeNotices.push({ id, isFinal }),
    notifyCheckpointAborted: (id) => abortNotices.push(id),
    stopSources: (drain) => stopped.push(drain),
  };
  const coordinator = new CheckpointCoordinator(
    'job-1',
    settings(overrides),
    storage,
    TASKS,
    [{ uid: 'count', name: 'Count', parallelism: 2, maxParallelism: 128 }],
    {
      onFailure: (error) => failures.push(error),
      onCheckpointCompleted: (stats) => completed.push(stats),
      onCheckpointAborted: (stats) => aborted.push(stats),
      onCleanupFailed: (what, error) => warnings.push(`${what}: ${(error as Error).message}`),
    },
    undefined,
    savepoints,
    { scheduler, ...options },
  );
  coordinator.attach(gateway);
  /** Every task acknowledges checkpoint `id`. */
  const ackAll = (id: number) => {
    for (const task of TASKS) coordinator.receiveAck(ack(id, task));
  };
  /** The ids of the barriers sent to the sources. */
  const triggeredIds = () => triggered.map((b) => b.checkpointId);
  return {
    coordinator,
    scheduler,
    storage,
    savepoints,
    triggered,
    triggeredIds,
    finalTriggered,
    completeNotices,
    abortNotices,
    stopped,
    completed,
    aborted,
    failures,
    warnings,
    ackAll,
  };
}
