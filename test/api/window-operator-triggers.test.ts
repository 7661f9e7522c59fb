/**
 * The window operator driven by hand (window-operator-harness.ts): evictors, allowed
 * lateness and late records, triggers, and what window functions see, on each state backend.
 */
import { describe, expect, it } from 'vitest';
import { JobDefinitionError, StateAccessError } from '../../src/core/errors.js';
import type { Collector } from '../../src/api/functions.js';
import { ProcessWindowFunction, type ProcessWindowContext } from '../../src/api/process-window-function.js';
import { OutputTag } from '../../src/api/output-tag.js';
import type { RuntimeContext } from '../../src/api/runtime-context.js';
import {
  ContinuousEventTimeTrigger,
  CountEvictor,
  CountTrigger,
  GlobalWindow,
  GlobalWindows,
  SlidingEventTimeWindows,
  TimeEvictor,
  TimeWindow,
  Trigger,
  TumblingEventTimeWindows,
  type TriggerContext,
  type TriggerResult,
} from '../../src/api/windowing/index.js';
import { MAX_WATERMARK } from '../../src/runtime/time/watermark.js';
import { ValueStateDescriptor } from '../../src/state/descriptors.js';
import type { ValueState } from '../../src/state/state.js';
import { FakeProcessingTimeService } from '../runtime/time/fake-processing-time-service.js';
import { windowHarnesses, windowOperatorFactory } from './window-operator-harness.js';
import { STATE_BACKENDS } from '../support/state-backends.js';
import { average, byKey, CONTENTS, Describe, EVENT_TIMERS, sumKV, type KV } from './window-operator-fixtures.js';

describe.each(STATE_BACKENDS)('[%s] window operator', (backend) => {
  const harness = windowHarnesses(backend);

  describe('evictors', () => {
    it('CountEvictor keeps the last n before the function runs, and the evicted elements stay gone', async () => {
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) =>
          k
            .window(GlobalWindows.create())
            .trigger(CountTrigger.of(3))
            .evictor(CountEvictor.of(2))
            .process((_key: string, _ctx: ProcessWindowContext<GlobalWindow>, elements: Iterable<KV>, out: Collector<number[]>) =>
              out.collect([...elements].map((e) => e[1])),
            ),
        ),
      );
      for (let i = 1; i <= 6; i++) h.send(['a', i]);
      // first firing sees 1,2,3 → keeps 2,3; then 4,5,6 are added: 2,3,4,5,6 → keeps 5,6
      expect(h.records()).toEqual([
        [2, 3],
        [5, 6],
      ]);
    });

    it('CountEvictor after the function lets the function see everything, then trims', async () => {
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) =>
          k
            .window(GlobalWindows.create())
            .trigger(CountTrigger.of(2))
            .evictor(CountEvictor.of(1, true))
            .process((_key: string, _ctx: ProcessWindowContext<GlobalWindow>, elements: Iterable<KV>, out: Collector<number[]>) =>
              out.collect([...elements].map((e) => e[1])),
            ),
        ),
      );
      for (let i = 1; i <= 4; i++) h.send(['a', i]);
      expect(h.records()).toEqual([
        [1, 2],
        [2, 3, 4],
      ]);
    });

    it('TimeEvictor keeps the elements of the last ms by their timestamps; reduce runs over what is left', async () => {
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(100)).evictor(TimeEvictor.of(10)).reduce(sumKV)),
      );
      h.send(['a', 1], 50).send(['a', 2], 85).send(['a', 4], 95).send(['a', 8], 90).watermark(MAX_WATERMARK);
      // newest 95: keeps timestamps > 85
      expect(h.stamped()).toEqual([[['a', 12], 99]]);
    });

    it('aggregate with an evictor aggregates the elements left at each firing', async () => {
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) => k.window(GlobalWindows.create()).trigger(CountTrigger.of(4)).evictor(CountEvictor.of(2)).aggregate(average)),
      );
      for (const v of [1, 2, 3, 5]) h.send(['a', v]);
      expect(h.records()).toEqual([4]);
    });
  });

  describe('allowed lateness and late records', () => {
    it('fires again for each late record within the lateness, then cleans the window up and drops later ones', async () => {
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(10)).allowedLateness(5).reduce(sumKV)));
      h.send(['a', 1], 1).send(['a', 2], 5).watermark(9);
      expect(h.stamped()).toEqual([[['a', 3], 9]]);
      h.watermark(12).send(['a', 10], 3); // late, but within the lateness: an updated result
      expect(h.stamped()).toEqual([
        [['a', 3], 9],
        [['a', 13], 9],
      ]);
      expect(h.entries(CONTENTS)).toBe(1);
      h.watermark(14); // cleanup time 9 + 5
      expect(h.entries(CONTENTS)).toBe(0);
      expect(h.entries(EVENT_TIMERS)).toBe(0);
      h.send(['a', 100], 4); // too late: the window is gone
      h.send(['a', 1000], 9);
      expect(h.records()).toHaveLength(2);
      expect(h.lateDropped).toBe(2);
      expect(h.entries(CONTENTS)).toBe(0);
    });

    it('drops a record whose windows are all late, and counts it; a record with one live window is not late', async () => {
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(SlidingEventTimeWindows.of(10, 5)).process(new Describe())));
      h.watermark(9);
      h.send(['a', 1], 7); // windows [0,10) (late) and [5,15) (live)
      h.send(['a', 2], 3); // windows [-5,5) and [0,10): both late
      expect(h.lateDropped).toBe(1);
      h.watermark(MAX_WATERMARK);
      expect(h.records()).toEqual(['a@5-15:1']);
    });

    it('with sideOutputLateData sends the records too late for all their windows to the side output, with their timestamps, and nothing else', async () => {
      const late = new OutputTag<KV>('late');
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(10)).allowedLateness(5).sideOutputLateData(late).reduce(sumKV)),
      );
      h.send(['a', 1], 1).watermark(12);
      h.send(['a', 2], 3); // within the lateness: updates the window
      h.watermark(14);
      h.send(['a', 4], 4).send(['b', 8], 9); // the windows are gone
      h.send(['a', 16], 15); // a window of its own
      h.watermark(MAX_WATERMARK);
      expect(h.side).toEqual([
        ['late', ['a', 4], 4],
        ['late', ['b', 8], 9],
      ]);
      expect(h.stamped()).toEqual([
        [['a', 1], 9],
        [['a', 3], 9],
        [['a', 16], 19],
      ]);
      expect(h.lateDropped).toBe(0);
    });

    it('refuses a lateness that is not a whole number >= 0', () => {
      expect(() => windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(10)).allowedLateness(-1).reduce(sumKV))).toThrow(
        new JobDefinitionError('allowedLateness(-1): the lateness must be a whole number of milliseconds >= 0'),
      );
    });
  });

  describe('triggers', () => {
    it('ContinuousEventTimeTrigger fires early every interval, and at the end', async () => {
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(100)).trigger(ContinuousEventTimeTrigger.of(30)).reduce(sumKV)),
      );
      h.send(['a', 1], 5).watermark(30); // early firing at 30
      h.send(['a', 2], 40).watermark(59);
      expect(h.records()).toEqual([['a', 1]]);
      h.watermark(MAX_WATERMARK); // early firings at 60 and 90, then the end at 99
      expect(h.stamped()).toEqual([
        [['a', 1], 99],
        [['a', 3], 99],
        [['a', 3], 99],
        [['a', 3], 99],
      ]);
    });

    it('a custom trigger keeps its state per key and window, and its timers fire for its window', async () => {
      /** Fires on the second element of a window, and once more 5 ms of event time after the first. */
      class SecondOrLater extends Trigger<KV, TimeWindow> {
        private readonly seen = new ValueStateDescriptor<number>('seen');
        onElement(_e: KV, timestamp: number | undefined, _w: TimeWindow, ctx: TriggerContext): TriggerResult {
          const seen = ctx.getPartitionedState(this.seen);
          const n = (seen.value() ?? 0) + 1;
          seen.update(n);
          if (n === 1) ctx.registerEventTimeTimer(timestamp! + 5);
          return n === 2 ? 'FIRE' : 'CONTINUE';
        }
        onEventTime(time: number, window: TimeWindow): TriggerResult {
          return time === window.maxTimestamp() ? 'CONTINUE' : 'FIRE_AND_PURGE';
        }
        onProcessingTime(): TriggerResult {
          return 'CONTINUE';
        }
        clear(_w: TimeWindow, ctx: TriggerContext): void {
          ctx.getPartitionedState(this.seen).clear();
        }
      }
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(100)).trigger(new SecondOrLater()).process(new Describe())));
      h.send(['a', 1], 10).send(['b', 1], 20).send(['a', 2], 12).send(['a', 3], 110);
      expect(h.records()).toEqual(['a@0-100:1,2']);
      h.watermark(25);
      expect(h.records()).toEqual(['a@0-100:1,2', 'a@0-100:1,2', 'b@0-100:1']);
      h.watermark(MAX_WATERMARK);
      expect(h.records().slice(3)).toEqual(['a@100-200:3']);
      expect(h.entries('seen')).toBe(0);
    });
  });

  describe('what window functions see', () => {
    it('per-window state lives per key and window until clear(); global state per key; open() state in the default namespace', async () => {
      const countDescriptor = new ValueStateDescriptor<number>('count');
      class Counting extends ProcessWindowFunction<KV, string, string, TimeWindow> {
        firingsPerKey!: ValueState<number>;
        readonly cleared: string[] = [];
        override open(ctx: RuntimeContext): void {
          this.firingsPerKey = ctx.getState(countDescriptor); // same name as the per-window state below
        }
        process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<KV>, out: Collector<string>): void {
          const perWindow = ctx.windowState().getState(countDescriptor);
          perWindow.update((perWindow.value() ?? 0) + 1);
          const global = ctx.globalState().getState(new ValueStateDescriptor<number>('total'));
          global.update((global.value() ?? 0) + [...elements].length);
          this.firingsPerKey.update((this.firingsPerKey.value() ?? 0) + 1);
          out.collect(`${key}@${ctx.window().start}: firing ${perWindow.value()} of the window, ${this.firingsPerKey.value()} of the key, total ${global.value()}, wm ${ctx.currentWatermark()}, now ${ctx.currentProcessingTime()}`);
        }
        override clear(ctx: ProcessWindowContext<TimeWindow>): void {
          this.cleared.push(`${ctx.window().start}`);
          ctx.windowState().getState(countDescriptor).clear();
        }
      }
      const fn = new Counting();
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(10)).allowedLateness(100).process(fn)),
        { time: new FakeProcessingTimeService(7) },
      );
      h.send(['a', 1], 1).watermark(9).send(['a', 2], 2).send(['a', 3], 15).watermark(19);
      expect(h.records()).toEqual([
        'a@0: firing 1 of the window, 1 of the key, total 1, wm 9, now 7',
        'a@0: firing 2 of the window, 2 of the key, total 3, wm 9, now 7',
        'a@10: firing 1 of the window, 3 of the key, total 4, wm 19, now 7',
      ]);
      expect(h.entries('count')).toBe(3); // two windows + the default namespace
      h.watermark(MAX_WATERMARK);
      expect(fn.cleared).toEqual(['0', '10']);
      expect(h.entries('count')).toBe(1); // the per-key one from open()
    });

    it('emits ctx.output(tag, value) to the side output, stamped with the window maxTimestamp()', async () => {
      const sizes = new OutputTag<number>('sizes');
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) =>
          k.window(TumblingEventTimeWindows.of(10)).process((key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<KV>, out: Collector<string>) => {
            ctx.output(sizes, [...elements].length);
            out.collect(key);
          }),
        ),
      );
      h.send(['a', 1], 1).send(['a', 2], 2).send(['b', 2], 12).watermark(MAX_WATERMARK);
      expect(h.side).toEqual([
        ['sizes', 2, 9],
        ['sizes', 1, 19],
      ]);
      expect(h.records()).toEqual(['a', 'b']);
    });

    it("refuses per-window state names in Eddy's reserved prefix", async () => {
      let failure: unknown;
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) =>
          k.window(TumblingEventTimeWindows.of(10)).process((_key: string, ctx: ProcessWindowContext<TimeWindow>) => {
            try {
              ctx.windowState().getListState(new ValueStateDescriptor<number>('_eddy/window/contents') as never);
            } catch (error) {
              failure = error;
            }
          }),
        ),
      );
      h.send(['a', 1], 1).watermark(MAX_WATERMARK);
      expect(failure).toBeInstanceOf(StateAccessError);
      expect((failure as Error).message).toMatch(/reserved for Eddy's internal state/);
    });

    it('event-time assigners refuse a record without a timestamp', async () => {
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(10)).reduce(sumKV)));
      expect(() => h.send(['a', 1])).toThrow(/a record has no timestamp: did you forget assignTimestampsAndWatermarks/);
    });
  });
});
