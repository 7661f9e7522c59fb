/**
 * MergingWindowSet: Flink's MergingWindowSetTest cases (incremental merging, late
 * merging, a large window covering others, retiring, restoring, persisting only on
 * change), the mapping kept in the heap backend's list state through a snapshot, and as
 * a property: sessions come out the same, with the same contents, in any arrival order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventTimeSessionWindows } from '../../../src/api/windowing/assigners/event-time-session-windows.js';
import {
  MergingWindowSet,
  type MergeFunction,
  type MergingWindowStore,
} from '../../../src/api/windowing/merging-window-set.js';
import { TimeWindow } from '../../../src/api/windowing/windows/time-window.js';
import { StateAccessError } from '../../../src/core/errors.js';
import type { Key } from '../../../src/core/key-encoding.js';
import { KeyGroupRange } from '../../../src/core/key-group-range.js';
import { ListStateDescriptor } from '../../../src/state/descriptors.js';
import { HeapKeyedStateBackend } from '../../../src/state/heap/heap-keyed-state-backend.js';

const tw = (start: number, end: number): TimeWindow => new TimeWindow(start, end);
const sessions = EventTimeSessionWindows.withGap(3);

class MemoryStore implements MergingWindowStore {
  pairs: [Key, Key][] = [];
  updates = 0;
  get(): Iterable<readonly [Key, Key]> {
    return this.pairs;
  }
  update(pairs: Iterable<[Key, Key]>): void {
    this.pairs = [...pairs];
    this.updates += 1;
  }
}

interface MergeCall {
  result: TimeWindow;
  merged: TimeWindow[];
  stateResult: TimeWindow;
  mergedState: TimeWindow[];
}

/** A merge function that records its calls; `take()` returns and forgets them. */
function recorder(): MergeFunction<TimeWindow> & { take(): MergeCall[] } {
  let calls: MergeCall[] = [];
  const fn = ((result, merged, stateResult, mergedState) => {
    calls.push({ result, merged: [...merged], stateResult, mergedState: [...mergedState] });
  }) as MergeFunction<TimeWindow> & { take(): MergeCall[] };
  fn.take = () => {
    const taken = calls;
    calls = [];
    return taken;
  };
  return fn;
}

const byStart = (ws: TimeWindow[]): TimeWindow[] => [...ws].sort((a, b) => a.start - b.start);

describe('MergingWindowSet', () => {
  it('merges incrementally, keeping the first window’s state window', () => {
    const set = new MergingWindowSet(sessions, new MemoryStore());
    const merge = recorder();

    expect(set.addWindow(tw(0, 4), merge)).toEqual(tw(0, 4));
    expect(merge.take()).toEqual([]);
    expect(set.getStateWindow(tw(0, 4))).toEqual(tw(0, 4));

    expect(set.addWindow(tw(0, 4), merge)).toEqual(tw(0, 4));
    expect(merge.take()).toEqual([]);

    expect(set.addWindow(tw(3, 5), merge)).toEqual(tw(0, 5));
    expect(merge.take()).toEqual([{ result: tw(0, 5), merged: [tw(0, 4)], stateResult: tw(0, 4), mergedState: [] }]);
    expect(set.getStateWindow(tw(0, 5))).toEqual(tw(0, 4));
    expect(set.getStateWindow(tw(0, 4))).toBeUndefined();

    expect(set.addWindow(tw(4, 6), merge)).toEqual(tw(0, 6));
    expect(merge.take()).toEqual([{ result: tw(0, 6), merged: [tw(0, 5)], stateResult: tw(0, 4), mergedState: [] }]);

    // inside the in-flight window: nothing to merge
    expect(set.addWindow(tw(1, 2), merge)).toEqual(tw(0, 6));
    expect(merge.take()).toEqual([]);
    expect(set.getStateWindow(tw(0, 6))).toEqual(tw(0, 4));

    expect(set.addWindow(tw(1, 7), merge)).toEqual(tw(0, 7));
    expect(merge.take()).toEqual([{ result: tw(0, 7), merged: [tw(0, 6)], stateResult: tw(0, 4), mergedState: [] }]);

    expect(set.addWindow(tw(11, 14), merge)).toEqual(tw(11, 14));
    expect(merge.take()).toEqual([]);
    expect(set.getStateWindow(tw(11, 14))).toEqual(tw(11, 14));
    expect(byStart(set.windows())).toEqual([tw(0, 7), tw(11, 14)]);
  });

  it('keeps the state window of a merged window that is added again', () => {
    const set = new MergingWindowSet(EventTimeSessionWindows.withDynamicGap<number>((g) => g), new MemoryStore());
    const merge = recorder();
    set.addWindow(tw(0, 5), merge);
    expect(set.addWindow(tw(2, 10), merge)).toEqual(tw(0, 10));
    merge.take();
    // a record at 0 with gap 10 gets exactly the in-flight window [0, 10)
    expect(set.addWindow(tw(0, 10), merge)).toEqual(tw(0, 10));
    expect(merge.take()).toEqual([]);
    expect(set.getStateWindow(tw(0, 10))).toEqual(tw(0, 5));
  });

  it('merges a late window that bridges two in-flight windows', () => {
    const set = new MergingWindowSet(sessions, new MemoryStore());
    const merge = recorder();
    set.addWindow(tw(0, 3), merge);
    set.addWindow(tw(5, 8), merge);
    expect(merge.take()).toEqual([]);

    expect(set.addWindow(tw(1, 6), merge)).toEqual(tw(0, 8));
    expect(merge.take()).toEqual([
      { result: tw(0, 8), merged: [tw(0, 3), tw(5, 8)], stateResult: tw(0, 3), mergedState: [tw(5, 8)] },
    ]);
    expect(set.getStateWindow(tw(0, 8))).toEqual(tw(0, 3));
    expect(set.windows()).toEqual([tw(0, 8)]);
  });

  it('merges a large window with every window it covers', () => {
    const set = new MergingWindowSet(sessions, new MemoryStore());
    const merge = recorder();
    for (const w of [tw(1, 2), tw(5, 6), tw(3, 4)]) set.addWindow(w, merge);
    merge.take();
    expect(set.addWindow(tw(0, 10), merge)).toEqual(tw(0, 10));
    const [call, ...rest] = merge.take();
    expect(rest).toEqual([]);
    expect(call!.result).toEqual(tw(0, 10));
    expect(byStart(call!.merged)).toEqual([tw(1, 2), tw(3, 4), tw(5, 6)]);
    expect(byStart([call!.stateResult, ...call!.mergedState])).toEqual([tw(1, 2), tw(3, 4), tw(5, 6)]);
    expect(set.getStateWindow(tw(0, 10))).toEqual(call!.stateResult);
  });

  it('merges a large window with the single window it covers', () => {
    const set = new MergingWindowSet(sessions, new MemoryStore());
    const merge = recorder();
    set.addWindow(tw(1, 2), merge);
    expect(set.addWindow(tw(0, 3), merge)).toEqual(tw(0, 3));
    expect(merge.take()).toEqual([{ result: tw(0, 3), merged: [tw(1, 2)], stateResult: tw(1, 2), mergedState: [] }]);
  });

  it('retires windows, and refuses to retire one that is not in flight', () => {
    const set = new MergingWindowSet(sessions, new MemoryStore());
    const merge = recorder();
    set.addWindow(tw(0, 3), merge);
    set.addWindow(tw(10, 13), merge);
    set.retireWindow(tw(0, 3));
    expect(set.getStateWindow(tw(0, 3))).toBeUndefined();
    expect(set.windows()).toEqual([tw(10, 13)]);
    expect(() => set.retireWindow(tw(0, 3))).toThrow(StateAccessError);
    expect(() => set.retireWindow(tw(0, 3))).toThrow(
      'window TimeWindow{start=0, end=3} is not in the in-flight window set, so it cannot be retired',
    );
    // a retired window does not merge any more
    expect(set.addWindow(tw(2, 5), merge)).toEqual(tw(2, 5));
    expect(merge.take()).toEqual([]);
  });

  it('restores its mapping from the store and persists only when it changed', () => {
    const store = new MemoryStore();
    store.pairs = [[[0, 10], [0, 5]]];
    const set = new MergingWindowSet(sessions, store);
    expect(set.getStateWindow(tw(0, 10))).toEqual(tw(0, 5));
    set.persist();
    expect(store.updates).toBe(0);

    const merge = recorder();
    set.addWindow(tw(20, 23), merge);
    set.retireWindow(tw(20, 23));
    set.persist();
    expect(store.updates).toBe(0); // back to what was loaded

    expect(set.addWindow(tw(8, 12), merge)).toEqual(tw(0, 12));
    expect(merge.take()).toEqual([{ result: tw(0, 12), merged: [tw(0, 10)], stateResult: tw(0, 5), mergedState: [] }]);
    set.persist();
    expect(store.updates).toBe(1);
    expect(store.pairs).toEqual([[[0, 12], [0, 5]]]);

    const reloaded = new MergingWindowSet(sessions, store);
    expect(reloaded.getStateWindow(tw(0, 12))).toEqual(tw(0, 5));
    reloaded.retireWindow(tw(0, 12));
    reloaded.persist();
    expect(store.pairs).toEqual([]);
  });

  it('keeps its mapping per key in the heap backend’s list state, through a snapshot and restore', async () => {
    const descriptor = new ListStateDescriptor<[Key, Key]>('merging-window-set');
    const create = () => new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) });
    const backend = create();
    const list = backend.getPartitionedState(descriptor);
    const merge = recorder();
    for (const [key, windows] of [
      ['alice', [tw(0, 3), tw(2, 5)]],
      ['bob', [tw(100, 103)]],
    ] as const) {
      backend.setCurrentKey(key);
      const set = new MergingWindowSet(sessions, list);
      for (const w of windows) set.addWindow(w, merge);
      set.persist();
    }
    const snapshot = await backend.snapshot(7).run();

    const restored = create();
    restored.restore([snapshot]);
    const again = restored.getPartitionedState(descriptor);
    restored.setCurrentKey('alice');
    const alice = new MergingWindowSet(sessions, again);
    expect(alice.windows()).toEqual([tw(0, 5)]);
    expect(alice.getStateWindow(tw(0, 5))).toEqual(tw(0, 3));
    restored.setCurrentKey('bob');
    expect(new MergingWindowSet(sessions, again).getStateWindow(tw(100, 103))).toEqual(tw(100, 103));
  });

  it('gives the same sessions with the same contents in any arrival order (property)', () => {
    const gap = 10;
    const assigner = EventTimeSessionWindows.withGap(gap);
    const arrivals = fc
      .array(fc.integer({ min: -200, max: 200 }), { minLength: 1, maxLength: 40 })
      .chain((ts) => fc.shuffledSubarray(ts, { minLength: ts.length, maxLength: ts.length }));

    /** Reference: sorted timestamps, a new session where the next one is more than gap later. */
    function referenceSessions(ts: number[]): { window: TimeWindow; contents: number[] }[] {
      const sorted = [...ts].sort((a, b) => a - b);
      const result: { window: TimeWindow; contents: number[] }[] = [];
      for (const t of sorted) {
        const last = result.at(-1);
        if (last !== undefined && t <= last.window.end) {
          last.window = new TimeWindow(last.window.start, t + gap);
          last.contents.push(t);
        } else {
          result.push({ window: new TimeWindow(t, t + gap), contents: [t] });
        }
      }
      return result;
    }

    fc.assert(
      fc.property(arrivals, (ts) => {
        const store = new MemoryStore();
        // window contents by state window, merged as the window operator would merge them
        const contents = new Map<string, number[]>();
        for (const t of ts) {
          // a new set per record, as the operator creates one per element, loading from the store
          const set = new MergingWindowSet(assigner, store);
          const [window] = assigner.assignWindows(t, t, { getCurrentProcessingTime: () => 0 });
          const actual = set.addWindow(window!, (_result, _merged, stateResult, mergedState) => {
            const target = contents.get(stateResult.hashKey()) ?? [];
            for (const s of mergedState) {
              target.push(...(contents.get(s.hashKey()) ?? []));
              contents.delete(s.hashKey());
            }
            contents.set(stateResult.hashKey(), target);
          });
          const stateWindow = set.getStateWindow(actual)!;
          expect(stateWindow).toBeDefined();
          const list = contents.get(stateWindow.hashKey()) ?? [];
          list.push(t);
          contents.set(stateWindow.hashKey(), list);
          set.persist();
        }
        const set = new MergingWindowSet(assigner, store);
        const found = byStart(set.windows()).map((window) => ({
          window,
          contents: [...(contents.get(set.getStateWindow(window)!.hashKey()) ?? [])].sort((a, b) => a - b),
        }));
        expect(found).toEqual(referenceSessions(ts));
        // no state is left behind under a window that is no longer a state window
        expect(contents.size).toBe(found.length);
      }),
    );
  });
});
