/**
 * What the checkpoint coordinator is given and whom it talks to: its settings, the
 * storage it completes checkpoints and savepoints in, the gateway to the running
 * attempt's tasks, and the listener it reports to. The job master implements them.
 */
import type { CheckpointBarrier } from './barrier/checkpoint-barrier.js';
import type { CheckpointConfig } from './checkpoint-config.js';
import type { CheckpointMetadata } from './checkpoint-metadata.js';
import type { CheckpointScheduler } from './checkpoint-scheduler.js';
import type { CheckpointStats } from './checkpoint-stats.js';
import type { CheckpointError } from '../core/errors.js';
import type { RetainedCheckpointStorage } from './retained-checkpoints.js';
import type { SavepointDirectoryMaker } from './savepoint-preparations.js';

/** The checkpoint settings the coordinator uses. */
export type CoordinatorSettings = Pick<
  CheckpointConfig,
  'interval' | 'mode' | 'timeoutMs' | 'minPauseMs' | 'maxConcurrent' | 'tolerableFailures' | 'retained'
>;

/** The part of checkpoint storage the coordinator uses. */
export interface CoordinatorStorage extends RetainedCheckpointStorage {
  writeMetadata(metadata: CheckpointMetadata): Promise<string>;
}

/** How the coordinator reaches the tasks of the running attempt. */
export interface CheckpointGateway {
  /** Sends barrier n to every source task. */
  triggerCheckpoint(barrier: CheckpointBarrier): void;
  /** Asks every task for its final snapshot (no barrier flows: all input has ended). */
  triggerFinalCheckpoint(barrier: CheckpointBarrier): void;
  notifyCheckpointComplete(checkpointId: number, isFinal: boolean): void;
  notifyCheckpointAborted(checkpointId: number): void;
  /**
   * Ends every source's input now (stop-with-savepoint). With `drain` the operators
   * finish as at the end of a bounded input; without it they end as they are.
   */
  stopSources(drain: boolean): void;
}

/** Where savepoints are completed (the coordinator side of savepoint storage). */
export interface SavepointStorage extends SavepointDirectoryMaker {
  /** A new directory under `parent` for one savepoint (absolute); it is created with `prepareDirectory`. */
  newDirectory(parent: string): string;
  writeMetadata(directory: string, metadata: CheckpointMetadata): Promise<void>;
  /**
   * Removes what a savepoint that failed wrote: never one with a `_metadata`, unless
   * `reportedFailed` (it was aborted, and its requester told so, while `_metadata` was written).
   */
  discardFailed(directory: string, reportedFailed?: boolean): Promise<void>;
}

/** A task of the job, as the coordinator counts acknowledgements. */
export interface CoordinatorTask {
  readonly vertexId: number;
  readonly subtaskIndex: number;
}

/** An operator of the job, as the metadata names it. */
export interface CoordinatorOperator {
  readonly uid: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
}

/** What the coordinator tells the job master. */
export interface CoordinatorListener {
  /** More checkpoints failed in a row than tolerated, or the final checkpoint failed: fail the attempt. */
  onFailure(error: CheckpointError): void;
  onCheckpointCompleted?(stats: CheckpointStats): void;
  onCheckpointAborted?(stats: CheckpointStats): void;
  /** A deletion of checkpoint or savepoint files failed (files stay behind; no checkpoint is affected): log it. */
  onCleanupFailed?(what: string, error: unknown): void;
}

/** How the coordinator keeps time, and the savepoints' own limit. */
export interface CoordinatorOptions {
  /** @default SYSTEM_CHECKPOINT_SCHEDULER */
  readonly scheduler?: CheckpointScheduler;
  /**
   * How long creating a savepoint's directory may take before the savepoint fails (never
   * longer than the checkpoint timeout).
   * @default 30_000
   */
  readonly savepointDirectoryTimeoutMs?: number;
}

/** Default of {@link CoordinatorOptions.savepointDirectoryTimeoutMs}. */
export const SAVEPOINT_DIRECTORY_TIMEOUT_MS = 30_000;
