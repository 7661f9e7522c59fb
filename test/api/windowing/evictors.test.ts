/**
 * The evictors over an EvictionBuffer: which elements each removes, before or after the
 * window function, and the buffer's own bookkeeping.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountEvictor } from '../../../src/api/windowing/evictors/count-evictor.js';
import { DeltaEvictor } from '../../../src/api/windowing/evictors/delta-evictor.js';
import { EvictionBuffer } from '../../../src/api/windowing/evictors/eviction-buffer.js';
import type { EvictorContext, TimestampedValue } from '../../../src/api/windowing/evictors/evictor.js';
import { TimeEvictor } from '../../../src/api/windowing/evictors/time-evictor.js';
import { GlobalWindow } from '../../../src/api/windowing/windows/global-window.js';
import { JobDefinitionError } from '../../../src/core/errors.js';

const ctx: EvictorContext = { getCurrentProcessingTime: () => 0, getCurrentWatermark: () => Number.NEGATIVE_INFINITY };
const w = GlobalWindow.get();

/** Elements with values 0..n-1 and timestamps `timestamps[i]` (or none). */
function buffer<T = number>(values: T[], timestamps?: (number | undefined)[]): EvictionBuffer<T> {
  return new EvictionBuffer<T>(values.map((value, i) => ({ value, timestamp: timestamps?.[i] })));
}

describe('EvictionBuffer', () => {
  it('iterates the elements left, lets them be removed while iterating, and counts what is left', () => {
    const b = buffer([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]);
    expect(b.size).toBe(5);
    for (const element of b) if (element.value % 2 === 0) element.remove();
    expect(b.size).toBe(3);
    expect(b.removedCount).toBe(2);
    expect(b.values()).toEqual([1, 3, 5]);
    expect(b.toArray()).toEqual([
      { value: 1, timestamp: 10 },
      { value: 3, timestamp: 30 },
      { value: 5, timestamp: 50 },
    ]);
    const [first] = b;
    first!.remove();
    first!.remove(); // twice is once
    expect(b.size).toBe(2);
    expect([...b].map((e) => e.value)).toEqual([3, 5]);
  });
});

describe('CountEvictor', () => {
  it('keeps the last n elements, before the window function by default', () => {
    const b = buffer([1, 2, 3, 4, 5]);
    const evictor = CountEvictor.of(2);
    evictor.evictAfter(b, w, ctx);
    expect(b.values()).toEqual([1, 2, 3, 4, 5]);
    evictor.evictBefore(b, w, ctx);
    expect(b.values()).toEqual([4, 5]);
    evictor.evictBefore(b, w, ctx);
    expect(b.values()).toEqual([4, 5]);
  });

  it('evicts after the window function with doEvictAfter', () => {
    const b = buffer([1, 2, 3]);
    const evictor = CountEvictor.of(1, true);
    evictor.evictBefore(b, w, ctx);
    expect(b.size).toBe(3);
    evictor.evictAfter(b, w, ctx);
    expect(b.values()).toEqual([3]);
    expect(String(evictor)).toBe('CountEvictor(1, after)');
  });

  it('leaves min(size, n) elements, the last ones (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 50 }), fc.integer({ min: 0, max: 60 }), (values, n) => {
        const b = buffer(values);
        CountEvictor.of(n).evictBefore(b, w, ctx);
        expect(b.values()).toEqual(values.slice(Math.max(0, values.length - n)));
      }),
    );
  });

  it('refuses a negative or fractional count', () => {
    expect(() => CountEvictor.of(-1)).toThrow('CountEvictor.of(-1): the count must be a whole number >= 0');
    expect(() => CountEvictor.of(1.5)).toThrow(JobDefinitionError);
  });
});

describe('TimeEvictor', () => {
  it('removes the elements windowMs or more older than the newest', () => {
    const b = buffer(['a', 'b', 'c', 'd', 'e'], [1000, 1500, 2000, 2999, 3000]);
    TimeEvictor.of(1000).evictBefore(b, w, ctx);
    // newest 3000, cutoff 2000: timestamps <= 2000 go
    expect(b.values()).toEqual(['d', 'e']);
  });

  it('finds the newest element wherever it is, and keeps elements without a timestamp', () => {
    const b = buffer(['a', 'b', 'c', 'd'], [5000, 100, undefined, 4500]);
    TimeEvictor.of(1000).evictBefore(b, w, ctx);
    expect(b.values()).toEqual(['a', 'c', 'd']);
  });

  it('does nothing when the first element has no timestamp, or there are none', () => {
    const b = buffer(['a', 'b'], [undefined, 100_000]);
    TimeEvictor.of(10).evictBefore(b, w, ctx);
    expect(b.size).toBe(2);
    const empty = buffer<string>([]);
    TimeEvictor.of(10).evictBefore(empty, w, ctx);
    expect(empty.size).toBe(0);
  });

  it('evicts after the window function with doEvictAfter', () => {
    const b = buffer(['a', 'b'], [0, 100]);
    const evictor = TimeEvictor.of(50, true);
    evictor.evictBefore(b, w, ctx);
    expect(b.size).toBe(2);
    evictor.evictAfter(b, w, ctx);
    expect(b.values()).toEqual(['b']);
    expect(() => TimeEvictor.of(0)).toThrow(JobDefinitionError);
  });

  it('keeps exactly the elements newer than newest - windowMs (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -10_000, max: 10_000 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 5000 }),
        (timestamps, windowMs) => {
          const elements: TimestampedValue<number>[] = timestamps.map((timestamp, value) => ({ value, timestamp }));
          const b = new EvictionBuffer(elements);
          TimeEvictor.of(windowMs).evictBefore(b, w, ctx);
          const cutoff = Math.max(...timestamps) - windowMs;
          expect(b.toArray()).toEqual(elements.filter((e) => e.timestamp! > cutoff));
        },
      ),
    );
  });
});

describe('DeltaEvictor', () => {
  it('removes the elements whose delta to the last element reaches the threshold', () => {
    const b = buffer([1, 5, 8, 9, 10]);
    DeltaEvictor.of(3, (old: number, last: number) => Math.abs(last - old)).evictBefore(b, w, ctx);
    // deltas to 10: 9, 5, 2, 1, 0 → keep those < 3
    expect(b.values()).toEqual([8, 9, 10]);
  });

  it('takes a delta function object, and evicts after with doEvictAfter', () => {
    const b = buffer([{ t: 1 }, { t: 4 }, { t: 5 }]);
    const evictor = DeltaEvictor.of(2, { getDelta: (old: { t: number }, last: { t: number }) => last.t - old.t }, true);
    evictor.evictBefore(b, w, ctx);
    expect(b.size).toBe(3);
    evictor.evictAfter(b, w, ctx);
    expect(b.values()).toEqual([{ t: 4 }, { t: 5 }]);
  });

  it('does nothing to an empty window and refuses bad arguments', () => {
    const empty = buffer<number>([]);
    DeltaEvictor.of(1, (a: number, b: number) => b - a).evictBefore(empty, w, ctx);
    expect(empty.size).toBe(0);
    expect(() => DeltaEvictor.of(Number.NaN, (a: number, b: number) => b - a)).toThrow(JobDefinitionError);
    expect(() => DeltaEvictor.of(1, 'x' as never)).toThrow(/deltaFunction must be a function/);
  });
});
