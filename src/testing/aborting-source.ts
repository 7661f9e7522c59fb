/**
 * Fault injection for tests of user jobs: a replayable source of the given items that
 * throws when it reaches a marker item, in chosen attempts only. Non-parallel, so the
 * position of the marker is exact.
 */
import type { PollStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from '../runtime/source.js';
import { CollectionSource } from '../connectors/collection-source.js';
import { InjectedFailure } from './failing-map.js';

/** Where an {@link AbortingSource} aborts. */
export interface AbortingSourceOptions {
  /** Index of the item at which the reader throws, before emitting it. */
  readonly abortAtIndex: number;
  /** Only in these attempts. @default [0] */
  readonly attempts?: readonly number[];
}

/** A bounded source that aborts at a marker. */
export class AbortingSource<T> implements Source<T> {
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;

  constructor(
    private readonly items: readonly T[],
    private readonly options: AbortingSourceOptions,
  ) {}

  createReader(ctx: SourceReaderContext): SourceReader<T> {
    const reader = new CollectionSource(this.items).createReader();
    const armed = (this.options.attempts ?? [0]).includes(ctx.attemptNumber);
    const marker = this.options.abortAtIndex;
    const position = () => reader.snapshotPosition!() as number;
    return {
      poll(out: SourceOutput<T>, maxRecords: number): PollStatus | Promise<PollStatus> {
        if (!armed || position() > marker) return reader.poll(out, maxRecords);
        if (position() === marker) throw new InjectedFailure(`source aborted at item ${marker}`);
        // stop right before the marker, so the next poll aborts there
        return reader.poll(out, Math.min(maxRecords, marker - position()));
      },
      snapshotPosition: () => reader.snapshotPosition!(),
      restorePosition: (p: unknown) => reader.restorePosition!(p),
    };
  }
}
