/**
 * The consumer side of a task: one input channel per (edge, producer subtask). Each
 * channel queues the buffers its producer sent; consuming a buffer of records returns
 * one credit to the producer. The gate hands out buffers round-robin over channels that
 * have data and are not blocked (blocking is how aligned checkpoints will hold a channel
 * back), and remembers which channels have ended.
 */
import type { ChannelEvent } from './channel-event.js';
import type { BatchTimestamps } from './channel-writer.js';

/**
 * What arrives on a channel: a batch of records (maybe still encoded) or an event. A
 * batch has `timestamps` (NaN = none) when any of its records has a timestamp.
 */
export type ChannelItem =
  | { readonly kind: 'records'; readonly records: unknown[]; readonly timestamps?: BatchTimestamps | undefined }
  | { readonly kind: 'encoded'; readonly bytes: Uint8Array; readonly timestamps?: BatchTimestamps | undefined }
  | { readonly kind: 'event'; readonly event: ChannelEvent };

/** What {@link InputGate.poll} hands out. */
export interface PolledItem {
  readonly channelIndex: number;
  readonly item: ChannelItem;
}

/** One input channel. */
export class InputChannel {
  private queue: ChannelItem[] = [];
  private head = 0;
  ended = false;
  blocked = false;

  constructor(
    readonly index: number,
    /** Which edge of the job graph this channel belongs to. */
    readonly edgeId: number,
    /** The producer's subtask index. */
    readonly producerSubtask: number,
    private readonly gate: InputGate,
    /** Gives credits back to the producer. */
    readonly returnCredits: (n: number) => void,
  ) {}

  /** Called by the transport when an item arrives. */
  push(item: ChannelItem): void {
    this.queue.push(item);
    if (this.queue.length - this.head === 1) this.gate.channelHasData(this);
  }

  get hasData(): boolean {
    return this.head < this.queue.length;
  }

  take(): ChannelItem | undefined {
    if (this.head >= this.queue.length) return undefined;
    const item = this.queue[this.head++]!;
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  get queuedItems(): number {
    return this.queue.length - this.head;
  }
}

/** All input channels of one task. */
export class InputGate {
  readonly channels: InputChannel[] = [];
  private readonly ready: InputChannel[] = [];
  private endedCount = 0;

  constructor(private readonly onData: () => void) {}

  /** Adds a channel; the index is its position. */
  addChannel(edgeId: number, producerSubtask: number, returnCredits: (n: number) => void): InputChannel {
    const channel = new InputChannel(this.channels.length, edgeId, producerSubtask, this, returnCredits);
    this.channels.push(channel);
    return channel;
  }

  /** @internal called by a channel that went from empty to non-empty. */
  channelHasData(channel: InputChannel): void {
    if (!channel.blocked) this.ready.push(channel);
    this.onData();
  }

  /** The next item of the next channel with data, or undefined when none is ready. */
  poll(): PolledItem | undefined {
    while (this.ready.length > 0) {
      const channel = this.ready.shift()!;
      if (channel.blocked) continue;
      const item = channel.take();
      if (item === undefined) continue;
      if (channel.hasData) this.ready.push(channel);
      return { channelIndex: channel.index, item };
    }
    return undefined;
  }

  /** Stops handing out a channel's items until {@link unblock}. */
  block(channelIndex: number): void {
    this.channels[channelIndex]!.blocked = true;
  }

  unblock(channelIndex: number): void {
    const channel = this.channels[channelIndex]!;
    if (!channel.blocked) return;
    channel.blocked = false;
    if (channel.hasData && !this.ready.includes(channel)) this.ready.push(channel);
  }

  /** Records that a channel delivered end-of-partition. */
  markEnded(channelIndex: number): void {
    const channel = this.channels[channelIndex]!;
    if (channel.ended) return;
    channel.ended = true;
    this.endedCount++;
  }

  /** True when every channel has ended. */
  get allEnded(): boolean {
    return this.endedCount === this.channels.length;
  }
}
