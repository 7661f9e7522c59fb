/**
 * The built-in triggers, driven by hand through two trigger contexts (one over Maps, one
 * over the heap keyed backend with the window as namespace): what each returns, which
 * timers it registers and deletes, what state it keeps and how it merges.
 */
import { describe, expect, it } from 'vitest';
import { ContinuousEventTimeTrigger } from '../../../src/api/windowing/triggers/continuous-event-time-trigger.js';
import { ContinuousProcessingTimeTrigger } from '../../../src/api/windowing/triggers/continuous-processing-time-trigger.js';
import { CountTrigger } from '../../../src/api/windowing/triggers/count-trigger.js';
import { EventTimeTrigger } from '../../../src/api/windowing/triggers/event-time-trigger.js';
import { NeverTrigger } from '../../../src/api/windowing/triggers/never-trigger.js';
import { ProcessingTimeTrigger } from '../../../src/api/windowing/triggers/processing-time-trigger.js';
import { PurgingTrigger } from '../../../src/api/windowing/triggers/purging-trigger.js';
import { Trigger } from '../../../src/api/windowing/triggers/trigger.js';
import { TriggerResult } from '../../../src/api/windowing/triggers/trigger-result.js';
import { GlobalWindow } from '../../../src/api/windowing/windows/global-window.js';
import { TimeWindow } from '../../../src/api/windowing/windows/time-window.js';
import { JobDefinitionError } from '../../../src/core/errors.js';
import { ReducingStateDescriptor } from '../../../src/state/descriptors.js';
import { triggerContexts, type TestTriggerContext } from './trigger-contexts.js';

const tw = (start: number, end: number): TimeWindow => new TimeWindow(start, end);

describe('TriggerResult', () => {
  it('tells fire and purge apart and builds results from flags', () => {
    const all = [TriggerResult.CONTINUE, TriggerResult.FIRE, TriggerResult.PURGE, TriggerResult.FIRE_AND_PURGE];
    expect(all.map((r) => [TriggerResult.isFire(r), TriggerResult.isPurge(r)])).toEqual([
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]);
    for (const r of all) expect(TriggerResult.of({ fire: TriggerResult.isFire(r), purge: TriggerResult.isPurge(r) })).toBe(r);
  });
});

describe.each(triggerContexts)('triggers with a %s', (_name, createContext) => {
  const context = <W extends TimeWindow | GlobalWindow>(): TestTriggerContext<W> => createContext<W>();

  describe('CountTrigger', () => {
    it('fires every n elements of a window and counts from zero again', () => {
      const ctx = context<GlobalWindow>();
      const trigger = CountTrigger.of(3);
      const w = GlobalWindow.get();
      const results = Array.from({ length: 7 }, (_, i) => trigger.onElement(i, undefined, w, ctx.at(w)));
      expect(results).toEqual(['CONTINUE', 'CONTINUE', 'FIRE', 'CONTINUE', 'CONTINUE', 'FIRE', 'CONTINUE']);
      expect(trigger.onEventTime(5, w, ctx)).toBe('CONTINUE');
      expect(trigger.onProcessingTime(5, w, ctx)).toBe('CONTINUE');
      expect(ctx.eventTimers(w)).toEqual([]);
    });

    it('counts each window apart', () => {
      const ctx = context<TimeWindow>();
      const trigger = CountTrigger.of(2);
      const a = tw(0, 10);
      const b = tw(10, 20);
      expect(trigger.onElement('x', 1, a, ctx.at(a))).toBe('CONTINUE');
      expect(trigger.onElement('x', 11, b, ctx.at(b))).toBe('CONTINUE');
      expect(trigger.onElement('x', 2, a, ctx.at(a))).toBe('FIRE');
      expect(trigger.onElement('x', 12, b, ctx.at(b))).toBe('FIRE');
    });

    it('forgets the count on clear', () => {
      const ctx = context<TimeWindow>();
      const trigger = CountTrigger.of(2);
      const w = tw(0, 10);
      trigger.onElement('x', 1, w, ctx.at(w));
      trigger.clear(w, ctx.at(w));
      expect(trigger.onElement('x', 2, w, ctx.at(w))).toBe('CONTINUE');
      expect(trigger.onElement('x', 3, w, ctx.at(w))).toBe('FIRE');
    });

    it('adds the counts of merged windows into the merge result', () => {
      const ctx = context<TimeWindow>();
      const trigger = CountTrigger.of(4);
      const a = tw(0, 10);
      const b = tw(5, 15);
      const merged = tw(0, 15);
      trigger.onElement('x', 1, a, ctx.at(a));
      trigger.onElement('x', 2, a, ctx.at(a));
      trigger.onElement('x', 6, b, ctx.at(b));
      expect(trigger.canMerge()).toBe(true);
      // as the window operator does: onMerge for the result, then clear for each merged window
      trigger.onMerge(merged, ctx.at(merged, [a, b]));
      trigger.clear(a, ctx.at(a));
      trigger.clear(b, ctx.at(b));
      expect(trigger.onElement('x', 7, merged, ctx.at(merged))).toBe('FIRE');
      expect(trigger.onElement('x', 8, b, ctx.at(b))).toBe('CONTINUE'); // b's count went into the result
    });

    it('keeps its count in reducing state named count', () => {
      const ctx = context<TimeWindow>();
      const w = tw(0, 10);
      CountTrigger.of(5).onElement('x', 1, w, ctx.at(w));
      CountTrigger.of(5).onElement('x', 2, w, ctx.at(w));
      const count = ctx.at(w).getPartitionedState(new ReducingStateDescriptor<number>('count', (a, b) => a + b));
      expect(count.get()).toBe(2);
    });
  });

  describe('EventTimeTrigger', () => {
    const trigger = EventTimeTrigger.create();

    it('registers a timer at the window’s max timestamp and fires on it only', () => {
      const ctx = context<TimeWindow>();
      const w = tw(0, 1000);
      expect(trigger.onElement('x', 5, w, ctx.at(w))).toBe('CONTINUE');
      expect(trigger.onElement('x', 6, w, ctx.at(w))).toBe('CONTINUE');
      expect(ctx.eventTimers(w)).toEqual([999]);
      expect(trigger.onEventTime(999, w, ctx.at(w))).toBe('FIRE');
      expect(trigger.onEventTime(1500, w, ctx.at(w))).toBe('CONTINUE'); // e.g. the cleanup timer
      expect(trigger.onProcessingTime(999, w, ctx.at(w))).toBe('CONTINUE');
      trigger.clear(w, ctx.at(w));
      expect(ctx.eventTimers(w)).toEqual([]);
    });

    it('fires at once for an element of a window the watermark has passed (late within lateness)', () => {
      const ctx = context<TimeWindow>();
      const w = tw(0, 1000);
      ctx.watermark = 999;
      expect(trigger.onElement('x', 5, w, ctx.at(w))).toBe('FIRE');
      expect(ctx.eventTimers(w)).toEqual([]);
    });

    it('registers the merged window’s timer on merge unless the watermark is past it', () => {
      const ctx = context<TimeWindow>();
      const merged = tw(0, 1500);
      expect(trigger.canMerge()).toBe(true);
      trigger.onMerge(merged, ctx.at(merged, [tw(0, 1000), tw(500, 1500)]));
      expect(ctx.eventTimers(merged)).toEqual([1499]);
      const late = tw(0, 500);
      ctx.watermark = 600;
      trigger.onMerge(late, ctx.at(late, []));
      expect(ctx.eventTimers(late)).toEqual([]);
    });

    it('fires the global window at the end of input (+Infinity)', () => {
      const ctx = context<GlobalWindow>();
      const w = GlobalWindow.get();
      expect(trigger.onElement('x', 5, w, ctx.at(w))).toBe('CONTINUE');
      expect(ctx.eventTimers(w)).toEqual([Number.POSITIVE_INFINITY]);
      expect(trigger.onEventTime(Number.POSITIVE_INFINITY, w, ctx.at(w))).toBe('FIRE');
    });
  });

  describe('ProcessingTimeTrigger', () => {
    const trigger = ProcessingTimeTrigger.create();

    it('registers a processing-time timer at the window’s max timestamp and fires on it', () => {
      const ctx = context<TimeWindow>();
      const w = tw(0, 1000);
      expect(trigger.onElement('x', undefined, w, ctx.at(w))).toBe('CONTINUE');
      expect(ctx.processingTimers(w)).toEqual([999]);
      expect(trigger.onProcessingTime(999, w, ctx.at(w))).toBe('FIRE');
      expect(trigger.onEventTime(999, w, ctx.at(w))).toBe('CONTINUE');
      trigger.clear(w, ctx.at(w));
      expect(ctx.processingTimers(w)).toEqual([]);
    });

    it('registers the merged window’s timer on merge unless that time has passed', () => {
      const ctx = context<TimeWindow>();
      ctx.processingTime = 1000;
      const merged = tw(500, 2000);
      trigger.onMerge(merged, ctx.at(merged, []));
      expect(ctx.processingTimers(merged)).toEqual([1999]);
      const past = tw(0, 900);
      trigger.onMerge(past, ctx.at(past, []));
      expect(ctx.processingTimers(past)).toEqual([]);
    });
  });

  describe('PurgingTrigger', () => {
    it('turns every firing of the nested trigger into fire-and-purge', () => {
      const ctx = context<GlobalWindow>();
      const trigger = PurgingTrigger.of(CountTrigger.of(2));
      const w = GlobalWindow.get();
      const results = Array.from({ length: 4 }, (_, i) => trigger.onElement(i, undefined, w, ctx.at(w)));
      expect(results).toEqual(['CONTINUE', 'FIRE_AND_PURGE', 'CONTINUE', 'FIRE_AND_PURGE']);
      expect(String(trigger)).toBe('PurgingTrigger(CountTrigger(2))');
      expect(trigger.canMerge()).toBe(true);
    });

    it('passes timers, merging and clear through to the nested trigger', () => {
      const ctx = context<TimeWindow>();
      const trigger = PurgingTrigger.of(EventTimeTrigger.create());
      const w = tw(0, 100);
      trigger.onElement('x', 1, w, ctx.at(w));
      expect(ctx.eventTimers(w)).toEqual([99]);
      expect(trigger.onEventTime(99, w, ctx.at(w))).toBe('FIRE_AND_PURGE');
      expect(trigger.onEventTime(50, w, ctx.at(w))).toBe('CONTINUE');
      trigger.clear(w, ctx.at(w));
      expect(ctx.eventTimers(w)).toEqual([]);
      const merged = tw(0, 200);
      trigger.onMerge(merged, ctx.at(merged, [w]));
      expect(ctx.eventTimers(merged)).toEqual([199]);
    });
  });

  describe('ContinuousEventTimeTrigger', () => {
    it('fires every interval of event time and at the end of the window', () => {
      const ctx = context<TimeWindow>();
      const trigger = ContinuousEventTimeTrigger.of(100);
      const w = tw(0, 250);
      expect(trigger.onElement('x', 30, w, ctx.at(w))).toBe('CONTINUE');
      expect(ctx.eventTimers(w)).toEqual([100, 249]);
      expect(trigger.onElement('x', 130, w, ctx.at(w))).toBe('CONTINUE');
      expect(ctx.eventTimers(w)).toEqual([100, 249]); // one pending early firing at a time
      expect(trigger.onEventTime(100, w, ctx.at(w))).toBe('FIRE');
      expect(ctx.eventTimers(w)).toEqual([100, 200, 249]); // the fired one is the service's to drop
      expect(trigger.onEventTime(200, w, ctx.at(w))).toBe('FIRE');
      expect(trigger.onEventTime(249, w, ctx.at(w))).toBe('FIRE');
      trigger.clear(w, ctx.at(w)); // deletes the pending firing (249, the window's end)
      expect(ctx.eventTimers(w)).toEqual([100, 200]); // the fired ones are the timer service's to drop
    });

    it('fires at once when the watermark is past the window, and merges to the earliest next firing', () => {
      const ctx = context<TimeWindow>();
      const trigger = ContinuousEventTimeTrigger.of(100);
      const a = tw(0, 1000);
      const b = tw(500, 1500);
      trigger.onElement('x', 10, a, ctx.at(a)); // next firing 100
      trigger.onElement('x', 520, b, ctx.at(b)); // next firing 600
      const merged = tw(0, 1500);
      trigger.onMerge(merged, ctx.at(merged, [a, b]));
      expect(ctx.eventTimers(merged)).toEqual([100]);
      const fireTime = ctx.at(merged).getPartitionedState(new ReducingStateDescriptor<number>('fire-time', Math.min));
      expect(fireTime.get()).toBe(100);
      ctx.watermark = 2000;
      expect(trigger.onElement('x', 10, merged, ctx.at(merged))).toBe('FIRE');
      expect(() => ContinuousEventTimeTrigger.of(0)).toThrow(JobDefinitionError);
    });
  });

  describe('ContinuousProcessingTimeTrigger', () => {
    it('fires every interval of processing time, capped at the window’s end', () => {
      const ctx = context<TimeWindow>();
      const trigger = ContinuousProcessingTimeTrigger.of(100);
      const w = tw(0, 250);
      ctx.processingTime = 42;
      expect(trigger.onElement('x', undefined, w, ctx.at(w))).toBe('CONTINUE');
      expect(ctx.processingTimers(w)).toEqual([100]);
      expect(trigger.onProcessingTime(100, w, ctx.at(w))).toBe('FIRE');
      expect(trigger.onProcessingTime(150, w, ctx.at(w))).toBe('CONTINUE');
      expect(trigger.onProcessingTime(200, w, ctx.at(w))).toBe('FIRE');
      expect(ctx.processingTimers(w)).toEqual([100, 200, 249]);
      trigger.clear(w, ctx.at(w));
      expect(ctx.processingTimers(w)).toEqual([100, 200]);
    });
  });

  describe('NeverTrigger', () => {
    it('never fires and registers nothing', () => {
      const ctx = context<GlobalWindow>();
      const trigger = NeverTrigger.create();
      const w = GlobalWindow.get();
      expect(trigger.onElement('x', 1, w, ctx.at(w))).toBe('CONTINUE');
      expect(trigger.onEventTime(Number.POSITIVE_INFINITY, w, ctx.at(w))).toBe('CONTINUE');
      expect(trigger.onProcessingTime(1, w, ctx.at(w))).toBe('CONTINUE');
      expect(ctx.eventTimers(w)).toEqual([]);
    });
  });
});

describe('Trigger', () => {
  class FireOnRedTrigger extends Trigger<string, TimeWindow> {
    onElement(element: string): TriggerResult {
      return element === 'red' ? 'FIRE' : 'CONTINUE';
    }
    onEventTime(): TriggerResult {
      return 'CONTINUE';
    }
    onProcessingTime(): TriggerResult {
      return 'CONTINUE';
    }
    clear(): void {}
    override toString(): string {
      return 'FireOnRedTrigger';
    }
  }

  it('does not merge unless a custom trigger implements onMerge', () => {
    const trigger = new FireOnRedTrigger();
    const ctx = triggerContexts[0][1]<TimeWindow>();
    expect(trigger.canMerge()).toBe(false);
    expect(() => trigger.onMerge(tw(0, 1), ctx.at(tw(0, 1)))).toThrow(
      'FireOnRedTrigger does not support merging windows (session windows); use a trigger whose canMerge() is true',
    );
    expect(trigger.onElement('red')).toBe('FIRE');
  });

  it('refuses a count below 1', () => {
    expect(() => CountTrigger.of(0)).toThrow('CountTrigger.of(0): the count must be a whole number >= 1');
    expect(() => CountTrigger.of(2.5)).toThrow(JobDefinitionError);
  });
});
