/**
 * The window assigners: tumbling and sliding assignment as properties (each timestamp in
 * exactly the windows that hold it, aligned to the offset, negative timestamps), Flink's
 * examples, the processing-time twins reading the clock, sessions, global windows,
 * argument checks and the error for a record without a timestamp.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamicEventTimeSessionWindows } from '../../../src/api/windowing/assigners/dynamic-event-time-session-windows.js';
import { EventTimeSessionWindows } from '../../../src/api/windowing/assigners/event-time-session-windows.js';
import { GlobalWindows } from '../../../src/api/windowing/assigners/global-windows.js';
import { isMergingWindowAssigner } from '../../../src/api/windowing/assigners/merging-window-assigner.js';
import { ProcessingTimeSessionWindows } from '../../../src/api/windowing/assigners/processing-time-session-windows.js';
import { SlidingEventTimeWindows } from '../../../src/api/windowing/assigners/sliding-event-time-windows.js';
import { SlidingProcessingTimeWindows } from '../../../src/api/windowing/assigners/sliding-processing-time-windows.js';
import { TumblingEventTimeWindows } from '../../../src/api/windowing/assigners/tumbling-event-time-windows.js';
import { TumblingProcessingTimeWindows } from '../../../src/api/windowing/assigners/tumbling-processing-time-windows.js';
import type { WindowAssignerContext } from '../../../src/api/windowing/assigners/window-assigner.js';
import { EventTimeTrigger } from '../../../src/api/windowing/triggers/event-time-trigger.js';
import { NeverTrigger } from '../../../src/api/windowing/triggers/never-trigger.js';
import { ProcessingTimeTrigger } from '../../../src/api/windowing/triggers/processing-time-trigger.js';
import { GlobalWindow } from '../../../src/api/windowing/windows/global-window.js';
import { TimeWindow } from '../../../src/api/windowing/windows/time-window.js';
import { JobDefinitionError } from '../../../src/core/errors.js';

const clock = (now: number): WindowAssignerContext => ({ getCurrentProcessingTime: () => now });
const noClock: WindowAssignerContext = {
  getCurrentProcessingTime: () => {
    throw new Error('event-time assigners must not read the clock');
  },
};
const tw = (start: number, end: number): TimeWindow => new TimeWindow(start, end);
const sorted = (ws: readonly TimeWindow[]): TimeWindow[] => [...ws].sort((a, b) => a.start - b.start);
/** Floor modulo, never negative. */
const mod = (a: number, n: number): number => ((a % n) + n) % n;

const timestamp = fc.integer({ min: -1e12, max: 1e12 });
const periodAndOffset = fc
  .integer({ min: 1, max: 100_000 })
  .chain((p) => fc.tuple(fc.constant(p), fc.integer({ min: -(p - 1), max: p - 1 })));

describe('TumblingEventTimeWindows', () => {
  it('puts each timestamp in exactly one window of the size, aligned to the offset, that holds it', () => {
    fc.assert(
      fc.property(timestamp, periodAndOffset, (t, [size, offset]) => {
        const windows = TumblingEventTimeWindows.of(size, offset).assignWindows('x', t, noClock);
        expect(windows).toHaveLength(1);
        const [w] = windows as [TimeWindow];
        expect(w.end - w.start).toBe(size);
        expect(w.start <= t && t < w.end).toBe(true);
        expect(w.maxTimestamp() >= t).toBe(true);
        expect(mod(w.start - offset, size)).toBe(0);
      }),
    );
  });

  it('assigns as Flink’s tests do, negative timestamps included', () => {
    const assigner = TumblingEventTimeWindows.of(5000);
    expect(assigner.assignWindows('x', 0, noClock)).toEqual([tw(0, 5000)]);
    expect(assigner.assignWindows('x', 4999, noClock)).toEqual([tw(0, 5000)]);
    expect(assigner.assignWindows('x', 5000, noClock)).toEqual([tw(5000, 10000)]);
    expect(assigner.assignWindows('x', -1, noClock)).toEqual([tw(-5000, 0)]);
    const shifted = TumblingEventTimeWindows.of(5000, 100);
    expect(shifted.assignWindows('x', 100, noClock)).toEqual([tw(100, 5100)]);
    expect(shifted.assignWindows('x', 5099, noClock)).toEqual([tw(100, 5100)]);
    expect(shifted.assignWindows('x', 99, noClock)).toEqual([tw(-4900, 100)]);
  });

  it('is event time, fired by the event-time trigger, with time-window namespaces', () => {
    const assigner = TumblingEventTimeWindows.of(1000);
    expect(assigner.isEventTime()).toBe(true);
    expect(assigner.getDefaultTrigger()).toBe(EventTimeTrigger.create());
    expect(assigner.getWindowCodec()).toBe(TimeWindow.codec);
    expect(isMergingWindowAssigner(assigner)).toBe(false);
    expect(String(assigner)).toBe('TumblingEventTimeWindows(1000)');
    expect(assigner.size).toBe(1000);
    expect(assigner.offset).toBe(0);
  });

  it('refuses a record without a timestamp and says what to do', () => {
    const assigner = TumblingEventTimeWindows.of(1000);
    expect(() => assigner.assignWindows('x', undefined, noClock)).toThrow(JobDefinitionError);
    expect(() => assigner.assignWindows('x', undefined, noClock)).toThrow(
      'TumblingEventTimeWindows(1000): a record has no timestamp: did you forget assignTimestampsAndWatermarks(...)? ' +
        'Event-time windows need a timestamp on every record; to window by the time records arrive, use TumblingProcessingTimeWindows',
    );
    expect(() => assigner.assignWindows('x', Number.NaN, noClock)).toThrow(/no timestamp/);
    expect(() => assigner.assignWindows('x', Number.POSITIVE_INFINITY, noClock)).toThrow(/finite timestamp/);
  });

  it('refuses a size that is not a whole number > 0 and an offset with |offset| >= size', () => {
    expect(() => TumblingEventTimeWindows.of(0)).toThrow(
      'TumblingEventTimeWindows.of(0, 0): size must be a whole number of milliseconds > 0, got 0',
    );
    expect(() => TumblingEventTimeWindows.of(-5)).toThrow(JobDefinitionError);
    expect(() => TumblingEventTimeWindows.of(1.5)).toThrow(JobDefinitionError);
    expect(() => TumblingEventTimeWindows.of(Number.POSITIVE_INFINITY)).toThrow(JobDefinitionError);
    expect(() => TumblingEventTimeWindows.of('1000' as unknown as number)).toThrow(JobDefinitionError);
    expect(() => TumblingEventTimeWindows.of(1000, 1000)).toThrow(
      'TumblingEventTimeWindows.of(1000, 1000): the offset must satisfy |offset| < size, got offset 1000 and size 1000',
    );
    expect(() => TumblingEventTimeWindows.of(1000, -1000)).toThrow(JobDefinitionError);
    expect(() => TumblingEventTimeWindows.of(1000, 0.5)).toThrow(/offset must be a whole number/);
    expect(TumblingEventTimeWindows.of(1000, -999).offset).toBe(-999);
  });
});

describe('SlidingEventTimeWindows', () => {
  /** Brute force: every window start offset + k × slide whose window holds t. */
  function bruteForce(t: number, size: number, slide: number, offset: number): TimeWindow[] {
    const windows: TimeWindow[] = [];
    const last = t - mod(t - offset, slide);
    for (let start = last; start > t - size - slide; start -= slide) {
      if (start <= t && t < start + size) windows.push(tw(start, start + size));
    }
    return sorted(windows);
  }

  const sizeSlideOffset = fc
    .tuple(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }))
    .chain(([size, slide]) => fc.tuple(fc.constant(size), fc.constant(slide), fc.integer({ min: -(slide - 1), max: slide - 1 })));

  it('puts each timestamp in exactly the windows that hold it: size / slide of them when slide divides size', () => {
    fc.assert(
      fc.property(timestamp, sizeSlideOffset, (t, [size, slide, offset]) => {
        const windows = SlidingEventTimeWindows.of(size, slide, offset).assignWindows('x', t, noClock);
        expect(sorted(windows)).toEqual(bruteForce(t, size, slide, offset));
        for (const w of windows) {
          expect(w.start <= t && t < w.end).toBe(true);
          expect(w.end - w.start).toBe(size);
          expect(mod(w.start - offset, slide)).toBe(0);
        }
        expect(new Set(windows.map((w) => w.hashKey())).size).toBe(windows.length);
        expect(windows.length === Math.floor(size / slide) || windows.length === Math.ceil(size / slide)).toBe(true);
        if (size % slide === 0) expect(windows).toHaveLength(size / slide);
      }),
    );
  });

  it('assigns as Flink’s tests do', () => {
    const assigner = SlidingEventTimeWindows.of(5000, 1000);
    expect(sorted(assigner.assignWindows('x', 0, noClock))).toEqual([
      tw(-4000, 1000), tw(-3000, 2000), tw(-2000, 3000), tw(-1000, 4000), tw(0, 5000),
    ]);
    expect(sorted(assigner.assignWindows('x', 4999, noClock))).toEqual([
      tw(0, 5000), tw(1000, 6000), tw(2000, 7000), tw(3000, 8000), tw(4000, 9000),
    ]);
    expect(sorted(assigner.assignWindows('x', 5000, noClock))).toEqual([
      tw(1000, 6000), tw(2000, 7000), tw(3000, 8000), tw(4000, 9000), tw(5000, 10000),
    ]);
    expect(sorted(SlidingEventTimeWindows.of(5000, 1000, 100).assignWindows('x', 100, noClock))).toEqual([
      tw(-3900, 1100), tw(-2900, 2100), tw(-1900, 3100), tw(-900, 4100), tw(100, 5100),
    ]);
  });

  it('gives no window to a timestamp in the gap between windows when slide > size', () => {
    const assigner = SlidingEventTimeWindows.of(1000, 5000);
    expect(assigner.assignWindows('x', 500, noClock)).toEqual([tw(0, 1000)]);
    expect(assigner.assignWindows('x', 1500, noClock)).toEqual([]);
  });

  it('is event time and refuses bad arguments and records without a timestamp', () => {
    const assigner = SlidingEventTimeWindows.of(10_000, 1000);
    expect(assigner.isEventTime()).toBe(true);
    expect(assigner.getDefaultTrigger()).toBe(EventTimeTrigger.create());
    expect(String(assigner)).toBe('SlidingEventTimeWindows(10000, 1000)');
    expect(() => assigner.assignWindows('x', undefined, noClock)).toThrow(
      /SlidingEventTimeWindows\(10000, 1000\): a record has no timestamp: did you forget assignTimestampsAndWatermarks\(\.\.\.\)\?.*SlidingProcessingTimeWindows/,
    );
    expect(() => SlidingEventTimeWindows.of(1000, 0)).toThrow(/slide must be a whole number of milliseconds > 0, got 0/);
    expect(() => SlidingEventTimeWindows.of(0, 100)).toThrow(/size must be/);
    expect(() => SlidingEventTimeWindows.of(1000, 100, 100)).toThrow(
      'SlidingEventTimeWindows.of(1000, 100, 100): the offset must satisfy |offset| < slide, got offset 100 and slide 100',
    );
  });
});

describe('processing-time assigners', () => {
  it('window the current processing time and ignore the record’s timestamp', () => {
    expect(TumblingProcessingTimeWindows.of(1000).assignWindows('x', 123_456, clock(2500))).toEqual([tw(2000, 3000)]);
    expect(TumblingProcessingTimeWindows.of(1000, 200).assignWindows('x', undefined, clock(2100))).toEqual([
      tw(1200, 2200),
    ]);
    expect(sorted(SlidingProcessingTimeWindows.of(3000, 1000).assignWindows('x', undefined, clock(2500)))).toEqual([
      tw(0, 3000), tw(1000, 4000), tw(2000, 5000),
    ]);
    expect(ProcessingTimeSessionWindows.withGap(500).assignWindows('x', undefined, clock(2500))).toEqual([tw(2500, 3000)]);
    expect(
      ProcessingTimeSessionWindows.withDynamicGap<number>((gap) => gap).assignWindows(700, undefined, clock(100)),
    ).toEqual([tw(100, 800)]);
  });

  it('agree with their event-time twins at the same time (property)', () => {
    fc.assert(
      fc.property(timestamp, periodAndOffset, fc.integer({ min: 1, max: 5 }), (t, [slide, offset], factor) => {
        const size = slide * factor;
        expect(TumblingProcessingTimeWindows.of(slide, offset).assignWindows('x', undefined, clock(t))).toEqual(
          TumblingEventTimeWindows.of(slide, offset).assignWindows('x', t, noClock),
        );
        expect(SlidingProcessingTimeWindows.of(size, slide, offset).assignWindows('x', undefined, clock(t))).toEqual(
          SlidingEventTimeWindows.of(size, slide, offset).assignWindows('x', t, noClock),
        );
      }),
    );
  });

  it('are processing time, fired by the processing-time trigger', () => {
    for (const assigner of [
      TumblingProcessingTimeWindows.of(1000),
      SlidingProcessingTimeWindows.of(1000, 100),
      ProcessingTimeSessionWindows.withGap(1000),
      ProcessingTimeSessionWindows.withDynamicGap(() => 5),
    ]) {
      expect(assigner.isEventTime()).toBe(false);
      expect(assigner.getDefaultTrigger()).toBe(ProcessingTimeTrigger.create());
      expect(assigner.getWindowCodec()).toBe(TimeWindow.codec);
    }
    expect(String(TumblingProcessingTimeWindows.of(1000, 5))).toBe('TumblingProcessingTimeWindows(1000, 5)');
    expect(() => TumblingProcessingTimeWindows.of(100, 100)).toThrow(JobDefinitionError);
    expect(() => SlidingProcessingTimeWindows.of(100, -1)).toThrow(JobDefinitionError);
    expect(() => ProcessingTimeSessionWindows.withGap(0)).toThrow(/the gap must be a whole number of milliseconds > 0/);
  });
});

describe('session window assigners', () => {
  it('give each record the window [timestamp, timestamp + gap) and merge', () => {
    const assigner = EventTimeSessionWindows.withGap(5000);
    expect(assigner.assignWindows('x', 1000, noClock)).toEqual([tw(1000, 6000)]);
    expect(assigner.assignWindows('x', -1000, noClock)).toEqual([tw(-1000, 4000)]);
    expect(isMergingWindowAssigner(assigner)).toBe(true);
    expect(assigner.isEventTime()).toBe(true);
    expect(assigner.getDefaultTrigger()).toBe(EventTimeTrigger.create());
    expect(String(assigner)).toBe('EventTimeSessionWindows(5000)');
  });

  it('merge consecutive windows as Flink’s test does', () => {
    const calls: [TimeWindow[], TimeWindow][] = [];
    EventTimeSessionWindows.withGap(5000).mergeWindows(
      [tw(0, 1), tw(1, 2), tw(2, 3), tw(4, 5), tw(5, 6)],
      (toBeMerged, result) => calls.push([sorted(toBeMerged), result]),
    );
    expect(calls).toEqual([
      [[tw(0, 1), tw(1, 2), tw(2, 3)], tw(0, 3)],
      [[tw(4, 5), tw(5, 6)], tw(4, 6)],
    ]);
  });

  it('take a dynamic gap from each record, as a function or an extractor object', () => {
    const fromFunction = EventTimeSessionWindows.withDynamicGap<{ gap: number }>((e) => e.gap);
    expect(fromFunction).toBeInstanceOf(DynamicEventTimeSessionWindows);
    expect(fromFunction.assignWindows({ gap: 10 }, 100, noClock)).toEqual([tw(100, 110)]);
    const fromObject = EventTimeSessionWindows.withDynamicGap<number>({ extract: (e) => e * 2 });
    expect(fromObject.assignWindows(7, 0, noClock)).toEqual([tw(0, 14)]);
    expect(isMergingWindowAssigner(fromObject)).toBe(true);
    expect(fromObject.isEventTime()).toBe(true);
  });

  it('refuse a gap that is not > 0, a missing extractor and a record without a timestamp', () => {
    expect(() => EventTimeSessionWindows.withGap(0)).toThrow(
      'EventTimeSessionWindows.withGap(0): the gap must be a whole number of milliseconds > 0, got 0',
    );
    expect(() => EventTimeSessionWindows.withDynamicGap(42 as never)).toThrow(
      /EventTimeSessionWindows.withDynamicGap\(\) needs a function \(element\) => gap in milliseconds/,
    );
    const dynamic = EventTimeSessionWindows.withDynamicGap<number>((gap) => gap);
    expect(() => dynamic.assignWindows(0, 100, noClock)).toThrow(
      'DynamicEventTimeSessionWindows(): the gap extractor returned 0; a session gap must be a number of milliseconds > 0',
    );
    expect(() => dynamic.assignWindows(Number.NaN, 100, noClock)).toThrow(JobDefinitionError);
    expect(() => dynamic.assignWindows(5, undefined, noClock)).toThrow(/no timestamp: did you forget assignTimestampsAndWatermarks/);
    expect(() => EventTimeSessionWindows.withGap(10).assignWindows('x', undefined, noClock)).toThrow(
      /EventTimeSessionWindows\(10\): a record has no timestamp.*use ProcessingTimeSessionWindows$/,
    );
  });
});

describe('GlobalWindows', () => {
  it('puts every record into the global window, never fired by default', () => {
    const assigner = GlobalWindows.create();
    expect(assigner.assignWindows('x', undefined, noClock)).toEqual([GlobalWindow.get()]);
    expect(assigner.assignWindows('y', 5, noClock)[0]).toBe(GlobalWindow.get());
    expect(assigner.getDefaultTrigger()).toBe(NeverTrigger.create());
    expect(assigner.isEventTime()).toBe(false);
    expect(assigner.getWindowCodec()).toBe(GlobalWindow.codec);
    expect(isMergingWindowAssigner(assigner)).toBe(false);
  });

  it('fires at the end of input with the end-of-stream trigger', () => {
    const assigner = GlobalWindows.createWithEndOfStreamTrigger();
    expect(assigner.getDefaultTrigger()).toBe(EventTimeTrigger.create());
    expect(assigner.assignWindows('x', undefined, noClock)).toEqual([GlobalWindow.get()]);
  });
});
