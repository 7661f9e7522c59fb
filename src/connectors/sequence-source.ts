/**
 * The integers from..to (inclusive), split evenly across the parallel instances: instance
 * i of p reads a contiguous run, the first `count % p` instances one number more. The
 * source is splittable: a reader's position is the list of ranges it still has to read,
 * each with its next number, so a restored reader continues exactly there, and a restore
 * at another parallelism deals the ranges out to the new readers.
 */
import { RestoreError } from '../core/errors.js';
import type { PollStatus, Source, SourceOutput, SourceReader, SourceReaderContext, SplitPosition } from '../runtime/source.js';

/**
 * One split of a {@link SequenceSource}: the numbers `next..end` (inclusive) are still to
 * be read. It is empty when `next > end`.
 */
export interface SequenceSplit {
  readonly next: number;
  readonly end: number;
}

/** A bounded source of consecutive integers. */
export class SequenceSource implements Source<number> {
  readonly boundedness = 'bounded' as const;
  readonly splittable = true;

  constructor(
    readonly from: number,
    readonly to: number,
  ) {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
      throw new TypeError(`fromSequence(${from}, ${to}): both ends must be safe integers`);
    }
  }

  createReader(ctx: SourceReaderContext): SourceReader<number> {
    const count = Math.max(0, this.to - this.from + 1);
    const base = Math.floor(count / ctx.parallelism);
    const extra = count % ctx.parallelism;
    const i = ctx.subtaskIndex;
    const start = this.from + i * base + Math.min(i, extra);
    const end = start + base + (i < extra ? 1 : 0) - 1;
    return new SequenceReader([{ next: start, end }]);
  }
}

class SequenceReader implements SourceReader<number> {
  /** The ranges still to read, in order; the first is the current one. None is empty. */
  private ranges: SequenceSplit[];

  constructor(ranges: readonly SequenceSplit[]) {
    this.ranges = nonEmpty(ranges);
  }

  poll(out: SourceOutput<number>, maxRecords: number): PollStatus {
    let left = maxRecords;
    while (left > 0 && this.ranges.length > 0) {
      const { next, end } = this.ranges[0]!;
      const stop = Math.min(end, next + left - 1);
      for (let n = next; n <= stop; n++) out.collect(n);
      left -= stop - next + 1;
      if (stop >= end) this.ranges.shift();
      else this.ranges[0] = { next: stop + 1, end };
    }
    return this.ranges.length === 0 ? 'end' : 'more';
  }

  snapshotPosition(): SplitPosition<SequenceSplit> {
    return this.ranges.map((r) => ({ next: r.next, end: r.end }));
  }

  restorePosition(position: unknown): void {
    // `{ next, end }` alone is the position written before the source became splittable
    const splits = Array.isArray(position) ? (position as unknown[]) : [position];
    this.ranges = nonEmpty(splits.map(toSplit));
  }
}

function nonEmpty(ranges: readonly SequenceSplit[]): SequenceSplit[] {
  return ranges.filter((r) => r.next <= r.end).map((r) => ({ next: r.next, end: r.end }));
}

function toSplit(value: unknown): SequenceSplit {
  const split = value as Partial<SequenceSplit> | null;
  if (split === null || typeof split !== 'object' || !Number.isSafeInteger(split.next) || !Number.isSafeInteger(split.end)) {
    throw new RestoreError(`sequence source: cannot restore from position ${JSON.stringify(value)}; expected ranges { next, end } of safe integers`);
  }
  return { next: split.next!, end: split.end! };
}
