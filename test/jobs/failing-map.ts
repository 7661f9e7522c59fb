/**
 * Test job: a map that throws at a chosen record (parameter `failAt`, default 600) of the
 * sequence 0..999, so a test can check which operator and subtask the failure names.
 */
import { defineJob, RichMapFunction, Sinks } from 'eddy';
import type { RuntimeContext } from 'eddy';

export const RECORDS = 1_000;

/** The message the map throws with. */
export function failureMessage(n: number): string {
  return `injected failure at record ${n}`;
}

class FailAtRecord extends RichMapFunction<number, number> {
  private failAt = -1;

  override open(ctx: RuntimeContext): void {
    this.failAt = Number(ctx.getParameter('failAt') ?? 600);
  }

  map(n: number): number {
    if (n === this.failAt) throw new RangeError(failureMessage(n));
    return n * 2;
  }
}

export default defineJob((env) => {
  env
    .fromSequence(0, RECORDS - 1)
    .map(new FailAtRecord())
    .uid('failing-map')
    .sinkTo(Sinks.collect('doubled'));
});
