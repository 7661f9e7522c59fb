/**
 * A source together with the watermark strategy it was added with
 * (`env.fromSource(source, name, strategy)`): the source task runs the strategy on the
 * records its reader emits, as Flink's SourceOperator does. It behaves as the source it
 * wraps in every other respect.
 */
import type { Source, SourceReader, SourceReaderContext } from '../source.js';
import type { WatermarkStrategySpec } from './watermark-generator.js';

/** A {@link Source} with event time. */
export class SourceWithWatermarks<T> implements Source<T> {
  /**
   * @param autoWatermarkInterval read when the task starts: the periodic emission interval (ms; 0 = off)
   */
  constructor(
    readonly source: Source<T>,
    readonly strategy: WatermarkStrategySpec<T>,
    readonly autoWatermarkInterval: () => number,
  ) {}

  get boundedness(): 'bounded' | 'unbounded' {
    return this.source.boundedness;
  }

  get maxParallelism(): number | undefined {
    return this.source.maxParallelism;
  }

  get splittable(): boolean | undefined {
    return this.source.splittable;
  }

  createReader(ctx: SourceReaderContext): SourceReader<T> {
    return this.source.createReader(ctx);
  }
}
