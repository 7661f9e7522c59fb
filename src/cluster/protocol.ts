/**
 * Messages between the coordinator (main thread) and its worker threads. Every message
 * has a `type`; the worker answers `deploy` with `ready`, runs after `start`, reports each
 * task's end of input and end, and takes part in checkpoints. `deploy` and `cancel` are
 * requests: they carry a `requestId` that the answer (`ready`, `canceled`) repeats, and
 * when a worker dies before answering, the request is rejected with a
 * `WorkerExitedError` (worker-connection.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import type { TaskCheckpointAck } from '../checkpoint/checkpoint-metadata.js';
import type { TaskRestoreDescriptor } from '../checkpoint/restore/task-restore-descriptor.js';
import type { CheckpointStorageConfig } from '../checkpoint/storage/checkpoint-storage.js';
import type { WireError } from '../core/errors.js';
import type { JobGraph, PlanOptions } from '../runtime/graph/job-graph.js';
import type { CheckpointBarrier } from '../checkpoint/barrier/checkpoint-barrier.js';
import type { DataPathOptions } from '../runtime/task/task-wiring.js';
import type { StateBackendConfig } from '../state/state-backend-config.js';

/** Everything a worker needs to build and wire its tasks. */
export interface WorkerDeployment {
  readonly jobId: string;
  readonly jobModuleUrl: string;
  readonly parameters: readonly (readonly [string, string])[];
  readonly planOptions: PlanOptions;
  readonly jobGraph: JobGraph;
  readonly slots: number;
  readonly slot: number;
  readonly attemptNumber: number;
  readonly dataPath: DataPathOptions;
  readonly checkpointMode: 'exactly-once' | 'at-least-once';
  /** Where tasks write state files; undefined when checkpointing is off. */
  readonly storage: CheckpointStorageConfig | undefined;
  /** Restore descriptors of this worker's tasks, by `${vertexId}:${subtaskIndex}`. */
  readonly restore: readonly (readonly [string, TaskRestoreDescriptor])[] | undefined;
  /** The keyed state backend of the worker's tasks (plain data). */
  readonly stateBackend: StateBackendConfig;
  /** How often (ms) to report counters. */
  readonly metricsIntervalMs: number;
  /** Least severe level the worker's logger sends (the main thread's logger decides the rest). */
  readonly logLevel: string;
}

/** Addresses one task. */
export interface TaskAddress {
  readonly vertexId: number;
  readonly subtaskIndex: number;
}

/** Coordinator → worker. */
export type ToWorker =
  | {
      readonly type: 'deploy';
      readonly requestId: number;
      readonly deployment: WorkerDeployment;
      readonly peers: readonly (MessagePort | undefined)[];
    }
  | { readonly type: 'start' }
  /**
   * Cancel every task as the single-thread attempt does (operators' `close()`, keyed
   * backends disposed) and answer `canceled`. The thread is then ready for another
   * deployment (see {@link WorkerPool}), or is ended by the coordinator.
   */
  | { readonly type: 'cancel'; readonly requestId: number }
  | { readonly type: 'trigger-checkpoint'; readonly barrier: CheckpointBarrier }
  | { readonly type: 'trigger-final-checkpoint'; readonly barrier: CheckpointBarrier }
  | { readonly type: 'checkpoint-complete'; readonly checkpointId: number; readonly isFinal: boolean }
  | { readonly type: 'checkpoint-aborted'; readonly checkpointId: number }
  | { readonly type: 'stop-sources'; readonly drain: boolean };

/** Counters of one task. */
export interface TaskMetrics {
  readonly vertexId: number;
  readonly subtaskIndex: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

/** Worker → coordinator. */
export type FromWorker =
  | { readonly type: 'ready'; readonly requestId: number }
  | { readonly type: 'task-end-of-input'; readonly task: TaskAddress }
  | { readonly type: 'task-finished'; readonly metrics: TaskMetrics }
  | { readonly type: 'task-failed'; readonly metrics: TaskMetrics; readonly error: WireError }
  | { readonly type: 'checkpoint-ack'; readonly ack: TaskCheckpointAck }
  | {
      readonly type: 'checkpoint-declined';
      readonly checkpointId: number;
      readonly task: TaskAddress;
      readonly reason: string;
      /** False when the task merely could not take part (see CheckpointResponder.decline). */
      readonly failure: boolean;
    }
  | { readonly type: 'collect'; readonly channel: string; readonly records: unknown[] }
  | { readonly type: 'metrics'; readonly tasks: readonly TaskMetrics[] }
  | { readonly type: 'worker-failed'; readonly error: WireError }
  /** A record of the worker's logger as a JSON line; the main thread logs it through the run's logger. */
  | { readonly type: 'log'; readonly line: string }
  /**
   * The tasks are closed. `reusable`: nothing the attempt started is still pending in the
   * thread (no timer, socket or file operation user code left behind), so another
   * deployment may use it.
   */
  | { readonly type: 'canceled'; readonly requestId: number; readonly reusable: boolean };

/** The requests, and the answer each waits for. */
export type WorkerRequest = Extract<ToWorker, { readonly requestId: number }>;
/** The answers to {@link WorkerRequest}s. */
export type WorkerAnswer = Extract<FromWorker, { readonly requestId: number }>;
