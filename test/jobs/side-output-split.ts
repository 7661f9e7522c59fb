/**
 * Test job: numbers 0..records-1 split by a process function into even (main output,
 * collected as `even`) and odd (side output `odd`, collected as `odd`), across a
 * rebalance so that both outputs leave through the network.
 */
import { OutputTag, ProcessFunction, Sinks, defineJob } from 'eddy';
import type { Collector, ProcessContext } from 'eddy';

export const ODD = new OutputTag<number>('odd');

class SplitParity extends ProcessFunction<number, number> {
  processElement(n: number, ctx: ProcessContext, out: Collector<number>): void {
    if (n % 2 === 0) out.collect(n);
    else ctx.output(ODD, n);
  }
}

export default defineJob((env) => {
  const records = Number(env.getParameter('records', '10000'));
  const split = env.fromSequence(0, records - 1).rebalance().process(new SplitParity()).uid('split');
  split.sinkTo(Sinks.collect<number>('even')).uid('even-sink');
  split.getSideOutput(ODD).sinkTo(Sinks.collect<number>('odd')).uid('odd-sink');
});
