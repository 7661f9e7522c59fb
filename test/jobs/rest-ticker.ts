/**
 * Test job of the REST API tests: an unbounded, throttled counter (0, 1, 2, …) counted
 * per key `n % keys` in ValueState, so it runs until it is canceled or stopped, and has
 * state and a source position for savepoints. Every operator has a uid.
 *
 * Parameters: `rate` (records per millisecond, default 0.5), `keys` (8), `out` (a
 * directory for a jsonl sink of `{ key, count }`; without it records are dropped).
 */
import { defineJob, KeyedProcessFunction, Sinks, ValueStateDescriptor } from 'eddy';
import type { Collector, KeyedContext, PollStatus, RuntimeContext, Sink, Source, SourceOutput, SourceReader, ValueState } from 'eddy';

/** What the job emits. */
export interface KeyCount {
  readonly key: number;
  readonly count: number;
}

/** 0, 1, 2, … at most `rate` per millisecond, from one reader; never ends. */
class Ticker implements Source<number> {
  readonly boundedness = 'unbounded' as const;
  readonly maxParallelism = 1;

  constructor(private readonly rate: number) {}

  createReader(): SourceReader<number> {
    const rate = this.rate;
    let next = 0;
    let started: number | undefined;
    let emitted = 0;
    return {
      poll(out: SourceOutput<number>, maxRecords: number): PollStatus {
        started ??= Date.now();
        const allowed = Math.min(maxRecords, Math.floor((Date.now() - started + 1) * rate) - emitted);
        if (allowed <= 0) return 'idle';
        for (let i = 0; i < allowed; i++) out.collect(next++);
        emitted += allowed;
        return 'more';
      },
      snapshotPosition: () => next,
      restorePosition(position: unknown) {
        next = position as number;
      },
    };
  }
}

class CountPerKey extends KeyedProcessFunction<number, number, KeyCount> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(_n: number, ctx: KeyedContext<number>, out: Collector<KeyCount>): void {
    const next = (this.count.value() ?? 0) + 1;
    this.count.update(next);
    out.collect({ key: ctx.getCurrentKey(), count: next });
  }
}

/** Drops every record. */
const discard: Sink<KeyCount> = { name: 'discard', createWriter: () => ({ write() {} }) };

export default defineJob((env) => {
  const rate = Number(env.getParameter('rate', '0.5'));
  const keys = Number(env.getParameter('keys', '8'));
  const out = env.getParameter('out', '');
  const counts = env
    .fromSource(new Ticker(rate), 'ticker')
    .uid('ticker')
    .keyBy((n: number) => n % keys)
    .process(new CountPerKey())
    .uid('count-per-key');
  counts.sinkTo(out ? Sinks.jsonl<KeyCount>(out) : discard).uid('sink');
});
