/**
 * Turns the watermarks and watermark statuses of a task's input channels into the
 * task's own (after Flink's StatusWatermarkValve). Per channel it keeps the highest
 * watermark received and whether the channel is idle or has ended:
 *
 * - the task's watermark is the minimum over the channels that are active and have not
 *   ended, and it only ever increases (a smaller minimum emits nothing);
 * - a watermark that arrives on an idle channel is ignored (a producer marks its output
 *   active before it emits again);
 * - the task is idle when every channel that has not ended is idle; it is active again
 *   as soon as one of them is;
 * - an ended channel no longer holds the watermark back.
 */
import { MIN_WATERMARK } from './watermark.js';
import type { WatermarkStatus } from './watermark.js';

/** Where the valve sends the task's watermark and status when they change. */
export interface ValveOutput {
  emitWatermark(watermark: number): void;
  emitWatermarkStatus(status: WatermarkStatus): void;
}

/** Combines the watermarks of a task's input channels. */
export class StatusWatermarkValve {
  private readonly watermarks: Float64Array;
  private readonly idle: boolean[];
  private readonly ended: boolean[];
  private lastWatermark = MIN_WATERMARK;
  private status: WatermarkStatus = 'active';

  constructor(
    channelCount: number,
    private readonly output: ValveOutput,
  ) {
    this.watermarks = new Float64Array(channelCount).fill(MIN_WATERMARK);
    this.idle = new Array<boolean>(channelCount).fill(false);
    this.ended = new Array<boolean>(channelCount).fill(false);
  }

  /** The task's watermark so far. */
  get currentWatermark(): number {
    return this.lastWatermark;
  }

  get currentStatus(): WatermarkStatus {
    return this.status;
  }

  /** A watermark arrived on `channel`. */
  inputWatermark(channel: number, watermark: number): void {
    if (this.ended[channel] || this.idle[channel] || watermark <= this.watermarks[channel]!) return;
    this.watermarks[channel] = watermark;
    this.advance();
  }

  /** A watermark status arrived on `channel`. */
  inputWatermarkStatus(channel: number, status: WatermarkStatus): void {
    if (this.ended[channel] || this.idle[channel] === (status === 'idle')) return;
    this.idle[channel] = status === 'idle';
    if (status === 'active') {
      this.setStatus('active');
      this.advance();
    } else {
      this.advance();
      if (this.allIdle()) this.setStatus('idle');
    }
  }

  /** `channel` delivered end-of-partition: it no longer holds the watermark back. */
  channelEnded(channel: number): void {
    if (this.ended[channel]) return;
    this.ended[channel] = true;
    this.advance();
    if (this.allIdle()) this.setStatus('idle');
  }

  /** Emits the minimum over active, open channels when it is higher than the last watermark. */
  private advance(): void {
    let min = Number.POSITIVE_INFINITY;
    let any = false;
    for (let c = 0; c < this.watermarks.length; c++) {
      if (this.idle[c] || this.ended[c]) continue;
      any = true;
      const w = this.watermarks[c]!;
      if (w < min) min = w;
    }
    if (!any || min <= this.lastWatermark) return;
    this.lastWatermark = min;
    this.output.emitWatermark(min);
  }

  /** True when at least one channel is open and every open channel is idle. */
  private allIdle(): boolean {
    let open = false;
    for (let c = 0; c < this.idle.length; c++) {
      if (this.ended[c]) continue;
      if (!this.idle[c]) return false;
      open = true;
    }
    return open;
  }

  private setStatus(status: WatermarkStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.output.emitWatermarkStatus(status);
  }
}
