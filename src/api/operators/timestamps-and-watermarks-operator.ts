/**
 * The operator behind `assignTimestampsAndWatermarks` (Flink's
 * TimestampsAndWatermarksOperator): it gives every record a timestamp from the strategy's
 * assigner and makes its own watermarks with the strategy's generator. Watermarks and
 * idleness from upstream are dropped, except MAX_WATERMARK at the end of input, which it
 * passes on so event time still ends downstream.
 */
import type { OperatorSetup, Output, StreamOperator } from '../../runtime/operators/stream-operator.js';
import { TimestampsAndWatermarks } from '../../runtime/time/timestamps-and-watermarks.js';
import { MAX_WATERMARK } from '../../runtime/time/watermark.js';
import type { WatermarkStrategySpec } from '../../runtime/time/watermark-generator.js';

export class TimestampsAndWatermarksOperator<T> implements StreamOperator<T, T> {
  private output!: Output<T>;
  private eventTime!: TimestampsAndWatermarks<T>;
  private currentTimestamp!: () => number | undefined;

  /**
   * @param autoWatermarkInterval read at setup: ms between periodic emissions (0 = off)
   */
  constructor(
    private readonly strategy: WatermarkStrategySpec<T>,
    private readonly autoWatermarkInterval: () => number,
  ) {}

  setup(setup: OperatorSetup<T>): void {
    const output = setup.output;
    this.output = output;
    this.currentTimestamp = setup.currentTimestamp;
    this.eventTime = new TimestampsAndWatermarks(
      this.strategy,
      {
        emitWatermark: (watermark) => output.emitWatermark(watermark),
        emitWatermarkStatus: (status) => output.emitWatermarkStatus?.(status),
      },
      setup.processingTimeService,
      this.autoWatermarkInterval(),
      setup.info.subtaskIndex,
    );
  }

  open(): void {
    this.eventTime.startPeriodicEmission();
  }

  processElement(record: T): void {
    this.output.collect(record, this.eventTime.onRecord(record, this.currentTimestamp()));
  }

  processWatermark(watermark: number): void {
    if (watermark === MAX_WATERMARK) this.eventTime.endEventTime();
  }

  processWatermarkStatus(): void {
    // this operator's own strategy decides whether its output is idle
  }

  finish(): void {
    this.eventTime.emitPeriodic();
    this.eventTime.stopPeriodicEmission();
  }

  close(): void {
    this.eventTime.stopPeriodicEmission();
  }
}
