/**
 * Deduplication: an upstream system delivers click events at least once, so the same
 * event (same id) can arrive several times. Keying by the event id and remembering in a
 * ValueState<boolean> whether the id was seen lets exactly the first copy through, at any
 * parallelism: all copies of an id meet in the same key group, whichever source instance
 * read them.
 *
 *   eddy run examples/dedup.ts --parallelism 4
 *   eddy run examples/dedup.ts --set output=out/dedup
 *   eddy run examples/dedup.ts --set sink=collect        (results come back in JobResult.output('dedup'))
 */
import { defineJob, KeyedProcessFunction, ValueStateDescriptor } from 'eddy';
import type { Collector, KeyedContext, RuntimeContext, ValueState } from 'eddy';
import { exampleOutput } from './lib/example-output.js';

export type Click = { id: number; user: string; url: string };

/** Deliveries read from the (simulated) upstream. */
export const DELIVERIES = 100_000;
/** Distinct events among them: each is delivered 3 or 4 times. */
export const DISTINCT_EVENTS = 30_000;

/**
 * Delivery `n`: event ids cycle through all of 0..DISTINCT_EVENTS-1 in a scrambled order
 * (7919 is prime to DISTINCT_EVENTS). An event's fields depend on its id only, as a
 * redelivered message would.
 */
export function delivery(n: number): Click {
  const id = (n * 7919) % DISTINCT_EVENTS;
  return { id, user: `u${id % 500}`, url: `/p/${id % 7}` };
}

class DropDuplicates extends KeyedProcessFunction<number, Click, Click> {
  private seen!: ValueState<boolean>;

  override open(ctx: RuntimeContext): void {
    this.seen = ctx.getState(new ValueStateDescriptor<boolean>('seen'));
  }

  processElement(click: Click, _ctx: KeyedContext<number>, out: Collector<Click>): void {
    if (this.seen.value()) return;
    this.seen.update(true);
    out.collect(click);
  }
}

export default defineJob((env) => {
  env
    .fromSequence(0, DELIVERIES - 1)
    .map(delivery)
    .name('deliveries')
    .keyBy((click) => click.id)
    .process(new DropDuplicates())
    .uid('dedup')
    .sinkTo(exampleOutput(env, 'dedup'))
    .name('unique-clicks');
});
