/** Statistics of checkpoints (DESIGN §5), kept by the coordinator and shown by `eddy run`. */
import type { TaskCheckpointStats } from './checkpoint-metadata.js';

/** Lifecycle of one checkpoint: pending → completed | aborted. */
export type CheckpointStatus = 'pending' | 'completed' | 'aborted';

/** What is known about one checkpoint. */
export interface CheckpointStats {
  readonly checkpointId: number;
  readonly kind: 'checkpoint' | 'savepoint';
  /** True for the checkpoint taken after every task ended its input. */
  readonly isFinal: boolean;
  readonly status: CheckpointStatus;
  /** Milliseconds since the epoch. */
  readonly triggerTimestamp: number;
  /** From trigger to completion or abort (ms). */
  readonly durationMs: number;
  /** Bytes of state written by all tasks (for incremental keyed snapshots: what they uploaded). */
  readonly stateBytes: number;
  /**
   * Bytes of state the checkpoint holds: {@link stateBytes} plus the shared files of
   * incremental snapshots that earlier checkpoints stored and this one refers to.
   * @default stateBytes
   */
  readonly fullStateBytes?: number;
  /** Bytes persisted as in-flight data (unaligned checkpoints; 0 for aligned ones). */
  readonly persistedInFlightBytes: number;
  /** Why it was aborted. */
  readonly failureReason?: string;
  /** Where the completed checkpoint is (the directory of its `_metadata`). */
  readonly directory?: string;
  readonly tasks: readonly TaskCheckpointStats[];
}

/** Counts over a job's life. */
export interface CheckpointCounts {
  readonly triggered: number;
  readonly completed: number;
  readonly aborted: number;
}
