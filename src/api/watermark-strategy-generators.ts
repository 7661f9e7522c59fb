/**
 * The watermark generators behind {@link WatermarkStrategy}'s factories, after Flink's:
 * bounded out-of-orderness (monotonous timestamps are its case 0), none, and the
 * idleness wrapper.
 */
import type { WatermarkGenerator, WatermarkOutput } from '../runtime/time/watermark-generator.js';

/**
 * Watermarks that trail the highest timestamp seen by `outOfOrdernessMs` (Flink's
 * BoundedOutOfOrdernessWatermarks): every periodic emission emits
 * `maxTimestamp - outOfOrdernessMs - 1`, so a record may arrive up to `outOfOrdernessMs`
 * later than a record with a higher timestamp without being late. Nothing is emitted
 * before the first record.
 */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp = Number.NEGATIVE_INFINITY;

  constructor(private readonly outOfOrdernessMs: number) {}

  onEvent(_event: T, timestamp: number): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.maxTimestamp === Number.NEGATIVE_INFINITY) return;
    output.emitWatermark(this.maxTimestamp - this.outOfOrdernessMs - 1);
  }
}

/** Emits no watermarks (event time then advances only at the end of input). */
export class NoWatermarksGenerator<T> implements WatermarkGenerator<T> {
  onEvent(): void {}
  onPeriodicEmit(): void {}
}

/**
 * Marks the output idle when no record came for `idleTimeoutMs` of processing time, and
 * active again with the next record (Flink's WatermarksWithIdleness). Idleness is
 * checked at each periodic emission, so it is noticed up to one interval late.
 */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private events = 0;
  private eventsAtLastCheck = 0;
  private lastActivity: number;
  private idle = false;

  constructor(
    private readonly inner: WatermarkGenerator<T>,
    private readonly idleTimeoutMs: number,
    private readonly now: () => number,
  ) {
    this.lastActivity = now();
  }

  onEvent(event: T, timestamp: number, output: WatermarkOutput): void {
    this.events++;
    if (this.idle) {
      this.idle = false;
      output.markActive();
    }
    this.inner.onEvent(event, timestamp, output);
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    const now = this.now();
    if (this.events !== this.eventsAtLastCheck) {
      this.eventsAtLastCheck = this.events;
      this.lastActivity = now;
    } else if (!this.idle && now - this.lastActivity >= this.idleTimeoutMs) {
      this.idle = true;
      output.markIdle();
    }
    if (!this.idle) this.inner.onPeriodicEmit(output);
  }
}
