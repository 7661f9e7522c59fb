/**
 * One attempt of a job: every task deployed once. The job master starts an attempt,
 * listens to its events, drives its checkpoints through the {@link CheckpointGateway}
 * side, and cancels it when a task fails (then starts the next attempt) or when the job
 * is canceled. Two implementations: worker threads (the local cluster) and the calling
 * thread.
 */
import type { Logger } from '../core/logging/logger.js';
import type { TaskCheckpointAck } from '../checkpoint/checkpoint-metadata.js';
import type { CheckpointGateway } from '../checkpoint/checkpoint-coordinator.js';
import type { TaskRestoreDescriptor } from '../checkpoint/restore/task-restore-descriptor.js';
import type { CheckpointStorageConfig } from '../checkpoint/storage/checkpoint-storage.js';
import type { JobGraph } from '../runtime/graph/job-graph.js';
import type { StateBackendConfig } from '../state/state-backend-config.js';
import type { DataPathOptions } from '../runtime/task/task-wiring.js';
import type { TaskAddress, TaskMetrics } from './protocol.js';

/** What an attempt reports. Any `failed` ends the attempt. */
export interface AttemptEvents {
  endOfInput(task: TaskAddress): void;
  finished(metrics: TaskMetrics): void;
  failed(error: Error): void;
  acknowledge(ack: TaskCheckpointAck): void;
  decline(checkpointId: number, task: TaskAddress, reason: string, failure: boolean): void;
  collect(channel: string, payload: unknown[]): void;
  metrics(metrics: readonly TaskMetrics[]): void;
}

/** What every attempt needs, whatever runs it. */
export interface AttemptSpec {
  readonly jobId: string;
  readonly jobGraph: JobGraph;
  readonly parameters: ReadonlyMap<string, string>;
  readonly attemptNumber: number;
  readonly dataPath: DataPathOptions;
  readonly checkpointMode: 'exactly-once' | 'at-least-once';
  readonly storage: CheckpointStorageConfig | undefined;
  /** Restore descriptors by `${vertexId}:${subtaskIndex}`; undefined for a fresh start. */
  readonly restore: ReadonlyMap<string, TaskRestoreDescriptor> | undefined;
  /** The keyed state backend of every task (validated; checked available at start-up). */
  readonly stateBackend: StateBackendConfig;
  readonly metricsIntervalMs: number;
  /** The job's logger; the attempt adds its number. */
  readonly logger: Logger;
}

/** A started attempt. */
export interface RunningAttempt extends CheckpointGateway {
  /** Lets the deployed tasks run (after the coordinator is attached, so it hears every event). */
  start(): void;
  /** Stops every task of the attempt (their state is dropped; storage is left alone). */
  cancel(): Promise<void>;
}
