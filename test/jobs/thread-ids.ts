/**
 * Test job of the worker pool: each subtask of a map collects `<subtask> <threadId>` (the
 * thread it ran in) to the collected output `threads`. With `leak=timer` each subtask
 * leaves an interval timer running after the job ends, as careless user code does.
 *
 * Parameters: `parallelism` (default 2), `leak` (`none` or `timer`).
 */
import { threadId } from 'node:worker_threads';
import { defineJob, RichMapFunction, Sinks } from 'eddy';
import type { RuntimeContext } from 'eddy';

class WhereAmI extends RichMapFunction<number, string> {
  private subtask = -1;

  constructor(private readonly leak: boolean) {
    super();
  }

  override open(ctx: RuntimeContext): void {
    this.subtask = ctx.getIndexOfThisSubtask();
    if (this.leak) setInterval(() => {}, 60_000);
  }

  map(): string {
    return `${this.subtask} ${threadId}`;
  }
}

export default defineJob((env) => {
  const parallelism = Number(env.getParameter('parallelism', '2'));
  const leak = env.getParameter('leak', 'none') === 'timer';
  env
    .fromCollection(Array.from({ length: parallelism }, (_, i) => i))
    .rebalance()
    .map(new WhereAmI(leak))
    .setParallelism(parallelism)
    .sinkTo(Sinks.collect<string>('threads'));
});
