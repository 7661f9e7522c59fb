/**
 * Test job of the resume and graceful-stop CLI tests: the keyed count over prefixes of
 * prefix-count.ts (`{ prefix, count }` for every record of 0..records+early-1, counted
 * per `n % 40`) into a jsonl sink, with a throttled source so that a run lasts until a
 * test signals it.
 *
 * Parameters:
 * - `records` (20000): the numbers 0..records-1, from the source `numbers`
 * - `rate` (0 = as fast as possible): records per millisecond of each `numbers` subtask
 * - `early` (0): the numbers records..records+early-1 from a second source, `early`,
 *   that reads them at once and ends: its tasks have ended their input long before the
 *   job ends
 * - `hold`: a file; while it exists, every snapshot of the chained `gate` map waits (up
 *   to 60 s), so a test can keep a checkpoint or savepoint from completing
 * - `failSnapshots`: a file; while it exists, every snapshot of `gate` throws
 * - `name`: the job's name (`env.setJobName`), when given
 * - `out`: the jsonl sink's directory
 */
import { existsSync } from 'node:fs';
import { defineJob, RichMapFunction, Sinks } from 'eddy';
import type { CheckpointedFunction, FunctionInitializationContext, PollStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from 'eddy';
import { CountPerPrefix } from './lib/count-per-prefix.js';
import type { PrefixCount } from './lib/count-per-prefix.js';

/** The integers [from, to) split evenly over the readers, at most `rate` per ms per reader. */
class ThrottledRange implements Source<number> {
  readonly boundedness = 'bounded' as const;

  constructor(
    private readonly from: number,
    private readonly to: number,
    private readonly rate: number,
  ) {}

  createReader(ctx: SourceReaderContext): SourceReader<number> {
    const total = this.to - this.from;
    const base = Math.floor(total / ctx.parallelism);
    const extra = total % ctx.parallelism;
    const i = ctx.subtaskIndex;
    const start = this.from + i * base + Math.min(i, extra);
    const end = start + base + (i < extra ? 1 : 0);
    const rate = this.rate;
    let next = start;
    let started: number | undefined;
    let emitted = 0;
    return {
      poll(out: SourceOutput<number>, maxRecords: number): PollStatus {
        if (next >= end) return 'end';
        let allowed = maxRecords;
        if (rate > 0) {
          started ??= Date.now();
          allowed = Math.min(maxRecords, Math.floor((Date.now() - started + 1) * rate) - emitted);
          if (allowed <= 0) return 'idle';
        }
        const stop = Math.min(end, next + allowed);
        emitted += stop - next;
        for (; next < stop; next++) out.collect(next);
        return next >= end ? 'end' : 'more';
      },
      snapshotPosition: () => next,
      restorePosition(position: unknown) {
        next = position as number;
      },
    };
  }
}

/** Passes records on; its snapshots wait while `hold` exists and throw while `failSnapshots` exists. */
class Gate extends RichMapFunction<number, number> implements CheckpointedFunction {
  constructor(
    private readonly hold: string,
    private readonly failSnapshots: string,
  ) {
    super();
  }

  initializeState(_ctx: FunctionInitializationContext): void {}

  snapshotState(): void {
    if (this.failSnapshots && existsSync(this.failSnapshots)) throw new Error(`resume-count: snapshot failed on purpose (${this.failSnapshots} exists)`);
    const deadline = Date.now() + 60_000;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (this.hold && existsSync(this.hold) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 5);
  }

  map(n: number): number {
    return n;
  }
}

export default defineJob((env) => {
  const records = Number(env.getParameter('records', '20000'));
  const rate = Number(env.getParameter('rate', '0'));
  const early = Number(env.getParameter('early', '0'));
  const name = env.getParameter('name', '');
  if (name) env.setJobName(name);
  let numbers = env
    .fromSource(new ThrottledRange(0, records, rate), 'numbers')
    .uid('numbers')
    .map(new Gate(env.getParameter('hold', ''), env.getParameter('failSnapshots', '')))
    .uid('gate');
  if (early > 0) numbers = numbers.union(env.fromSource(new ThrottledRange(records, records + early, 0), 'early').uid('early'));
  numbers
    .keyBy((n) => `prefix-${n % 40}`)
    .process(new CountPerPrefix())
    .uid('count')
    .sinkTo(Sinks.jsonl<PrefixCount>(env.getParameter('out', 'out/resume-count')))
    .uid('sink');
});
