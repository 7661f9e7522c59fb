/**
 * Fixtures of the incremental checkpoint tests: a keyed task made of a
 * {@link TaskCheckpointer} over a {@link FakeIncrementalBackend}, and a coordinator over
 * real storage whose gateway records what it was asked.
 */
import { readdir } from 'node:fs/promises';
import { expect, vi } from 'vitest';
import { CheckpointCoordinator } from '../../../src/checkpoint/checkpoint-coordinator.js';
import type { CompletedCheckpoint } from '../../../src/checkpoint/checkpoint-coordinator.js';
import type { CheckpointGateway, CoordinatorSettings, CoordinatorTask } from '../../../src/checkpoint/coordinator-contracts.js';
import type { TaskCheckpointAck } from '../../../src/checkpoint/checkpoint-metadata.js';
import type { CheckpointStats } from '../../../src/checkpoint/checkpoint-stats.js';
import type { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import type { CheckpointBarrier } from '../../../src/checkpoint/barrier/checkpoint-barrier.js';
import { TaskCheckpointer } from '../../../src/runtime/task/task-checkpointer.js';
import type { CheckpointResponder, StateFileWriter } from '../../../src/runtime/task/task-checkpointer.js';
import { OperatorStateStore } from '../../../src/state/operator/operator-state-store.js';
import { keyGroupRangeForOperator } from '../../../src/core/key-groups.js';
import { FakeIncrementalBackend } from '../../support/fake-incremental-backend.js';
import type { FakeIncrementalBackendOptions } from '../../support/fake-incremental-backend.js';

export const UID = 'count';

/** A checkpoint barrier (a savepoint's when `targetDirectory` is given). */
export function barrier(checkpointId: number, targetDirectory?: string): CheckpointBarrier {
  return {
    type: 'barrier',
    checkpointId,
    timestamp: 1_700_000_000_000 + checkpointId,
    options: targetDirectory ? { kind: 'savepoint', mode: 'exactly-once', targetDirectory } : { kind: 'checkpoint', mode: 'exactly-once' },
  };
}

/** A task of one keyed operator, what it sent the coordinator, and how to wait for it. */
export interface KeyedTask {
  readonly checkpointer: TaskCheckpointer;
  readonly acks: TaskCheckpointAck[];
  readonly declines: { readonly checkpointId: number; readonly reason: unknown; readonly failure: boolean }[];
  /** Takes checkpoint `checkpointId` and waits until its asynchronous part is over. */
  checkpoint(checkpointId: number, targetDirectory?: string): Promise<void>;
}

/**
 * Subtask `subtaskIndex` of vertex 0, one keyed operator `uid` over `backend`, acknowledging
 * to `forward` (the coordinator) when given.
 */
export function keyedTask(
  backend: FakeIncrementalBackend,
  storage: StateFileWriter | undefined,
  options: { subtaskIndex?: number; uid?: string; forward?: CheckpointResponder; acknowledge?: (ack: TaskCheckpointAck) => void } = {},
): KeyedTask {
  const acks: TaskCheckpointAck[] = [];
  const declines: KeyedTask['declines'] = [];
  const subtaskIndex = options.subtaskIndex ?? 0;
  const uid = options.uid ?? UID;
  const responder: CheckpointResponder = {
    acknowledge: (ack) => {
      (options.acknowledge ?? (() => {}))(ack);
      acks.push(ack);
      options.forward?.acknowledge(ack);
    },
    decline: (checkpointId, task, reason, failure) => {
      declines.push({ checkpointId, reason, failure });
      options.forward?.decline(checkpointId, task, reason, failure);
    },
  };
  const operator = { name: uid, uid, operator: { setup() {}, processElement() {} }, operatorStateStore: new OperatorStateStore(), keyedBackend: backend };
  const checkpointer = new TaskCheckpointer(0, subtaskIndex, [operator], undefined, [], storage, responder);
  return {
    checkpointer,
    acks,
    declines,
    async checkpoint(checkpointId, targetDirectory) {
      await checkpointer.checkpoint(barrier(checkpointId, targetDirectory), 0, false);
      await checkpointer.settled();
    },
  };
}

/**
 * A coordinator over `storage` of `tasks` subtasks of vertex 0 (or of the tasks listed),
 * whose only operator is {@link UID} at parallelism 2, with a gateway that records its
 * calls and passes them on to `gateway`.
 */
export function newCoordinator(
  storage: FileSystemCheckpointStorage,
  options: {
    tasks?: number | readonly CoordinatorTask[];
    retained?: number;
    restoredFrom?: CompletedCheckpoint;
    jobId?: string;
    gateway?: Partial<CheckpointGateway>;
  } = {},
) {
  const taskList = typeof options.tasks === 'object' ? options.tasks : Array.from({ length: options.tasks ?? 2 }, (_, subtaskIndex) => ({ vertexId: 0, subtaskIndex }));
  const forward = options.gateway ?? {};
  const triggered: CheckpointBarrier[] = [];
  const completedNotices: number[] = [];
  const abortedNotices: number[] = [];
  const completed: CheckpointStats[] = [];
  const aborted: CheckpointStats[] = [];
  const gateway: CheckpointGateway = {
    triggerCheckpoint: (b) => {
      triggered.push(b);
      forward.triggerCheckpoint?.(b);
    },
    triggerFinalCheckpoint: (b) => {
      triggered.push(b);
      forward.triggerFinalCheckpoint?.(b);
    },
    notifyCheckpointComplete: (id, isFinal) => {
      completedNotices.push(id);
      forward.notifyCheckpointComplete?.(id, isFinal);
    },
    notifyCheckpointAborted: (id) => {
      abortedNotices.push(id);
      forward.notifyCheckpointAborted?.(id);
    },
    stopSources: () => {},
  };
  const settings: CoordinatorSettings = {
    interval: undefined,
    mode: 'exactly-once',
    timeoutMs: 60_000,
    minPauseMs: 0,
    maxConcurrent: 5,
    tolerableFailures: 100,
    retained: options.retained ?? 1,
  };
  const coordinator = new CheckpointCoordinator(
    options.jobId ?? storage.config.jobId,
    settings,
    storage,
    taskList,
    [{ uid: UID, name: 'Count', parallelism: 2, maxParallelism: 128 }],
    { onFailure: () => {}, onCheckpointCompleted: (s) => completed.push(s), onCheckpointAborted: (s) => aborted.push(s) },
    options.restoredFrom,
  );
  coordinator.attach(gateway);
  const responder: CheckpointResponder = {
    acknowledge: (ack) => coordinator.receiveAck(ack),
    decline: (id, task, reason, failure) => coordinator.receiveDecline(id, task, String(reason), failure),
  };
  return { coordinator, triggered, completedNotices, abortedNotices, completed, aborted, responder };
}

/** The file names in `directory` (none when it does not exist). */
export async function filesIn(directory: string): Promise<string[]> {
  return (await readdir(directory).catch(() => [] as string[])).sort();
}

const backends: FakeIncrementalBackend[] = [];

/** A fake backend whose directory {@link disposeBackends} removes. */
export async function newBackend(options: FakeIncrementalBackendOptions = {}): Promise<FakeIncrementalBackend> {
  const backend = await FakeIncrementalBackend.create(options);
  backends.push(backend);
  return backend;
}

/** Disposes every backend {@link newBackend} created (call after each test). */
export function disposeBackends(): void {
  for (const b of backends.splice(0)) b.dispose();
}

/**
 * A job of one keyed operator {@link UID} at parallelism 2 on fake incremental backends,
 * checkpointed by a real coordinator over `storage`.
 */
export async function newJob(storage: FileSystemCheckpointStorage, options: Parameters<typeof newCoordinator>[1] = {}) {
  const job = newCoordinator(storage, options);
  const b = [0, 1].map((i) => newBackend({ keyGroupRange: keyGroupRangeForOperator(128, 2, i) }));
  const [b0, b1] = [await b[0]!, await b[1]!];
  const tasks = [b0, b1].map((backend, subtaskIndex) => keyedTask(backend, storage, { subtaskIndex, forward: job.responder }));
  /** Triggers a checkpoint, lets every task take it, and waits until it completed or was aborted. */
  const checkpoint = async (): Promise<number> => {
    const id = job.coordinator.triggerCheckpoint()!;
    await Promise.all(tasks.map((t) => t.checkpoint(id)));
    await vi.waitFor(() => expect([...job.completed, ...job.aborted].map((s) => s.checkpointId)).toContain(id));
    // the tasks hear of the completion, as StreamTask tells their backends
    if (job.completedNotices.includes(id)) for (const backend of [b0, b1]) backend.notifyCheckpointComplete(id);
    return id;
  };
  return { ...job, backends: [b0, b1], tasks, checkpoint };
}
