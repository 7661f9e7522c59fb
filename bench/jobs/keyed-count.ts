/** Benchmark job (b): a keyed count through keyBy, which crosses threads at parallelism > 1. */
import { defineJob, KeyedProcessFunction, ValueStateDescriptor } from 'eddy';
import type { Collector, KeyedContext, RuntimeContext, ValueState } from 'eddy';
import { CountingSink } from './counting-sink.js';

class Count extends KeyedProcessFunction<number, number, number> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(_value: number, _ctx: KeyedContext<number>, out: Collector<number>): void {
    const next = (this.count.value() ?? 0) + 1;
    this.count.update(next);
    out.collect(next);
  }
}

export default defineJob((env) => {
  const n = Number(env.getParameter('records', '4000000'));
  const keys = Number(env.getParameter('keys', '10000'));
  env
    .fromSequence(1, n)
    .keyBy((x) => x % keys)
    .process(new Count())
    .uid('count')
    .sinkTo(new CountingSink());
});
