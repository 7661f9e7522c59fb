/**
 * Side outputs (OutputTag, ctx.output, getSideOutput): records go to the stream of their
 * tag and nowhere else, keep their timestamps, work from keyed functions and timers, at
 * any parallelism, on the calling thread and on worker threads; a tag nobody reads is
 * dropped.
 */
import { describe, expect, it } from 'vitest';
import {
  KeyedProcessFunction,
  OutputTag,
  ProcessFunction,
  Sinks,
  WatermarkStrategy,
  defineJob,
  runJob,
} from '../../src/index.js';
import type { Collector, KeyedContext, OnTimerContext, ProcessContext } from '../../src/index.js';

const ODD = new OutputTag<string>('odd');
const UNREAD = new OutputTag<number>('unread');

class SplitParity extends ProcessFunction<number, number> {
  processElement(n: number, ctx: ProcessContext, out: Collector<number>): void {
    if (n % 2 === 0) out.collect(n);
    else ctx.output(ODD, `odd-${n}@${ctx.timestamp()}`);
    ctx.output(UNREAD, n);
  }
}

const splitJob = (parallelism: number) =>
  defineJob((env) => {
    env.setParallelism(parallelism);
    const split = env
      .fromCollection(Array.from({ length: 100 }, (_, i) => i))
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((n) => n * 10))
      .rebalance()
      .process(new SplitParity())
      .uid('split');
    split.map((n) => n * 100).sinkTo(Sinks.collect<number>('even'));
    split.getSideOutput(ODD).sinkTo(Sinks.collect<string>('odd'));
  });

describe('side outputs', () => {
  it.each([
    [1, 'single-thread'],
    [3, 'single-thread'],
  ] as const)('route tagged records to the tag\'s stream only, with their timestamps (p=%i, %s)', async (parallelism, execution) => {
    const result = await runJob(splitJob(parallelism), { execution });
    expect(result.output<number>('even').sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i * 200));
    expect(result.output<string>('odd').sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `odd-${2 * i + 1}@${(2 * i + 1) * 10}`).sort(),
    );
  });

  it('work from a keyed function and from its event-time timers', async () => {
    const LATE = new OutputTag<{ key: string; at: number }>('timer-fired');
    class Remind extends KeyedProcessFunction<string, number, number> {
      processElement(n: number, ctx: KeyedContext<string>, out: Collector<number>): void {
        ctx.timerService().registerEventTimeTimer(1000);
        out.collect(n);
      }
      override onTimer(timestamp: number, ctx: OnTimerContext<string>): void {
        ctx.output(LATE, { key: ctx.getCurrentKey(), at: timestamp });
      }
    }
    const job = defineJob((env) => {
      const counted = env
        .fromCollection([1, 2, 3, 4, 5, 6])
        .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((n) => n))
        .keyBy((n) => (n % 2 === 0 ? 'even' : 'odd'))
        .process(new Remind())
        .uid('remind');
      counted.sinkTo(Sinks.collect<number>('main'));
      counted.getSideOutput(LATE).sinkTo(Sinks.collect<{ key: string; at: number }>('fired')).setParallelism(2);
    });
    const result = await runJob(job, { execution: 'single-thread', parallelism: 2 });
    expect(result.output<number>('main').sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.output<{ key: string; at: number }>('fired').sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'even', at: 1000 },
      { key: 'odd', at: 1000 },
    ]);
  });

  it('needs an operator to read from, and says so', async () => {
    const job = defineJob((env) => {
      env.fromSequence(1, 3).rebalance().getSideOutput(ODD);
    });
    await expect(runJob(job, { execution: 'single-thread' })).rejects.toThrow(/getSideOutput\(\) applies to an operator/);
  });
});

describe('side outputs on worker threads', () => {
  it('reach their stream across threads at parallelism 3', { timeout: 60_000 }, async () => {
    const { runJob: runBuilt } = await import('eddy');
    const result = await runBuilt(new URL('../jobs/side-output-split.ts', import.meta.url).pathname, { parallelism: 3, parameters: { records: '10000' } });
    expect(result.output<number>('even').sort((a, b) => a - b)).toEqual(Array.from({ length: 5000 }, (_, i) => 2 * i));
    expect(result.output<number>('odd').sort((a, b) => a - b)).toEqual(Array.from({ length: 5000 }, (_, i) => 2 * i + 1));
  });
});
