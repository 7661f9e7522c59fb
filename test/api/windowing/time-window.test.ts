/**
 * TimeWindow and GlobalWindow: Flink's window-start arithmetic (offsets, negative
 * timestamps) against an exact reference, intersection and cover, merging, and the
 * window as a state namespace (round trip, identity, through the heap backend's snapshot).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GlobalWindow } from '../../../src/api/windowing/windows/global-window.js';
import { TimeWindow } from '../../../src/api/windowing/windows/time-window.js';
import { StateSerializationError } from '../../../src/core/errors.js';
import { keyId } from '../../../src/core/key-encoding.js';
import { KeyGroupRange } from '../../../src/core/key-group-range.js';
import { ListStateDescriptor } from '../../../src/state/descriptors.js';
import { HeapKeyedStateBackend } from '../../../src/state/heap/heap-keyed-state-backend.js';

/** Exact reference: t - ((t - offset) mod size), with a floor modulo, in bigints. */
function referenceStart(t: number, offset: number, size: number): number {
  const n = BigInt(size);
  const r = (((BigInt(t) - BigInt(offset)) % n) + n) % n;
  return Number(BigInt(t) - r);
}

const timestamp = fc.integer({ min: -1e12, max: 1e12 });
const sizeAndOffset = fc
  .integer({ min: 1, max: 1e7 })
  .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: -(size - 1), max: size - 1 })));

const windows = (list: [number, number][]): TimeWindow[] => list.map(([s, e]) => new TimeWindow(s, e));

describe('TimeWindow.getWindowStartWithOffset', () => {
  it('gives Flink’s starts for offsets 0, 3 and -2 with size 7', () => {
    const start = TimeWindow.getWindowStartWithOffset;
    expect([0, 6, 7, 8].map((t) => start(t, 0, 7))).toEqual([0, 0, 7, 7]);
    expect([0, 1, 2, 3, 9, 10].map((t) => start(t, 3, 7))).toEqual([-4, -4, -4, 3, 3, 10]);
    expect([0, 1, -2, 4, 5, 12].map((t) => start(t, -2, 7))).toEqual([-2, -2, -2, -2, 5, 12]);
  });

  it('aligns days to UTC+8 with an offset of -8 hours, as Flink’s example', () => {
    expect(TimeWindow.getWindowStartWithOffset(1470902048450, -8 * 3_600_000, 86_400_000)).toBe(1470844800000);
  });

  it('rounds negative timestamps down, not toward zero', () => {
    expect(TimeWindow.getWindowStartWithOffset(-1, 0, 7)).toBe(-7);
    expect(TimeWindow.getWindowStartWithOffset(-7, 0, 7)).toBe(-7);
    expect(TimeWindow.getWindowStartWithOffset(-8, 0, 7)).toBe(-14);
    expect(TimeWindow.getWindowStartWithOffset(-1000, 0, 1000)).toBe(-1000);
    expect(TimeWindow.getWindowStartWithOffset(-999, 0, 1000)).toBe(-1000);
  });

  it('matches the exact reference formula for any timestamp, size and offset', () => {
    fc.assert(
      fc.property(timestamp, sizeAndOffset, (t, [size, offset]) => {
        const start = TimeWindow.getWindowStartWithOffset(t, offset, size);
        expect(start).toBe(referenceStart(t, offset, size));
        expect(start).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(start + size);
      }),
    );
  });
});

describe('TimeWindow', () => {
  it('ends one millisecond before its exclusive end', () => {
    expect(new TimeWindow(0, 1000).maxTimestamp()).toBe(999);
    expect(new TimeWindow(-2000, -1000).maxTimestamp()).toBe(-1001);
  });

  it('intersects windows that overlap or touch, and covers both', () => {
    const a = new TimeWindow(0, 10);
    expect(a.intersects(new TimeWindow(5, 15))).toBe(true);
    expect(a.intersects(new TimeWindow(10, 20))).toBe(true); // touching: sessions merge
    expect(a.intersects(new TimeWindow(-10, 0))).toBe(true);
    expect(a.intersects(new TimeWindow(11, 20))).toBe(false);
    expect(a.intersects(new TimeWindow(-10, -1))).toBe(false);
    expect(a.cover(new TimeWindow(5, 15))).toEqual(new TimeWindow(0, 15));
    expect(new TimeWindow(3, 4).cover(a)).toEqual(new TimeWindow(0, 10));
  });

  it('is equal by value, with a hash key that is equal exactly for equal windows', () => {
    const a = new TimeWindow(0, 10);
    expect(a.equals(new TimeWindow(0, 10))).toBe(true);
    expect(a.equals(new TimeWindow(0, 11))).toBe(false);
    expect(a.equals({ start: 0, end: 10 })).toBe(false);
    expect(a.hashKey()).toBe(new TimeWindow(0, 10).hashKey());
    expect(new TimeWindow(-0, 10).hashKey()).toBe(a.hashKey());
    fc.assert(
      fc.property(fc.tuple(timestamp, timestamp), fc.tuple(timestamp, timestamp), ([s1, e1], [s2, e2]) => {
        const w1 = new TimeWindow(s1, e1);
        const w2 = new TimeWindow(s2, e2);
        expect(w1.hashKey() === w2.hashKey()).toBe(w1.equals(w2));
        expect(keyId(w1.namespace()) === keyId(w2.namespace())).toBe(w1.equals(w2));
      }),
    );
  });

  it('is the namespace [start, end] and comes back from it', () => {
    const w = new TimeWindow(-1500, 1_700_000_000_000);
    expect(w.namespace()).toEqual([-1500, 1_700_000_000_000]);
    expect(TimeWindow.codec.toNamespace(w)).toEqual(w.namespace());
    expect(TimeWindow.codec.fromNamespace(w.namespace())).toEqual(w);
    expect(() => TimeWindow.codec.fromNamespace([1, 2, 3])).toThrow(StateSerializationError);
    expect(() => TimeWindow.codec.fromNamespace('w')).toThrow(/expected a tuple \[start, end\] of two numbers, found "w"/);
  });

  it('keeps state under its namespace through a heap backend snapshot and restore', async () => {
    const descriptor = new ListStateDescriptor<string>('window-contents');
    const backend = new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) });
    const state = backend.getPartitionedState(descriptor);
    backend.setCurrentKey('sensor-1');
    const stored = [new TimeWindow(0, 1000), new TimeWindow(1_700_000_000_000, 1_700_000_060_000), new TimeWindow(-5, 5)];
    for (const w of stored) {
      state.setCurrentNamespace(w.namespace());
      state.add(String(w));
    }
    const snapshot = await backend.snapshot(1).run();

    const restored = new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) });
    restored.restore([snapshot]);
    const again = restored.getPartitionedState(descriptor);
    const found = [...restored.getKeysAndNamespaces('window-contents')].map(([key, namespace]) => {
      const window = TimeWindow.codec.fromNamespace(namespace as never);
      restored.setCurrentKey(key);
      again.setCurrentNamespace(window.namespace());
      return { key, window, contents: [...again.get()] };
    });
    expect(found.sort((a, b) => a.window.start - b.window.start)).toEqual(
      [...stored]
        .sort((a, b) => a.start - b.start)
        .map((window) => ({ key: 'sensor-1', window, contents: [String(window)] })),
    );
  });
});

describe('TimeWindow.mergeWindows', () => {
  function merges(list: TimeWindow[]): [string[], string][] {
    const calls: [string[], string][] = [];
    TimeWindow.mergeWindows(list, (toBeMerged, result) => {
      calls.push([toBeMerged.map(String).sort(), String(result)]);
    });
    return calls;
  }

  it('merges runs of consecutive windows and reports each run once, as Flink', () => {
    const calls = merges(windows([[0, 1], [1, 2], [2, 3], [4, 5], [5, 6]]));
    expect(calls).toEqual([
      [windows([[0, 1], [1, 2], [2, 3]]).map(String).sort(), String(new TimeWindow(0, 3))],
      [windows([[4, 5], [5, 6]]).map(String).sort(), String(new TimeWindow(4, 6))],
    ]);
  });

  it('reports nothing for windows that do not overlap, and counts equal windows once', () => {
    expect(merges(windows([[0, 1], [2, 3], [4, 5]]))).toEqual([]);
    expect(merges(windows([[0, 4], [0, 4]]))).toEqual([]);
    expect(merges(windows([[0, 4], [0, 4], [3, 5]]))).toEqual([
      [windows([[0, 4], [3, 5]]).map(String).sort(), String(new TimeWindow(0, 5))],
    ]);
  });

  it('merges a large window with the small windows it covers, in any input order', () => {
    expect(merges(windows([[1, 2], [0, 10], [4, 5], [12, 13]]))).toEqual([
      [windows([[0, 10], [1, 2], [4, 5]]).map(String).sort(), String(new TimeWindow(0, 10))],
    ]);
  });

  it('leaves disjoint results whose union covers every input window (property)', () => {
    const window = fc.tuple(fc.integer({ min: -100, max: 100 }), fc.integer({ min: 1, max: 20 }));
    fc.assert(
      fc.property(fc.array(window, { maxLength: 30 }), (pairs) => {
        const input = pairs.map(([s, len]) => new TimeWindow(s, s + len));
        const results: TimeWindow[] = [];
        const mergedAway = new Set<string>();
        TimeWindow.mergeWindows(input, (toBeMerged, result) => {
          expect(toBeMerged.length).toBeGreaterThan(1);
          for (const w of toBeMerged) mergedAway.add(w.hashKey());
          results.push(result);
        });
        const final = [
          ...results,
          ...new Map(input.filter((w) => !mergedAway.has(w.hashKey())).map((w) => [w.hashKey(), w])).values(),
        ];
        for (let i = 0; i < final.length; i++) {
          for (let j = i + 1; j < final.length; j++) expect(final[i]!.intersects(final[j]!)).toBe(false);
        }
        for (const w of input) expect(final.some((f) => f.start <= w.start && w.end <= f.end)).toBe(true);
      }),
    );
  });
});

describe('GlobalWindow', () => {
  it('is one window that never ends, with the namespace []', () => {
    expect(GlobalWindow.get()).toBe(GlobalWindow.get());
    expect(GlobalWindow.get().maxTimestamp()).toBe(Number.POSITIVE_INFINITY);
    expect(GlobalWindow.get().namespace()).toEqual([]);
    expect(GlobalWindow.codec.fromNamespace([])).toBe(GlobalWindow.get());
    expect(GlobalWindow.get().equals(GlobalWindow.get())).toBe(true);
    expect(GlobalWindow.get().equals(new TimeWindow(0, 1))).toBe(false);
    expect(() => GlobalWindow.codec.fromNamespace([0, 1])).toThrow(StateSerializationError);
  });
});
