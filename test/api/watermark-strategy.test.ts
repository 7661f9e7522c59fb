/**
 * The watermark strategies' generators, driven by hand: bounded out-of-orderness emits
 * max timestamp - bound - 1 (as Flink), monotonous timestamps max - 1, idleness marks a
 * quiet instance idle and the next record active again.
 */
import { describe, expect, it } from 'vitest';
import { WatermarkStrategy } from '../../src/api/watermark-strategy.js';
import type { WatermarkOutput } from '../../src/api/watermark-strategy.js';
import { JobDefinitionError } from '../../src/core/errors.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

function recordingOutput() {
  const log: (number | 'idle' | 'active')[] = [];
  const output: WatermarkOutput = {
    emitWatermark: (w) => log.push(w),
    markIdle: () => log.push('idle'),
    markActive: () => log.push('active'),
  };
  return { log, output };
}

const context = (clock = new ManualClock()) => ({ currentProcessingTime: () => clock.now(), subtaskIndex: 0 });

describe('WatermarkStrategy', () => {
  it('forBoundedOutOfOrderness emits max timestamp - bound - 1 on each periodic emission, nothing before the first record', () => {
    const generator = WatermarkStrategy.forBoundedOutOfOrderness<string>(100).createWatermarkGenerator(context());
    const { log, output } = recordingOutput();
    generator.onPeriodicEmit(output);
    generator.onEvent('a', 1000, output);
    generator.onEvent('b', 950, output);
    expect(log).toEqual([]); // periodic only
    generator.onPeriodicEmit(output);
    generator.onEvent('c', 1500, output);
    generator.onEvent('d', 1200, output);
    generator.onPeriodicEmit(output);
    expect(log).toEqual([899, 1399]);
  });

  it('forMonotonousTimestamps emits max timestamp - 1', () => {
    const generator = WatermarkStrategy.forMonotonousTimestamps<number>().createWatermarkGenerator(context());
    const { log, output } = recordingOutput();
    for (const t of [5, 9, 12]) generator.onEvent(t, t, output);
    generator.onPeriodicEmit(output);
    expect(log).toEqual([11]);
  });

  it('noWatermarks emits nothing', () => {
    const generator = WatermarkStrategy.noWatermarks<number>().createWatermarkGenerator(context());
    const { log, output } = recordingOutput();
    generator.onEvent(1, 1000, output);
    generator.onPeriodicEmit(output);
    expect(log).toEqual([]);
  });

  it('forGenerator uses the given generator, a fresh one per instance', () => {
    let made = 0;
    const strategy = WatermarkStrategy.forGenerator<{ t: number; end?: true }>(() => {
      made++;
      return {
        onEvent: (e, t, out) => {
          if (e.end) out.emitWatermark(t);
        },
        onPeriodicEmit: () => {},
      };
    });
    const a = strategy.createWatermarkGenerator(context());
    strategy.createWatermarkGenerator(context());
    const { log, output } = recordingOutput();
    a.onEvent({ t: 1 }, 1, output);
    a.onEvent({ t: 7, end: true }, 7, output);
    expect(made).toBe(2);
    expect(log).toEqual([7]);
  });

  it('withTimestampAssigner keeps the generator and adds the assigner, which sees the record timestamp', () => {
    const strategy = WatermarkStrategy.forMonotonousTimestamps<{ at: number }>().withTimestampAssigner((e, recordTimestamp) => e.at + (recordTimestamp ?? 0));
    const assign = strategy.createTimestampAssigner()!;
    expect(assign({ at: 10 }, undefined)).toBe(10);
    expect(assign({ at: 10 }, 5)).toBe(15);
    expect(WatermarkStrategy.forMonotonousTimestamps().createTimestampAssigner()).toBeUndefined();
  });

  it('withIdleness marks the output idle after the timeout without records, and active with the next record', () => {
    const clock = new ManualClock(0);
    const generator = WatermarkStrategy.forBoundedOutOfOrderness<number>(0).withIdleness(1000).createWatermarkGenerator(context(clock));
    const { log, output } = recordingOutput();
    generator.onEvent(1, 100, output);
    clock.set(200);
    generator.onPeriodicEmit(output); // saw a record since the last check
    clock.set(1100);
    generator.onPeriodicEmit(output); // 900 ms quiet: not yet
    clock.set(1200);
    generator.onPeriodicEmit(output); // 1000 ms quiet: idle, and no watermark while idle
    generator.onPeriodicEmit(output);
    generator.onEvent(2, 300, output);
    clock.set(1400);
    generator.onPeriodicEmit(output);
    expect(log).toEqual([99, 99, 'idle', 'active', 299]);
  });

  it('rejects bad durations and non-functions when the job is defined', () => {
    expect(() => WatermarkStrategy.forBoundedOutOfOrderness(-1)).toThrow(JobDefinitionError);
    expect(() => WatermarkStrategy.forBoundedOutOfOrderness(Number.NaN)).toThrow(/forBoundedOutOfOrderness\(NaN\)/);
    expect(() => WatermarkStrategy.noWatermarks().withIdleness(0)).toThrow(/withIdleness\(0\)/);
    expect(() => WatermarkStrategy.noWatermarks().withTimestampAssigner(42 as never)).toThrow(JobDefinitionError);
  });
});
