/**
 * Test job of the window suite, after Flink's EventTimeWindowCheckpointingITCase: one
 * source emits `[key, seq, 1]` with timestamp `seq` for seq 0..perKey-1 over `keys` keys
 * (seq by seq, every key at each seq), with the watermark `seq - lag` after each record;
 * keyed windows sum the seqs per key and window. So every (key, window) has an exact,
 * known sum and count, and must be emitted exactly once however the job fails, is
 * stopped, restored or rescaled.
 *
 * A FailingMap (eddy/testing) after the source throws once, in attempt 0, at the first
 * record with `seq >= failAt`. In attempt 0 the source holds before that record until a
 * checkpoint taken there has completed, so the failure always fires, always after that
 * checkpoint, and the next attempt restores windows in the middle of their contents,
 * whatever the scheduling.
 *
 * Parameters:
 * - `window`: `tumbling` (size) or `sliding` (size, slide) — event time
 * - `fn`: `reduce` (pre-aggregated, with a process function that adds the window),
 *   `aggregate` (same, with an AggregateFunction), or `process` (all elements)
 * - `keys` (100), `perKey` (3000), `size` (1000), `slide` (100), `lag` (1333)
 * - `failAt` (0 = never), `rate` (seqs per ms; 0 = as fast as possible)
 * - `idleAtEnd` (false): the source waits after its last record instead of ending, so the
 *   job can be stopped with a savepoint while windows are open
 * - `phase` (1): copied into every result (a resumed run's collect sink also returns what
 *   its savepoint committed)
 */
import {
  defineJob,
  ProcessWindowFunction,
  RichMapFunction,
  SlidingEventTimeWindows,
  Sinks,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from 'eddy';
import type {
  AggregateFunction,
  CheckpointedFunction,
  CheckpointListener,
  Collector,
  FunctionSnapshotContext,
  PollStatus,
  ProcessWindowContext,
  RuntimeContext,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
  TimeWindow,
} from 'eddy';
import { FailingMap } from 'eddy/testing';

/** `[key, sum of seqs, count]`; a source record is `[key, seq, 1]`. */
export type Tally = [number, number, number];

/** What the job emits per (key, window). */
export interface WindowSum {
  readonly key: number;
  readonly start: number;
  readonly end: number;
  readonly sum: number;
  readonly count: number;
  readonly phase: number;
}

/**
 * Where the source holds in attempt 0 (`failAt`). Source readers hear of no checkpoint, so
 * the {@link FailAfterCheckpoint} map chained behind the source (same task) opens it. A
 * reader makes a fresh one when it is created, so one of an earlier run is never used.
 */
let gate: { reached: boolean; coveringCheckpoint: number | undefined; open: boolean } | undefined;

/**
 * `[key, seq, 1]` for seq 0..perKey-1, every key at each seq, with timestamp seq; not
 * splittable. In attempt 0, holds before the first record of seq `holdAt` until the gate opens.
 */
class KeyedSeqSource implements Source<Tally> {
  readonly maxParallelism = 1;
  readonly boundedness: 'bounded' | 'unbounded';

  constructor(
    private readonly keys: number,
    private readonly perKey: number,
    private readonly rate: number,
    private readonly idleAtEnd: boolean,
    private readonly holdAt: number,
  ) {
    this.boundedness = idleAtEnd ? 'unbounded' : 'bounded';
  }

  createReader(ctx: SourceReaderContext): SourceReader<Tally> {
    const { keys, perKey, rate, idleAtEnd } = this;
    const total = keys * perKey;
    const hold = this.holdAt > 0 && ctx.attemptNumber === 0 ? this.holdAt * keys : undefined;
    const here = { reached: false, coveringCheckpoint: undefined, open: false };
    gate = here;
    let next = 0;
    let started: number | undefined;
    let emittedHere = 0;
    return {
      poll(out: SourceOutput<Tally>, maxRecords: number): PollStatus {
        if (next >= total) return idleAtEnd ? 'idle' : 'end';
        if (next === hold && !here.open) {
          here.reached = true;
          return 'idle';
        }
        let allowed = hold !== undefined && next < hold ? Math.min(maxRecords, hold - next) : maxRecords;
        if (rate > 0) {
          started ??= Date.now();
          allowed = Math.min(allowed, Math.floor((Date.now() - started + 1) * rate * keys) - emittedHere);
          if (allowed <= 0) return 'idle';
        }
        const from = next;
        const stop = Math.min(total, next + allowed);
        for (; next < stop; next++) {
          const seq = Math.floor(next / keys);
          out.collect([next % keys, seq, 1], seq);
        }
        emittedHere += next - from;
        return next >= total && !idleAtEnd ? 'end' : 'more';
      },
      snapshotPosition: () => next,
      restorePosition(position: unknown) {
        next = position as number;
      },
    };
  }
}

/**
 * Fails once (attempt 0), at the first record with `seq >= failAt`, which the source sends
 * only after a checkpoint taken while it held there completed (this map opens its gate).
 */
class FailAfterCheckpoint extends RichMapFunction<Tally, Tally> implements CheckpointedFunction, CheckpointListener {
  private readonly inner = new FailingMap<Tally>({ failAtRecord: 1, attempts: [0] });

  constructor(private readonly failAt: number) {
    super();
  }

  override open(ctx: RuntimeContext): void {
    this.inner.open(ctx);
  }

  initializeState(): void {}

  snapshotState(ctx: FunctionSnapshotContext): void {
    if (gate?.reached && gate.coveringCheckpoint === undefined) gate.coveringCheckpoint = ctx.getCheckpointId();
  }

  notifyCheckpointComplete(checkpointId: number): void {
    if (gate?.coveringCheckpoint !== undefined && checkpointId >= gate.coveringCheckpoint) gate.open = true;
  }

  map(record: Tally): Tally {
    return record[1] >= this.failAt ? this.inner.map(record) : record;
  }
}

/** Adds the key and window to a pre-aggregated tally. */
class WithWindow extends ProcessWindowFunction<Tally, WindowSum, number, TimeWindow> {
  constructor(private readonly phase: number) {
    super();
  }
  process(key: number, ctx: ProcessWindowContext<TimeWindow>, tallies: Iterable<Tally>, out: Collector<WindowSum>): void {
    const w = ctx.window();
    for (const [, sum, count] of tallies) out.collect({ key, start: w.start, end: w.end, sum, count, phase: this.phase });
  }
}

/** Sums every element of the window. */
class SumAll extends ProcessWindowFunction<Tally, WindowSum, number, TimeWindow> {
  constructor(private readonly phase: number) {
    super();
  }
  process(key: number, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<Tally>, out: Collector<WindowSum>): void {
    let sum = 0;
    let count = 0;
    for (const [k, seq] of elements) {
      if (k !== key) throw new Error(`window of key ${key} holds a record of key ${k}`);
      sum += seq;
      count += 1;
    }
    const w = ctx.window();
    out.collect({ key, start: w.start, end: w.end, sum, count, phase: this.phase });
  }
}

const sumTally: AggregateFunction<Tally, [number, number, number], Tally> = {
  createAccumulator: () => [0, 0, 0],
  add: ([key, seq, n], [, sum, count]) => [key, sum + seq, count + n],
  getResult: (acc) => acc,
  merge: ([key, s1, c1], [, s2, c2]) => [key, s1 + s2, c1 + c2],
};

export default defineJob((env) => {
  const keys = Number(env.getParameter('keys', '100'));
  const perKey = Number(env.getParameter('perKey', '3000'));
  const size = Number(env.getParameter('size', '1000'));
  const slide = Number(env.getParameter('slide', '100'));
  const lag = Number(env.getParameter('lag', '1333'));
  const failAt = Number(env.getParameter('failAt', '0'));
  const rate = Number(env.getParameter('rate', '0'));
  const idleAtEnd = env.getParameter('idleAtEnd', 'false') === 'true';
  const phase = Number(env.getParameter('phase', '1'));
  const fn = env.getParameter('fn', 'reduce');

  // punctuated: the watermark follows each record, seq - lag
  const strategy = WatermarkStrategy.forGenerator<Tally>(() => ({
    onEvent: (_record, timestamp, output) => output.emitWatermark(timestamp - lag),
    onPeriodicEmit: () => {},
  }));
  let records = env.fromSource(new KeyedSeqSource(keys, perKey, rate, idleAtEnd, failAt), 'keyed-seqs', strategy).uid('source').setParallelism(1);
  if (failAt > 0) records = records.map(new FailAfterCheckpoint(failAt)).uid('fail').setParallelism(1);

  const assigner =
    env.getParameter('window', 'tumbling') === 'sliding' ? SlidingEventTimeWindows.of(size, slide) : TumblingEventTimeWindows.of(size);
  const windowed = records.keyBy((r) => r[0]).window(assigner);
  const sums =
    fn === 'process'
      ? windowed.process(new SumAll(phase))
      : fn === 'aggregate'
        ? windowed.aggregate(sumTally, new WithWindow(phase))
        : windowed.reduce((a: Tally, b: Tally): Tally => [a[0], a[1] + b[1], a[2] + b[2]], new WithWindow(phase));
  sums.uid('windows').sinkTo(Sinks.collect<WindowSum>('windows')).uid('sink');
});
