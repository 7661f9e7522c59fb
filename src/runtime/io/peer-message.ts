/**
 * Messages between the threads that run a job's tasks, on the MessagePort each pair of
 * threads shares. A port delivers in order, so a channel's buffers and events stay in
 * order too.
 */
import type { ChannelEvent } from './channel-event.js';

/** A batch of encoded records for channel (edge, from → to). */
export interface DataMessage {
  readonly type: 'data';
  readonly edge: number;
  readonly from: number;
  readonly to: number;
  readonly bytes: ArrayBuffer;
  /** The records' timestamps (record-codec.ts), when any record of the batch has one. */
  readonly timestamps?: ArrayBuffer;
}

/** An in-band event for channel (edge, from → to). */
export interface EventMessage {
  readonly type: 'event';
  readonly edge: number;
  readonly from: number;
  readonly to: number;
  readonly event: ChannelEvent;
}

/** The consumer of channel (edge, from → to) freed `credits` buffers. */
export interface CreditMessage {
  readonly type: 'credit';
  readonly edge: number;
  readonly from: number;
  readonly to: number;
  readonly credits: number;
}

/** Any message between task threads. */
export type PeerMessage = DataMessage | EventMessage | CreditMessage;

/** Sends a message to the thread that owns `slot`. */
export type PeerSender = (slot: number, message: PeerMessage, transfer?: ArrayBuffer[]) => void;
