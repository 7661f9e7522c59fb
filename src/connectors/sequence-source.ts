/**
 * The integers from..to (inclusive), split evenly across the parallel instances: instance
 * i of p reads a contiguous run, the first `count % p` instances one number more. The
 * position is the next number to emit, so a restored reader continues exactly there.
 */
import type { PollStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from '../runtime/source.js';

/** A bounded source of consecutive integers. */
export class SequenceSource implements Source<number> {
  readonly boundedness = 'bounded' as const;

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
    return new SequenceReader(start, end);
  }
}

class SequenceReader implements SourceReader<number> {
  constructor(
    private next: number,
    private readonly end: number,
  ) {}

  poll(out: SourceOutput<number>, maxRecords: number): PollStatus {
    const stop = Math.min(this.end, this.next + maxRecords - 1);
    for (let n = this.next; n <= stop; n++) out.collect(n);
    this.next = stop + 1;
    return this.next > this.end ? 'end' : 'more';
  }

  snapshotPosition(): unknown {
    return { next: this.next, end: this.end };
  }

  restorePosition(position: unknown): void {
    this.next = (position as { next: number }).next;
  }
}
