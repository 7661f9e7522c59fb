/**
 * The contracts of watermark generation (Flink's WatermarkGenerator, WatermarkOutput and
 * TimestampAssigner). The user-facing `WatermarkStrategy` (src/api/) builds on them; the
 * runtime drives them in source tasks and in the timestamps-and-watermarks operator.
 */

/** Where a {@link WatermarkGenerator} sends what it decides. */
export interface WatermarkOutput {
  /** Emits a watermark; one not higher than the last emitted is ignored. Marks the output active. */
  emitWatermark(watermark: number): void;
  /** The stream is quiet: downstream tasks stop waiting for its watermark until it is active again. */
  markIdle(): void;
  /** The stream takes part in event time again (after {@link markIdle}). */
  markActive(): void;
}

/**
 * Decides watermarks from the records it sees (`onEvent`, for punctuated watermarks) and
 * at regular intervals of processing time (`onPeriodicEmit`, every
 * `env.setAutoWatermarkInterval` ms; 200 by default).
 */
export interface WatermarkGenerator<T> {
  /**
   * Called for every record.
   * @param timestamp the record's event timestamp (after the timestamp assigner), or
   *   -Infinity when it has none
   */
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  /** Called periodically, on processing time. */
  onPeriodicEmit(output: WatermarkOutput): void;
}

/**
 * Gives a record its event timestamp (milliseconds).
 * @param recordTimestamp the timestamp the record already carries (set by its source), if any
 */
export type TimestampAssigner<T> = (event: T, recordTimestamp: number | undefined) => number;

/** What a generator can use when it is created (one generator per parallel instance). */
export interface WatermarkGeneratorContext {
  /** The task's processing time (milliseconds; a test's clock when one is set). */
  currentProcessingTime(): number;
  readonly subtaskIndex: number;
}

/**
 * What the runtime needs of a watermark strategy: a fresh generator per parallel
 * instance and, optionally, a timestamp assigner. `WatermarkStrategy` implements it.
 */
export interface WatermarkStrategySpec<T> {
  createWatermarkGenerator(context: WatermarkGeneratorContext): WatermarkGenerator<T>;
  createTimestampAssigner(): TimestampAssigner<T> | undefined;
}
