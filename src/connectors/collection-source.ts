/**
 * A fixed list of records, emitted in order by a single (non-parallel) instance, as
 * Flink's fromCollection. The position is the index of the next item.
 */
import type { PollStatus, Source, SourceOutput, SourceReader } from '../runtime/source.js';

/** A bounded, non-parallel source of the given items. */
export class CollectionSource<T> implements Source<T> {
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;

  constructor(private readonly items: readonly T[]) {}

  createReader(): SourceReader<T> {
    const items = this.items;
    let next = 0;
    return {
      poll(out: SourceOutput<T>, maxRecords: number): PollStatus {
        const stop = Math.min(items.length, next + maxRecords);
        for (; next < stop; next++) out.collect(items[next]!);
        return next >= items.length ? 'end' : 'more';
      },
      snapshotPosition: () => next,
      restorePosition: (position: unknown) => {
        next = position as number;
      },
    };
  }
}
