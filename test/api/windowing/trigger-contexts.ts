/**
 * Two implementations of the trigger context for the trigger tests: one over plain Maps
 * (the smallest thing that honours the contract), one over the heap keyed state backend
 * with the window as namespace (what the window operator will do). The trigger suites run
 * against both.
 */
import { KeyGroupRange } from '../../../src/core/key-group-range.js';
import type { OnMergeContext } from '../../../src/api/windowing/triggers/trigger.js';
import type { Window } from '../../../src/api/windowing/windows/window.js';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../../../src/state/descriptors.js';
import { HeapKeyedStateBackend } from '../../../src/state/heap/heap-keyed-state-backend.js';
import type { InternalMergingState, InternalKvState } from '../../../src/state/internal-kv-state.js';
import type { KeyedStateBackend } from '../../../src/state/keyed-state-backend.js';
import {
  applyReduce,
  type AggregatingState,
  type ListState,
  type MapState,
  type ReducingState,
  type ValueState,
} from '../../../src/state/state.js';

// The overloads' implementations take any descriptor; the overloads give the types.
type AnyDescriptor = StateDescriptor<any>;

/** A trigger context the test drives: sets the window, the times, and reads the timers. */
export interface TestTriggerContext<W extends Window> extends OnMergeContext {
  watermark: number;
  processingTime: number;
  /** Makes the context about `window` (and, for onMerge, the windows merged into it). */
  at(window: W, merged?: readonly W[]): this;
  /** The event-time timers of `window`, ascending. */
  eventTimers(window: W): number[];
  /** The processing-time timers of `window`, ascending. */
  processingTimers(window: W): number[];
}

/** Timers and times, shared by both contexts. */
abstract class TimerBook<W extends Window> {
  watermark = Number.NEGATIVE_INFINITY;
  processingTime = 0;
  protected window: W | undefined;
  protected merged: readonly W[] = [];
  private readonly eventTime = new Map<string, Set<number>>();
  private readonly processing = new Map<string, Set<number>>();

  at(window: W, merged: readonly W[] = []): this {
    this.window = window;
    this.merged = merged;
    return this;
  }

  protected current(): W {
    if (this.window === undefined) throw new Error('call at(window) first');
    return this.window;
  }

  getCurrentProcessingTime(): number {
    return this.processingTime;
  }
  getCurrentWatermark(): number {
    return this.watermark;
  }
  registerEventTimeTimer(time: number): void {
    timersOf(this.eventTime, this.current()).add(time);
  }
  registerProcessingTimeTimer(time: number): void {
    timersOf(this.processing, this.current()).add(time);
  }
  deleteEventTimeTimer(time: number): void {
    timersOf(this.eventTime, this.current()).delete(time);
  }
  deleteProcessingTimeTimer(time: number): void {
    timersOf(this.processing, this.current()).delete(time);
  }
  eventTimers(window: W): number[] {
    return [...timersOf(this.eventTime, window)].sort((a, b) => a - b);
  }
  processingTimers(window: W): number[] {
    return [...timersOf(this.processing, window)].sort((a, b) => a - b);
  }
}

function timersOf(book: Map<string, Set<number>>, window: Window): Set<number> {
  let timers = book.get(window.hashKey());
  if (timers === undefined) book.set(window.hashKey(), (timers = new Set()));
  return timers;
}

/** State in a Map keyed by `<state name>@<window hashKey>`. */
export class MapTriggerContext<W extends Window> extends TimerBook<W> implements TestTriggerContext<W> {
  readonly values = new Map<string, unknown>();

  getPartitionedState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getPartitionedState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getPartitionedState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getPartitionedState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getPartitionedState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  getPartitionedState(descriptor: AnyDescriptor): unknown {
    const slot = `${descriptor.name}@${this.current().hashKey()}`;
    const values = this.values;
    const clear = (): void => void values.delete(slot);
    switch (descriptor.kind) {
      case 'value':
        return {
          value: () => values.get(slot),
          update: (v: unknown) => (v === undefined ? clear() : void values.set(slot, v)),
          clear,
        } satisfies ValueState<unknown>;
      case 'reducing': {
        const { reduceFunction } = descriptor as unknown as ReducingStateDescriptor<unknown>;
        return {
          add: (v: unknown) => {
            const old = values.get(slot);
            values.set(slot, old === undefined ? v : applyReduce(reduceFunction, old, v));
          },
          get: () => values.get(slot),
          clear,
        } satisfies ReducingState<unknown>;
      }
      case 'list':
        return {
          get: () => [...((values.get(slot) as unknown[] | undefined) ?? [])],
          add: (v: unknown) => void values.set(slot, [...((values.get(slot) as unknown[] | undefined) ?? []), v]),
          addAll: (vs: Iterable<unknown>) =>
            void values.set(slot, [...((values.get(slot) as unknown[] | undefined) ?? []), ...vs]),
          update: (vs: Iterable<unknown>) => void values.set(slot, [...vs]),
          clear,
        } satisfies ListState<unknown>;
      default:
        throw new Error(`MapTriggerContext does not implement ${descriptor.kind} state`);
    }
  }

  mergePartitionedState<T>(descriptor: ListStateDescriptor<T>): void;
  mergePartitionedState<T>(descriptor: ReducingStateDescriptor<T>): void;
  mergePartitionedState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): void;
  mergePartitionedState(descriptor: AnyDescriptor): void {
    const target = `${descriptor.name}@${this.current().hashKey()}`;
    for (const window of this.merged) {
      const source = `${descriptor.name}@${window.hashKey()}`;
      if (source === target || !this.values.has(source)) continue;
      const value = this.values.get(source);
      this.values.delete(source);
      const old = this.values.get(target);
      if (old === undefined) {
        this.values.set(target, value);
      } else if (descriptor.kind === 'list') {
        this.values.set(target, [...(old as unknown[]), ...(value as unknown[])]);
      } else if (descriptor.kind === 'reducing') {
        const { reduceFunction } = descriptor as unknown as ReducingStateDescriptor<unknown>;
        this.values.set(target, applyReduce(reduceFunction, old, value));
      } else {
        throw new Error(`MapTriggerContext does not merge ${descriptor.kind} state`);
      }
    }
  }
}

/** State in a heap keyed backend, current key `key`, the window as namespace. */
export class BackendTriggerContext<W extends Window> extends TimerBook<W> implements TestTriggerContext<W> {
  readonly backend: KeyedStateBackend;

  constructor(key = 'key') {
    super();
    this.backend = new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) });
    this.backend.setCurrentKey(key);
  }

  getPartitionedState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getPartitionedState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getPartitionedState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getPartitionedState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getPartitionedState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  getPartitionedState(descriptor: AnyDescriptor): unknown {
    const state = (this.backend.getPartitionedState as (d: AnyDescriptor) => InternalKvState)(descriptor);
    state.setCurrentNamespace(this.current().namespace());
    return state;
  }

  mergePartitionedState<T>(descriptor: ListStateDescriptor<T>): void;
  mergePartitionedState<T>(descriptor: ReducingStateDescriptor<T>): void;
  mergePartitionedState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): void;
  mergePartitionedState(descriptor: AnyDescriptor): void {
    const state = (this.backend.getPartitionedState as (d: AnyDescriptor) => InternalMergingState)(descriptor);
    state.mergeNamespaces(
      this.current().namespace(),
      this.merged.map((window) => window.namespace()),
    );
  }
}

/** Both contexts, by name, for `describe.each`. */
export const triggerContexts = [
  ['Map-backed context', <W extends Window>(): TestTriggerContext<W> => new MapTriggerContext<W>()],
  ['heap-backend context', <W extends Window>(): TestTriggerContext<W> => new BackendTriggerContext<W>()],
] as const;
