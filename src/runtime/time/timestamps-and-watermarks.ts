/**
 * Runs a watermark strategy for one parallel instance: assigns each record its
 * timestamp, feeds the generator, calls its periodic emission on processing time, and
 * keeps what it emits monotonic. Source tasks (for `env.fromSource(…, strategy)`) and the
 * timestamps-and-watermarks operator (`assignTimestampsAndWatermarks`) both use it.
 */
import type { ProcessingTimeService, ScheduledCallback } from './processing-time-service.js';
import { MAX_WATERMARK, MIN_WATERMARK } from './watermark.js';
import type { WatermarkStatus } from './watermark.js';
import type { TimestampAssigner, WatermarkGenerator, WatermarkOutput, WatermarkStrategySpec } from './watermark-generator.js';

/** Where watermarks and status changes go (the rest of the chain). */
export interface WatermarkSink {
  emitWatermark(watermark: number): void;
  emitWatermarkStatus(status: WatermarkStatus): void;
}

/**
 * A {@link WatermarkOutput} that only lets increasing watermarks through and turns
 * `markIdle`/`markActive` into status changes (Flink's WatermarkToDataOutput): a
 * watermark emitted while idle marks the output active first.
 */
export class WatermarkToDataOutput implements WatermarkOutput {
  private max = MIN_WATERMARK;
  private idle = false;

  constructor(private readonly sink: WatermarkSink) {}

  /** The highest watermark emitted so far. */
  get currentWatermark(): number {
    return this.max;
  }

  get isIdle(): boolean {
    return this.idle;
  }

  emitWatermark(watermark: number): void {
    if (!(watermark > this.max)) return;
    this.max = watermark;
    this.markActive();
    this.sink.emitWatermark(watermark);
  }

  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.sink.emitWatermarkStatus('idle');
  }

  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.sink.emitWatermarkStatus('active');
  }
}

/** One parallel instance's timestamps and watermarks. */
export class TimestampsAndWatermarks<T> {
  readonly output: WatermarkToDataOutput;
  private readonly generator: WatermarkGenerator<T>;
  private readonly assigner: TimestampAssigner<T> | undefined;
  private periodic: ScheduledCallback | undefined;
  private stopped = false;

  /**
   * @param intervalMs processing time between two periodic emissions; 0 turns them off
   */
  constructor(
    strategy: WatermarkStrategySpec<T>,
    sink: WatermarkSink,
    private readonly time: ProcessingTimeService,
    private readonly intervalMs: number,
    subtaskIndex: number,
  ) {
    this.output = new WatermarkToDataOutput(sink);
    this.generator = strategy.createWatermarkGenerator({ currentProcessingTime: () => time.getCurrentProcessingTime(), subtaskIndex });
    this.assigner = strategy.createTimestampAssigner();
  }

  /** Assigns `record` its timestamp, tells the generator, and returns the timestamp. */
  onRecord(record: T, recordTimestamp: number | undefined): number | undefined {
    let timestamp = recordTimestamp;
    if (this.assigner) {
      timestamp = this.assigner(record, recordTimestamp);
      if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
        throw new TypeError(`the timestamp assigner returned ${String(timestamp)}; a timestamp is a finite number of milliseconds`);
      }
    }
    this.generator.onEvent(record, timestamp ?? MIN_WATERMARK, this.output);
    return timestamp;
  }

  /** Starts calling the generator's `onPeriodicEmit` every interval. */
  startPeriodicEmission(): void {
    if (this.intervalMs > 0 && !this.stopped) this.schedule();
  }

  /** One periodic emission now (the operator's `finish` does one last). */
  emitPeriodic(): void {
    this.generator.onPeriodicEmit(this.output);
  }

  /** No more periodic emissions. */
  stopPeriodicEmission(): void {
    this.stopped = true;
    this.periodic?.cancel();
    this.periodic = undefined;
  }

  /** End of input: event time ends (the MAX_WATERMARK marks the output active). */
  endEventTime(): void {
    this.stopPeriodicEmission();
    this.output.emitWatermark(MAX_WATERMARK);
  }

  private schedule(): void {
    this.periodic = this.time.registerTimer(this.time.getCurrentProcessingTime() + this.intervalMs, () => {
      if (this.stopped) return;
      this.generator.onPeriodicEmit(this.output);
      this.schedule();
    });
  }
}
