/**
 * Control events that travel in-band with the records of a channel, in order. Later
 * issues add checkpoint barriers, cancellation markers and watermarks here.
 */

/** The producer of a channel has emitted its last record. */
export interface EndOfPartitionEvent {
  readonly type: 'end-of-partition';
}

/** Any in-band control event. */
export type ChannelEvent = EndOfPartitionEvent;

/** The one end-of-partition event (events are immutable). */
export const END_OF_PARTITION: EndOfPartitionEvent = Object.freeze({ type: 'end-of-partition' });

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
