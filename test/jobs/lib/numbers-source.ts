/**
 * The source of the savepoint, rescaling and timer test jobs: the integers [from, to) in
 * splits of at most `splitSize`, dealt round-robin to the readers, splittable so a
 * restore may change its parallelism; optionally idle (unbounded) after the last record,
 * so a job can be stopped with a savepoint once everything was read.
 */
import type { PollStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from 'eddy';

interface Range {
  next: number;
  readonly end: number; // exclusive
}

/** The integers [from, to) as splits of at most `splitSize`, dealt round-robin; optionally idle (unbounded) after the last. */
export class NumbersSource implements Source<number> {
  readonly splittable = true;
  readonly boundedness: 'bounded' | 'unbounded';

  constructor(
    private readonly from: number,
    private readonly to: number,
    private readonly splitSize: number,
    private readonly idleAtEnd: boolean,
  ) {
    this.boundedness = idleAtEnd ? 'unbounded' : 'bounded';
  }

  createReader(ctx: SourceReaderContext): SourceReader<number> {
    const splits: Range[] = [];
    let index = 0;
    for (let start = this.from; start < this.to; start += this.splitSize, index++) {
      if (index % ctx.parallelism === ctx.subtaskIndex) splits.push({ next: start, end: Math.min(this.to, start + this.splitSize) });
    }
    const idleAtEnd = this.idleAtEnd;
    return {
      poll(out: SourceOutput<number>, maxRecords: number): PollStatus {
        let budget = maxRecords;
        while (budget > 0 && splits.length > 0) {
          const split = splits[0]!;
          const stop = Math.min(split.end, split.next + budget);
          for (let n = split.next; n < stop; n++) out.collect(n);
          budget -= stop - split.next;
          split.next = stop;
          if (split.next >= split.end) splits.shift();
        }
        if (splits.length > 0) return 'more';
        return idleAtEnd ? 'idle' : 'end';
      },
      snapshotPosition: () => splits.map((s) => ({ ...s })),
      restorePosition(position: unknown) {
        splits.length = 0;
        for (const s of position as Range[]) splits.push({ ...s });
      },
    };
  }
}
