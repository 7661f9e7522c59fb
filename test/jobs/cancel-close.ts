/**
 * Test job of graceful cancel: an endless keyed count whose function leaves a file in
 * `log` when a subtask opens (`opened-<i>`), has counted its first record
 * (`counting-<i>`) and closes (`closed-<i>`), so a test can see that close() ran in every
 * subtask after a cancel, also on worker threads.
 *
 * Parameters: `log` (directory for the marker files, required), `parallelism` (default 2),
 * `stuck` ('true': subtask 0 leaves `stuck-0` and then spins forever in user code on its
 * first record, so its thread can only be ended by the watchdog).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineJob, KeyedProcessFunction, ValueStateDescriptor } from 'eddy';
import type { Collector, KeyedContext, PollStatus, RuntimeContext, Sink, Source, SourceOutput, SourceReader, ValueState } from 'eddy';

/** 0, 1, 2, … a batch per poll, then idle a little; never ends. */
class Endless implements Source<number> {
  readonly boundedness = 'unbounded' as const;
  createReader(): SourceReader<number> {
    let next = 0;
    return {
      poll(out: SourceOutput<number>, maxRecords: number): PollStatus {
        if (next > 100_000) return 'idle';
        for (let i = 0; i < Math.min(maxRecords, 64); i++) out.collect(next++);
        return 'more';
      },
    };
  }
}

class MarkedCount extends KeyedProcessFunction<number, number, number> {
  private count!: ValueState<number>;
  private subtask = -1;
  private counting = false;

  constructor(
    private readonly log: string,
    private readonly stuck: boolean,
  ) {
    super();
  }

  override open(ctx: RuntimeContext): void {
    this.subtask = ctx.getIndexOfThisSubtask();
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
    writeFileSync(join(this.log, `opened-${this.subtask}`), '');
  }

  processElement(n: number, _ctx: KeyedContext<number>, out: Collector<number>): void {
    this.count.update((this.count.value() ?? 0) + 1);
    if (!this.counting) {
      this.counting = true;
      writeFileSync(join(this.log, `counting-${this.subtask}`), '');
      if (this.stuck && this.subtask === 0) {
        writeFileSync(join(this.log, 'stuck-0'), '');
        for (;;) {
          // user code that never returns: only the cancel watchdog can end this thread
        }
      }
    }
    out.collect(n);
  }

  override close(): void {
    writeFileSync(join(this.log, `closed-${this.subtask}`), '');
  }
}

const discard: Sink<number> = { name: 'discard', createWriter: () => ({ write() {} }) };

export default defineJob((env) => {
  const log = env.getParameter('log', '');
  if (log === '') throw new Error("cancel-close: parameter 'log' (a directory) is required");
  env.setParallelism(Number(env.getParameter('parallelism', '2')));
  env
    .fromSource(new Endless(), 'endless')
    .uid('endless')
    .keyBy((n: number) => n % 64)
    .process(new MarkedCount(log, env.getParameter('stuck', 'false') === 'true'))
    .uid('marked-count')
    .sinkTo(discard)
    .uid('discard');
});
