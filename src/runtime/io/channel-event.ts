/**
 * Control events that travel in-band with the records of a channel, in order: end of
 * partition, checkpoint barriers, cancellation markers, watermarks and watermark
 * statuses. Being in-band, a watermark stays behind a barrier on a channel that
 * alignment blocks.
 */
import type { WatermarkStatus } from '../time/watermark.js';

/**
 * The producer of a channel has emitted its last record. `stopped` is set when the input
 * ended because the job is being stopped with a savepoint (without draining): consumers
 * then do not `finish()` their operators, so the savepoint holds their state as it was.
 */
export interface EndOfPartitionEvent {
  readonly type: 'end-of-partition';
  readonly stopped?: true;
}

/** How a checkpoint is taken. */
export interface CheckpointOptions {
  /** `'savepoint'` checkpoints are always aligned and full. */
  readonly kind: 'checkpoint' | 'savepoint';
  /** Exactly-once blocks channels during alignment; at-least-once only counts barriers. */
  readonly mode: 'exactly-once' | 'at-least-once';
  /** Savepoints: the directory the state files go to (absolute); checkpoints use the job's checkpoint storage. */
  readonly targetDirectory?: string;
  /**
   * The latest completed checkpoint the coordinator had told the tasks about when it
   * triggered this one: an incremental backend may refer to that checkpoint's files even
   * if its completion notice has not reached the task yet (it comes by another route),
   * and to no older checkpoint's.
   */
  readonly lastCompletedCheckpointId?: number;
}

/** Checkpoint barrier n: everything before it on a channel belongs to checkpoint n. */
export interface CheckpointBarrier {
  readonly type: 'barrier';
  readonly checkpointId: number;
  /** When the coordinator triggered the checkpoint (ms since the epoch). */
  readonly timestamp: number;
  readonly options: CheckpointOptions;
}

/** Checkpoint n was abandoned upstream; abort it here and pass the marker on. */
export interface CancelCheckpointMarker {
  readonly type: 'cancel-checkpoint';
  readonly checkpointId: number;
}

/** The producer's watermark advanced: it will send no more records with a timestamp ≤ `watermark`. */
export interface WatermarkEvent {
  readonly type: 'watermark';
  /** Milliseconds; +Infinity at the end of input. */
  readonly watermark: number;
}

/** The producer's output became idle (its watermark no longer counts) or active again. */
export interface WatermarkStatusEvent {
  readonly type: 'watermark-status';
  readonly status: WatermarkStatus;
}

/** Any in-band control event. */
export type ChannelEvent = EndOfPartitionEvent | CheckpointBarrier | CancelCheckpointMarker | WatermarkEvent | WatermarkStatusEvent;

/** The one end-of-partition event (events are immutable). */
export const END_OF_PARTITION: EndOfPartitionEvent = Object.freeze({ type: 'end-of-partition' });

/** The end of a partition whose input was stopped for a stop-with-savepoint (no draining). */
export const STOPPED_PARTITION: EndOfPartitionEvent = Object.freeze({ type: 'end-of-partition', stopped: true });

/** Identifies one channel: an edge of the job graph between two subtasks. */
export interface ChannelAddress {
  readonly edgeId: number;
  /** Producer subtask index. */
  readonly from: number;
  /** Consumer subtask index. */
  readonly to: number;
}

/** A stable string form of a {@link ChannelAddress}, for maps. */
export function channelKey(edgeId: number, from: number, to: number): string {
  return `${edgeId}:${from}:${to}`;
}
