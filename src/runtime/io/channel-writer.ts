/**
 * The producer end of one channel. Records are gathered into batches; a full batch is
 * sent when the consumer has granted a credit (one credit = one free buffer on its side),
 * otherwise it waits in the backlog. A non-empty backlog makes the writer unavailable,
 * and a task stops pulling input while any of its writers is unavailable: that is how a
 * slow consumer slows its producers without memory growing.
 *
 * Record timestamps ride beside a batch, not in it: a batch gets a `timestamps` array
 * (one number per record, NaN for a record without one) only once one of its records has
 * a timestamp, so a job without event time carries none.
 */
import type { ChannelEvent } from './channel-event.js';

/** The timestamps of a batch's records, by position; NaN where a record has none. */
export type BatchTimestamps = ArrayLike<number>;

/** Delivers what a writer sends: in-thread by reference, across threads serialized. */
export interface ChannelTransport {
  /** @param timestamps present when at least one record has a timestamp */
  sendRecords(records: unknown[], timestamps?: BatchTimestamps): void;
  sendEvent(event: ChannelEvent): void;
}

type Pending = { records: unknown[]; timestamps: number[] | undefined } | { event: ChannelEvent };

/** Producer end of one channel, with credit-based flow control. */
export class ChannelWriter {
  private batch: unknown[] = [];
  /** The batch's timestamps, from the first record that has one on. */
  private timestamps: number[] | undefined;
  private readonly backlog: Pending[] = [];
  private credits: number;

  constructor(
    private readonly transport: ChannelTransport,
    initialCredits: number,
    private readonly batchSize: number,
    private readonly onAvailable: () => void,
  ) {
    this.credits = initialCredits;
  }

  /** Adds one record (with its timestamp, if any); sends the batch when it is full. */
  write(record: unknown, timestamp?: number): void {
    const n = this.batch.push(record);
    if (this.timestamps !== undefined) this.timestamps.push(timestamp ?? Number.NaN);
    else if (timestamp !== undefined) this.startTimestamps(n - 1, timestamp);
    if (n >= this.batchSize) this.flush();
  }

  /** Sends (or queues) the partial batch. */
  flush(): void {
    if (this.batch.length === 0) return;
    const records = this.batch;
    const timestamps = this.timestamps;
    this.batch = [];
    this.timestamps = undefined;
    if (this.backlog.length === 0 && this.credits > 0) {
      this.credits--;
      this.transport.sendRecords(records, timestamps);
    } else {
      this.backlog.push({ records, timestamps });
    }
  }

  /** The record at `index` is the batch's first with a timestamp. */
  private startTimestamps(index: number, timestamp: number): void {
    const timestamps = new Array<number>(index + 1).fill(Number.NaN);
    timestamps[index] = timestamp;
    this.timestamps = timestamps;
  }

  /** Sends an event after everything written so far. */
  writeEvent(event: ChannelEvent): void {
    this.flush();
    if (this.backlog.length === 0) this.transport.sendEvent(event);
    else this.backlog.push({ event });
  }

  /** The consumer freed `n` buffers. */
  grantCredits(n: number): void {
    this.credits += n;
    const wasBlocked = this.backlog.length > 0;
    while (this.backlog.length > 0) {
      const head = this.backlog[0]!;
      if ('event' in head) {
        this.transport.sendEvent(head.event);
      } else if (this.credits > 0) {
        this.credits--;
        this.transport.sendRecords(head.records, head.timestamps);
      } else {
        break;
      }
      this.backlog.shift();
    }
    if (wasBlocked && this.backlog.length === 0) this.onAvailable();
  }

  /** False while batches wait for credits. */
  get isAvailable(): boolean {
    return this.backlog.length === 0;
  }

  /** Records buffered but not yet handed to the transport (partial batch and backlog). */
  get pendingRecords(): number {
    let n = this.batch.length;
    for (const p of this.backlog) if ('records' in p) n += p.records.length;
    return n;
  }
}
