/**
 * WatermarkStrategy: how a stream gets its event time (Flink's WatermarkStrategy, in
 * milliseconds). A strategy is a watermark generator factory plus an optional timestamp
 * assigner and idleness timeout; it is applied in a source (`env.fromSource(source,
 * name, strategy)`) or by an operator (`stream.assignTimestampsAndWatermarks(strategy)`).
 * docs/TIME.md gives the exact semantics.
 *
 * ```ts
 * env.fromSource(source, 'clicks', WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000)
 *   .withTimestampAssigner((click) => click.time)
 *   .withIdleness(60_000));
 * ```
 */
import { JobDefinitionError } from '../core/errors.js';
import type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkGeneratorContext,
  WatermarkStrategySpec,
} from '../runtime/time/watermark-generator.js';
import { BoundedOutOfOrdernessWatermarks, NoWatermarksGenerator, WatermarksWithIdleness } from './watermark-strategy-generators.js';

export type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkGeneratorContext,
  WatermarkOutput,
} from '../runtime/time/watermark-generator.js';

/** Makes one {@link WatermarkGenerator} per parallel instance. */
export type WatermarkGeneratorSupplier<T> = (context: WatermarkGeneratorContext) => WatermarkGenerator<T>;

/** How records get timestamps and how watermarks are generated. Immutable: `with…` return a new strategy. */
export class WatermarkStrategy<T> implements WatermarkStrategySpec<T> {
  private constructor(
    private readonly supplier: WatermarkGeneratorSupplier<T>,
    private readonly assigner: TimestampAssigner<T> | undefined,
    private readonly idleTimeoutMs: number | undefined,
  ) {}

  /**
   * Watermarks that trail the highest timestamp seen so far by `maxOutOfOrdernessMs`:
   * each periodic emission emits `maxTimestamp - maxOutOfOrdernessMs - 1` (as Flink), so
   * records up to `maxOutOfOrdernessMs` out of order are not late.
   */
  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    requireDuration('forBoundedOutOfOrderness', maxOutOfOrdernessMs, 0);
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs), undefined, undefined);
  }

  /**
   * For timestamps that never decrease within a parallel instance: the watermark is the
   * highest timestamp seen minus 1 (bounded out-of-orderness of 0).
   */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(0), undefined, undefined);
  }

  /** No watermarks: event time stays at its start until the end of input (for processing-time jobs). */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarksGenerator<T>(), undefined, undefined);
  }

  /** A strategy with a generator of your own (punctuated or periodic). */
  static forGenerator<T>(supplier: WatermarkGeneratorSupplier<T>): WatermarkStrategy<T> {
    if (typeof supplier !== 'function') throw new JobDefinitionError('WatermarkStrategy.forGenerator() needs a function that returns a WatermarkGenerator');
    return new WatermarkStrategy<T>(supplier, undefined, undefined);
  }

  /**
   * Takes each record's timestamp from `assigner(event, recordTimestamp)`, where
   * `recordTimestamp` is the timestamp the record already has (from its source), if any.
   * Without an assigner records keep the timestamp they have.
   */
  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    if (typeof assigner !== 'function') throw new JobDefinitionError('withTimestampAssigner() needs a function (event, recordTimestamp) => number');
    return new WatermarkStrategy<T>(this.supplier, assigner, this.idleTimeoutMs);
  }

  /**
   * Marks a parallel instance idle when it has had no record for `idleTimeoutMs` of
   * processing time (checked at each periodic emission), so the tasks downstream stop
   * waiting for its watermark; its next record makes it active again.
   */
  withIdleness(idleTimeoutMs: number): WatermarkStrategy<T> {
    requireDuration('withIdleness', idleTimeoutMs, 1);
    return new WatermarkStrategy<T>(this.supplier, this.assigner, idleTimeoutMs);
  }

  /** @internal a fresh generator for one parallel instance. */
  createWatermarkGenerator(context: WatermarkGeneratorContext): WatermarkGenerator<T> {
    const generator = this.supplier(context);
    if (this.idleTimeoutMs === undefined) return generator;
    return new WatermarksWithIdleness(generator, this.idleTimeoutMs, () => context.currentProcessingTime());
  }

  /** @internal */
  createTimestampAssigner(): TimestampAssigner<T> | undefined {
    return this.assigner;
  }
}

function requireDuration(call: string, ms: number, min: number): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < min) {
    throw new JobDefinitionError(`${call}(${String(ms)}): expected a number of milliseconds >= ${min}`);
  }
}
