/**
 * Test job: a RichMapFunction asks for keyed state in `open`, but runs on a stream that
 * was never keyed, so there is no key to scope the state to.
 */
import { defineJob, RichMapFunction, Sinks, ValueStateDescriptor } from 'eddy';
import type { RuntimeContext, ValueState } from 'eddy';

class RememberLast extends RichMapFunction<number, number> {
  private last!: ValueState<number>;

  override open(ctx: RuntimeContext): void {
    this.last = ctx.getState(new ValueStateDescriptor<number>('last-seen'));
  }

  map(n: number): number {
    const previous = this.last.value() ?? 0;
    this.last.update(n);
    return n - previous;
  }
}

export default defineJob((env) => {
  env
    .fromSequence(1, 100)
    .map(new RememberLast())
    .uid('remember-last')
    .sinkTo(Sinks.collect());
});
