/**
 * The tasks of one thread and what the coordinator can ask of them. Worker threads and
 * the single-thread executor both use it: it loads the state to restore, wires and opens
 * the tasks, connects them to checkpoint storage, and routes checkpoint commands to them.
 */
import type { Logger } from '../core/logging/logger.js';
import type { TaskCheckpointAck } from '../checkpoint/checkpoint-metadata.js';
import { loadTaskRestore } from '../checkpoint/restore/task-restore-loader.js';
import type { TaskRestoreDescriptor } from '../checkpoint/restore/task-restore-descriptor.js';
import type { TaskRestoreState } from '../checkpoint/restore/task-restore-state.js';
import { FileSystemCheckpointStorage } from '../checkpoint/storage/checkpoint-storage.js';
import type { CheckpointStorageConfig } from '../checkpoint/storage/checkpoint-storage.js';
import type { CheckpointBarrier } from '../checkpoint/barrier/checkpoint-barrier.js';
import type { PeerMessage } from '../runtime/io/peer-message.js';
import type { StreamTask } from '../runtime/task/stream-task.js';
import { TaskScheduler } from '../runtime/task/task-scheduler.js';
import { wireThread } from '../runtime/task/task-wiring.js';
import type { ThreadAssignment } from '../runtime/task/task-wiring.js';
import type { StateBackendConfig } from '../state/state-backend-config.js';
import { createKeyedStateBackendFactory } from '../state/state-backend-factory.js';
import type { TaskAddress, TaskMetrics } from './protocol.js';
import { taskFailureError } from './task-failure-report.js';

/** What happens in a thread's tasks that the coordinator must hear about. */
export interface ThreadTaskEvents {
  endOfInput(task: TaskAddress): void;
  finished(metrics: TaskMetrics): void;
  failed(metrics: TaskMetrics, error: Error): void;
  acknowledge(ack: TaskCheckpointAck): void;
  decline(checkpointId: number, task: TaskAddress, reason: string, failure: boolean): void;
}

/** Everything needed to start one thread's tasks. */
export interface ThreadTasksSpec
  extends Pick<
    ThreadAssignment,
    'jobId' | 'jobGraph' | 'slots' | 'slot' | 'attemptNumber' | 'parameters' | 'dataPath' | 'buildGraph' | 'emitToCoordinator' | 'send'
  > {
  readonly checkpointMode: 'exactly-once' | 'at-least-once';
  readonly storage: CheckpointStorageConfig | undefined;
  readonly restore: ReadonlyMap<string, TaskRestoreDescriptor> | undefined;
  /** Where the keyed operators of this thread keep their state. */
  readonly stateBackend: StateBackendConfig;
  readonly events: ThreadTaskEvents;
  /** The thread's logger, with the job and attempt bound. */
  readonly logger: Logger;
}

/** The started tasks of one thread. */
export class ThreadTasks {
  private constructor(
    readonly scheduler: TaskScheduler,
    readonly tasks: readonly StreamTask[],
    readonly receive: (message: PeerMessage) => void,
  ) {}

  /** Loads restore state, wires and opens the tasks. A task that fails to open rejects. */
  static async start(spec: ThreadTasksSpec): Promise<ThreadTasks> {
    const { events } = spec;
    const keyedBackendFactory = await createKeyedStateBackendFactory(spec.stateBackend, { jobId: spec.jobId, attemptNumber: spec.attemptNumber });
    const storage = spec.storage ? new FileSystemCheckpointStorage(spec.storage) : undefined;
    let restore: Map<string, TaskRestoreState> | undefined;
    if (spec.restore) {
      restore = new Map();
      for (const [key, descriptor] of spec.restore) {
        restore.set(key, await loadTaskRestore(descriptor, (dir, handle) => FileSystemCheckpointStorage.readStateFile(dir, handle)));
      }
    }
    const scheduler: TaskScheduler = new TaskScheduler({
      taskFinished: (task) => events.finished(metricsOf(task)),
      taskFailed: (task, error) => events.failed(metricsOf(task), taskFailureError(task, spec.attemptNumber, error)),
    });
    const address = (t: StreamTask): TaskAddress => ({ vertexId: t.vertex.id, subtaskIndex: t.subtaskIndex });
    const wired = wireThread({
      jobId: spec.jobId,
      jobGraph: spec.jobGraph,
      slots: spec.slots,
      slot: spec.slot,
      attemptNumber: spec.attemptNumber,
      parameters: spec.parameters,
      dataPath: spec.dataPath,
      buildGraph: spec.buildGraph,
      keyedBackendFactory,
      emitToCoordinator: spec.emitToCoordinator,
      send: spec.send,
      signal: () => scheduler.signal(),
      restore,
      checkpointing: {
        mode: spec.checkpointMode,
        storage,
        responder: {
          acknowledge: (ack) => events.acknowledge(ack),
          decline: (checkpointId, task, reason, failure) =>
            events.decline(checkpointId, task, reason instanceof Error ? reason.message : String(reason), failure),
        },
      },
      onEndOfInput: (task) => events.endOfInput(address(task)),
      logger: spec.logger,
    });
    for (const task of wired.tasks) {
      try {
        await task.open();
      } catch (error) {
        await Promise.all(wired.tasks.map((t) => t.cancel()));
        throw taskFailureError(task, spec.attemptNumber, error);
      }
      scheduler.add(task);
    }
    return new ThreadTasks(scheduler, wired.tasks, wired.receive);
  }

  /** Runs the tasks until all have finished, one failed, or {@link stop}. */
  run(): Promise<void> {
    return this.scheduler.run();
  }

  triggerCheckpoint(barrier: CheckpointBarrier): void {
    for (const t of this.tasks) if (t.vertex.isSource) t.triggerCheckpoint(barrier);
  }

  triggerFinalCheckpoint(barrier: CheckpointBarrier): void {
    for (const t of this.tasks) t.triggerFinalCheckpoint(barrier);
  }

  notifyCheckpointComplete(checkpointId: number, isFinal: boolean): void {
    for (const t of this.tasks) t.notifyCheckpointComplete(checkpointId, isFinal);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    for (const t of this.tasks) t.notifyCheckpointAborted(checkpointId);
  }

  /** Ends the input of every source task (stop-with-savepoint). */
  stopSources(drain: boolean): void {
    for (const t of this.tasks) if (t.vertex.isSource) t.stopInput(drain);
  }

  /** Counters of every task, for progress reports. */
  metrics(): TaskMetrics[] {
    return this.tasks.map(metricsOf);
  }

  /** Cancels every task that has not ended. */
  stop(): Promise<void> {
    return this.scheduler.stop();
  }
}

function metricsOf(t: StreamTask): TaskMetrics {
  return { vertexId: t.vertex.id, subtaskIndex: t.subtaskIndex, recordsIn: t.counters.recordsIn, recordsOut: t.counters.recordsOut };
}
