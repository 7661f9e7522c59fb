/** The keyed function of the prefix-count test jobs: the running count of each prefix, in ValueState. */
import { KeyedProcessFunction, ValueStateDescriptor } from 'eddy';
import type { Collector, KeyedContext, RuntimeContext, ValueState } from 'eddy';

export interface PrefixCount {
  readonly prefix: string;
  readonly count: number;
}

export class CountPerPrefix extends KeyedProcessFunction<string, number, PrefixCount> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(_n: number, ctx: KeyedContext<string>, out: Collector<PrefixCount>): void {
    const next = (this.count.value() ?? 0) + 1;
    this.count.update(next);
    out.collect({ prefix: ctx.getCurrentKey(), count: next });
  }
}
