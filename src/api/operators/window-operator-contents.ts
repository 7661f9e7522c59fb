/**
 * Where the window operator keeps each window's contents: one internal keyed state of the
 * operator's backend, with the window (for merging windows, its state window) as the
 * namespace. The kind follows the window function, as in Flink: a list of the elements
 * for `process` and for windows with an evictor (with their timestamps), a reducing state
 * for `reduce`, an aggregating state for `aggregate`.
 */
import type { Key } from '../../core/key-encoding.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  ReducingStateDescriptor,
} from '../../state/descriptors.js';
import { INTERNAL_STATE_PREFIX } from '../../state/internal-state-names.js';
import type { InternalListState, InternalMergingState } from '../../state/internal-kv-state.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import type { AggregateFunction, ReduceFunction } from '../../state/state.js';
import type { TimestampedValue } from '../windowing/evictors/evictor.js';

/** The name of the internal state that holds the windows' contents. */
export const WINDOW_CONTENTS_STATE = `${INTERNAL_STATE_PREFIX}window/contents`;

/**
 * The contents of the windows of the current key, by window namespace. `ACC` is what a
 * firing hands to the window function: the elements, the reduced value or the
 * aggregate's result.
 */
export interface WindowContents<IN, ACC> {
  /** Adds an element (with its timestamp, `undefined` when it has none) to the window. */
  add(namespace: Key, value: IN, timestamp: number | undefined): void;
  /** The window's contents; `undefined` when it has none (nothing added, or purged). */
  get(namespace: Key): ACC | undefined;
  /** Drops the window's contents. */
  clear(namespace: Key): void;
  /** Folds the contents of the `sources` windows into `target` and clears them (merging windows). */
  merge(target: Key, sources: readonly Key[]): void;
}

/** Makes the contents of one operator instance on its backend; called in `open()`. */
export type WindowContentsFactory<IN, ACC> = (backend: KeyedStateBackend) => WindowContents<IN, ACC>;

/** Every element of the window, in arrival order (`process`, `apply`). */
export function listContents<IN>(): WindowContentsFactory<IN, IN[]> {
  return (backend) => {
    const state: InternalListState<IN> = backend.getPartitionedState(new ListStateDescriptor<IN>(WINDOW_CONTENTS_STATE));
    return {
      add(namespace, value) {
        state.setCurrentNamespace(namespace);
        state.add(value);
      },
      get(namespace) {
        state.setCurrentNamespace(namespace);
        const elements = state.get() as IN[];
        return elements.length === 0 ? undefined : elements;
      },
      clear(namespace) {
        state.setCurrentNamespace(namespace);
        state.clear();
      },
      merge: (target, sources) => state.mergeNamespaces(target, sources),
    };
  };
}

/** An element as a window with an evictor stores it: `[value, timestamp or null]`. */
type StoredElement<IN> = [IN, number | null];

/**
 * The contents of a window with an evictor: every element with its timestamp, which the
 * evictor may look at, and which it can replace after evicting.
 */
export interface EvictingWindowContents<IN> extends WindowContents<IN, TimestampedValue<IN>[]> {
  /** Replaces the window's elements (after an evictor removed some). */
  update(namespace: Key, elements: readonly TimestampedValue<IN>[]): void;
}

/** Every element of the window with its timestamp (windows with an evictor). */
export function timestampedListContents<IN>(): (backend: KeyedStateBackend) => EvictingWindowContents<IN> {
  return (backend) => {
    const state: InternalListState<StoredElement<IN>> = backend.getPartitionedState(
      new ListStateDescriptor<StoredElement<IN>>(WINDOW_CONTENTS_STATE),
    );
    return {
      add(namespace, value, timestamp) {
        state.setCurrentNamespace(namespace);
        state.add([value, timestamp ?? null]);
      },
      get(namespace) {
        state.setCurrentNamespace(namespace);
        const stored = state.get() as StoredElement<IN>[];
        if (stored.length === 0) return undefined;
        return stored.map(([value, timestamp]) => ({ value, timestamp: timestamp ?? undefined }));
      },
      update(namespace, elements) {
        state.setCurrentNamespace(namespace);
        state.update(elements.map(({ value, timestamp }): StoredElement<IN> => [value, timestamp ?? null]));
      },
      clear(namespace) {
        state.setCurrentNamespace(namespace);
        state.clear();
      },
      merge: (target, sources) => state.mergeNamespaces(target, sources),
    };
  };
}

/** The window's elements reduced to one as they arrive (`reduce`). */
export function reducingContents<T>(reduce: ReduceFunction<T>): WindowContentsFactory<T, T> {
  return (backend) =>
    incrementalContents<T, T>(backend.getPartitionedState(new ReducingStateDescriptor<T>(WINDOW_CONTENTS_STATE, reduce)));
}

/** The window's elements folded into an accumulator as they arrive (`aggregate`); a firing gets `getResult`. */
export function aggregatingContents<IN, ACC, OUT>(aggregate: AggregateFunction<IN, ACC, OUT>): WindowContentsFactory<IN, OUT> {
  return (backend) =>
    incrementalContents<IN, OUT>(
      backend.getPartitionedState(new AggregatingStateDescriptor<IN, ACC, OUT>(WINDOW_CONTENTS_STATE, aggregate)),
    );
}

/** What reducing and aggregating state share: elements in, one result out, mergeable across namespaces. */
type IncrementalState<IN, OUT> = InternalMergingState & { add(value: IN): void; get(): OUT | undefined; clear(): void };

/** Window contents kept in a reducing or aggregating state: each access switches the state to the window's namespace. */
function incrementalContents<IN, OUT>(incremental: IncrementalState<IN, OUT>): WindowContents<IN, OUT> {
  return {
    add(namespace, value) {
      incremental.setCurrentNamespace(namespace);
      incremental.add(value);
    },
    get(namespace) {
      incremental.setCurrentNamespace(namespace);
      return incremental.get();
    },
    clear(namespace) {
      incremental.setCurrentNamespace(namespace);
      incremental.clear();
    },
    merge: (target, sources) => incremental.mergeNamespaces(target, sources),
  };
}
