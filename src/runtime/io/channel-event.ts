/**
 * Control events that travel in-band with the records of a channel, in order: end of
 * partition, checkpoint barriers, cancellation markers, watermarks and watermark
 * statuses. Being in-band, a watermark stays behind a barrier on a channel that
 * alignment blocks.
 */
import type { CancelCheckpointMarker, CheckpointBarrier } from '../../checkpoint/barrier/checkpoint-barrier.js';
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
