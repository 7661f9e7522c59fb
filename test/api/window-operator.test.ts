/**
 * The window operator driven by hand (window-operator-harness.ts): every kind of assigner
 * (tumbling, sliding, session, global; event and processing time) with every kind of
 * window function, firing, cleanup and timestamps of results. Triggers, evictors and
 * lateness are in window-operator-triggers.test.ts. Every test runs on each state backend
 * (the session property with fewer runs on rocksdb).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JobDefinitionError, StateAccessError } from '../../src/core/errors.js';
import type { Collector } from '../../src/api/functions.js';
import type { ProcessWindowContext } from '../../src/api/process-window-function.js';
import {
  CountTrigger,
  EventTimeSessionWindows,
  GlobalWindow,
  GlobalWindows,
  PurgingTrigger,
  SlidingEventTimeWindows,
  TimeWindow,
  Trigger,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  ProcessingTimeSessionWindows,
  type TriggerResult,
} from '../../src/api/windowing/index.js';
import { MAX_WATERMARK } from '../../src/runtime/time/watermark.js';
import { FakeProcessingTimeService } from '../runtime/time/fake-processing-time-service.js';
import { windowHarnesses, windowOperatorFactory } from './window-operator-harness.js';
import { STATE_BACKENDS } from '../support/state-backends.js';
import { average, byKey, CONTENTS, Describe, DescribeSorted, EVENT_TIMERS, PROCESSING_TIMERS, sumKV, type KV } from './window-operator-fixtures.js';

describe.each(STATE_BACKENDS)('[%s] window operator', (backend) => {
  const harness = windowHarnesses(backend);

  describe('tumbling event-time windows', () => {
    it('fire when the watermark passes their end, results first, stamped maxTimestamp(), then the watermark', async () => {
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(10)).reduce(sumKV)));
      h.send(['a', 1], 1).send(['b', 2], 3).send(['a', 3], 9).send(['a', 4], 10).send(['b', 5], 19);
      h.watermark(8);
      expect(h.emitted).toEqual([{ watermark: 8 }]);
      h.watermark(9);
      expect(h.emitted.slice(1)).toEqual([
        { record: ['a', 4], timestamp: 9 },
        { record: ['b', 2], timestamp: 9 },
        { watermark: 9 },
      ]);
      h.watermark(MAX_WATERMARK);
      expect(h.stamped().slice(2)).toEqual([
        [['a', 4], 19],
        [['b', 5], 19],
      ]);
      // every window was cleaned up: no contents, no timers
      expect(h.entries(CONTENTS)).toBe(0);
      expect(h.entries(EVENT_TIMERS)).toBe(0);
    });

    it('names the operator after its assigner, trigger and function', () => {
      const { name } = windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(10)).reduce(sumKV));
      expect(name).toBe('Window(TumblingEventTimeWindows(10), EventTimeTrigger(), reduce)');
    });

    it('with process() gives the function every element in arrival order, per key and window', async () => {
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(10)).process(new Describe())));
      h.send(['a', 3], 5).send(['a', 1], 2).send(['b', 7], 7).send(['a', 2], 12).watermark(MAX_WATERMARK);
      expect(h.records()).toEqual(['a@0-10:3,1', 'b@0-10:7', 'a@10-20:2']);
    });

    it('with aggregate() folds incrementally and emits the result; with a process function hands it the single result', async () => {
      const plain = await harness.open(windowOperatorFactory(byKey, (k) => k.window(TumblingEventTimeWindows.of(10)).aggregate(average)));
      plain.send(['a', 1], 1).send(['a', 2], 2).send(['a', 6], 3).watermark(20);
      expect(plain.stamped()).toEqual([[3, 9]]);

      const seen: number[][] = [];
      const withProcess = await harness.open(
        windowOperatorFactory(byKey, (k) =>
          k.window(TumblingEventTimeWindows.of(10)).aggregate(average, (key: string, ctx: ProcessWindowContext<TimeWindow>, results: Iterable<number>, out: Collector<string>) => {
            seen.push([...results]);
            out.collect(`${key} ${ctx.window().end}: ${[...results][0]}`);
          }),
        ),
      );
      withProcess.send(['a', 1], 1).send(['a', 2], 2).send(['b', 6], 13).watermark(20);
      expect(withProcess.stamped()).toEqual([
        ['a 10: 1.5', 9],
        ['b 20: 6', 19],
      ]);
      expect(seen).toEqual([[1.5], [6]]);
    });

    it('with reduce() and a process function hands it the reduced value', async () => {
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) =>
          k.window(TumblingEventTimeWindows.of(10)).reduce(sumKV, (key: string, ctx: ProcessWindowContext<TimeWindow>, sums: Iterable<KV>, out: Collector<string>) => {
            for (const s of sums) out.collect(`${key}/${ctx.window().start}=${s[1]}`);
          }),
        ),
      );
      h.send(['a', 1], 1).send(['a', 2], 2).send(['a', 5], 15).watermark(MAX_WATERMARK);
      expect(h.records()).toEqual(['a/0=3', 'a/10=5']);
    });

    it('with apply() gives the older window function the key, the window and the elements', async () => {
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) =>
          k.window(TumblingEventTimeWindows.of(10)).apply((key: string, window: TimeWindow, elements: Iterable<KV>, out: Collector<string>) => {
            out.collect(`${key}:${window.start}:${[...elements].length}`);
          }),
        ),
      );
      h.send(['a', 1], 1).send(['a', 2], 2).watermark(MAX_WATERMARK);
      expect(h.records()).toEqual(['a:0:2']);
    });
  });

  describe('sliding event-time windows', () => {
    it('put each element in size/slide windows and fire each as the watermark passes it', async () => {
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(SlidingEventTimeWindows.of(10, 5)).process(new Describe())));
      h.send(['a', 1], 1).send(['a', 7], 7).send(['a', 12], 12);
      h.watermark(4);
      expect(h.records()).toEqual(['a@-5-5:1']);
      h.watermark(MAX_WATERMARK);
      expect(h.records()).toEqual(['a@-5-5:1', 'a@0-10:1,7', 'a@5-15:7,12', 'a@10-20:12']);
      expect(h.stamped().map(([, t]) => t)).toEqual([4, 9, 14, 19]);
      expect(h.entries(CONTENTS)).toBe(0);
    });
  });

  describe('session windows (merging)', () => {
    it('merge the windows of out-of-order records that overlap or touch, with their contents and timers', async () => {
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(EventTimeSessionWindows.withGap(10)).process(new DescribeSorted())));
      h.send(['a', 1], 1); // [1, 11)
      h.send(['a', 2], 25); // [25, 35)
      h.send(['b', 3], 5); // b's own session
      expect(h.entries(EVENT_TIMERS)).toBe(3);
      h.send(['a', 4], 14); // [14, 24): touches neither... 24 < 25, 14 > 11
      h.send(['a', 5], 11); // [11, 21): touches [1, 11) and [14, 24) → [1, 24)
      h.send(['a', 6], 24); // [24, 34): touches [1, 24) and [25, 35) → [1, 35)
      // a has one session left, with one trigger timer (the cleanup timer coincides with it)
      expect(h.entries(EVENT_TIMERS)).toBe(2);
      h.watermark(MAX_WATERMARK);
      expect(h.records().sort()).toEqual(['a@1-35:1,2,4,5,6', 'b@5-15:3']);
      expect(h.stamped().find(([r]) => r.startsWith('a'))![1]).toBe(34);
      expect(h.entries(CONTENTS)).toBe(0);
      expect(h.entries(EVENT_TIMERS)).toBe(0);
      expect(h.entries('_eddy/window/merging-windows')).toBe(0);
    });

    it('give, for records in any order, exactly the sessions of the sorted timestamps (property)', async () => {
      const GAP = 10;
      const factory = windowOperatorFactory(byKey, (k) => k.window(EventTimeSessionWindows.withGap(GAP)).process(new DescribeSorted()));
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 300 })), { maxLength: 60 }), async (records) => {
          // the model: per key, sort the timestamps and cut where the next one is more than the gap away
          const expected: string[] = [];
          for (const key of ['a', 'b', 'c']) {
            const times = records.filter(([k]) => k === key).map(([, t]) => t).sort((x, y) => x - y);
            let start = 0;
            for (let i = 1; i <= times.length; i++) {
              if (i === times.length || times[i]! > times[i - 1]! + GAP) {
                const session = times.slice(start, i);
                expected.push(`${key}@${session[0]}-${session[session.length - 1]! + GAP}:${session.join(',')}`);
                start = i;
              }
            }
          }
          const h = await harness.open(factory);
          for (const [key, t] of records) h.send([key, t], t); // the value is the timestamp
          h.watermark(MAX_WATERMARK);
          expect(h.records().sort()).toEqual(expected.sort());
          expect(h.entries(CONTENTS) + h.entries(EVENT_TIMERS) + h.entries('_eddy/window/merging-windows')).toBe(0);
          await h.close();
        }),
        // a RocksDB instance per run costs more than a heap one
        { numRuns: backend === 'hashmap' ? 200 : 40 },
      );
    });

    it('fire a session when the watermark passes it, and start a new one for a later record', async () => {
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(EventTimeSessionWindows.withGap(10)).reduce(sumKV)));
      h.send(['a', 1], 0).send(['a', 2], 5).watermark(14);
      expect(h.stamped()).toEqual([[['a', 3], 14]]);
      h.send(['a', 10], 20).watermark(MAX_WATERMARK);
      expect(h.stamped()).toEqual([
        [['a', 3], 14],
        [['a', 10], 29],
      ]);
    });

    it('merge the count of a CountTrigger, so the merged session fires on its total', async () => {
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) => k.window(EventTimeSessionWindows.withGap(10)).trigger(CountTrigger.of(3)).process(new Describe())),
      );
      h.send(['a', 1], 0).send(['a', 2], 18); // [0, 10) and [18, 28): one element each
      expect(h.records()).toEqual([]);
      h.send(['a', 3], 9); // [9, 19) bridges them: [0, 28) with count 3 → fires
      expect(h.records()).toEqual(['a@0-28:1,2,3']);
    });

    it('refuse per-window state, which could not follow a merge', async () => {
      const errors: unknown[] = [];
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) =>
          k.window(EventTimeSessionWindows.withGap(10)).process((_key: string, ctx: ProcessWindowContext<TimeWindow>) => {
            try {
              ctx.windowState();
            } catch (error) {
              errors.push(error);
            }
          }),
        ),
      );
      h.send(['a', 1], 0).watermark(MAX_WATERMARK);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(StateAccessError);
      expect((errors[0] as Error).message).toMatch(/^operator 'windows' \(subtask 1\/1\): per-window state \(windowState\(\)\) is not available with merging windows/);
    });

    it('reject a trigger that cannot merge when the job is built', () => {
      const notMerging = new (class extends Trigger<unknown, TimeWindow> {
        onElement(): TriggerResult {
          return 'FIRE';
        }
        onEventTime(): TriggerResult {
          return 'CONTINUE';
        }
        onProcessingTime(): TriggerResult {
          return 'CONTINUE';
        }
        clear(): void {}
        override toString(): string {
          return 'Mine()';
        }
      })();
      expect(() => windowOperatorFactory(byKey, (k) => k.window(EventTimeSessionWindows.withGap(10)).trigger(notMerging).reduce(sumKV))).toThrow(
        new JobDefinitionError('trigger(Mine()): EventTimeSessionWindows(10) merges windows, and this trigger does not support merging (canMerge() is false)'),
      );
    });

    it('in processing time merge by arrival time and fire when processing time passes the session end', async () => {
      const time = new FakeProcessingTimeService(100);
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(ProcessingTimeSessionWindows.withGap(10)).reduce(sumKV)), { time });
      h.send(['a', 1]);
      time.advanceTo(105);
      h.send(['a', 2]); // [105, 115) merges with [100, 110)
      time.advanceTo(113);
      expect(h.records()).toEqual([]);
      time.advanceTo(114);
      expect(h.stamped()).toEqual([[['a', 3], 114]]);
      expect(h.entries(PROCESSING_TIMERS)).toBe(0);
    });
  });

  describe('global windows with count triggers', () => {
    it('CountTrigger alone fires every n elements on everything so far', async () => {
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) =>
          k
            .window(GlobalWindows.create())
            .trigger(CountTrigger.of(2))
            .process((key: string, _ctx: ProcessWindowContext<GlobalWindow>, elements: Iterable<KV>, out: Collector<string>) =>
              out.collect(`${key}:${[...elements].map((e) => e[1]).join(',')}`),
            ),
        ),
      );
      for (let i = 1; i <= 5; i++) h.send(['a', i]);
      h.send(['b', 9]);
      h.watermark(MAX_WATERMARK); // a global window never ends
      expect(h.records()).toEqual(['a:1,2', 'a:1,2,3,4']);
      // results carry the global window's maxTimestamp()
      expect(h.stamped().map(([, t]) => t)).toEqual([Infinity, Infinity]);
      // no cleanup timer for a window that never ends
      expect(h.entries(EVENT_TIMERS) + h.entries(PROCESSING_TIMERS)).toBe(0);
    });

    it('PurgingTrigger(CountTrigger) evaluates batches of n', async () => {
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) => k.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(2))).reduce(sumKV)),
      );
      for (let i = 1; i <= 5; i++) h.send(['a', i]);
      expect(h.records()).toEqual([
        ['a', 3],
        ['a', 7],
      ]);
    });

    it('GlobalWindows.createWithEndOfStreamTrigger() fires once, at the end of input', async () => {
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(GlobalWindows.createWithEndOfStreamTrigger()).reduce(sumKV)));
      h.send(['a', 1], 5).send(['a', 2], 500).watermark(1_000_000);
      expect(h.records()).toEqual([]);
      h.watermark(MAX_WATERMARK);
      expect(h.records()).toEqual([['a', 3]]);
    });

    it('never treats records of global windows as late', async () => {
      const h = await harness.open(
        windowOperatorFactory(byKey, (k) => k.window(GlobalWindows.create()).trigger(CountTrigger.of(1)).reduce(sumKV)),
      );
      h.watermark(1_000).send(['a', 1], 3);
      expect(h.records()).toEqual([['a', 1]]);
      expect(h.lateDropped).toBe(0);
    });
  });

  describe('processing-time windows', () => {
    it('fire when processing time reaches their end, stamped maxTimestamp(), whatever the watermark', async () => {
      const time = new FakeProcessingTimeService(1_000);
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(TumblingProcessingTimeWindows.of(100)).reduce(sumKV)), { time });
      h.send(['a', 1]).send(['b', 2]);
      h.watermark(MAX_WATERMARK);
      expect(h.records()).toEqual([]);
      time.advanceTo(1_050);
      h.send(['a', 3]);
      time.advanceTo(1_099);
      expect(h.stamped()).toEqual([
        [['a', 4], 1_099],
        [['b', 2], 1_099],
      ]);
      expect(h.entries(PROCESSING_TIMERS)).toBe(0);
      expect(h.entries(CONTENTS)).toBe(0);
    });

    it('stop firing at the end of input and keep their pending windows', async () => {
      const time = new FakeProcessingTimeService(0);
      const h = await harness.open(windowOperatorFactory(byKey, (k) => k.window(TumblingProcessingTimeWindows.of(100)).reduce(sumKV)), { time });
      h.send(['a', 1]);
      await h.operator.finish?.();
      time.advanceTo(1_000);
      expect(h.records()).toEqual([]);
      expect(h.entries(CONTENTS)).toBe(1);
    });
  });
});
