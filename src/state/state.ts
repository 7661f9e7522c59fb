/**
 * The state kinds a user function works with. Keyed state is scoped to the current key
 * (and namespace); operator state to the parallel instance. All of them copy values in
 * and out of the backend, so mutating an object after `update()` or after reading it
 * never changes stored state behind the backend's back.
 */

/** Anything that can be cleared. */
export interface State {
  /** Removes the value(s) for the current key (and namespace). */
  clear(): void;
}

/** One value per key. */
export interface ValueState<T> extends State {
  /** The value for the current key, or `undefined` when unset. */
  value(): T | undefined;
  /** Replaces the value for the current key. `undefined` clears it. */
  update(value: T | undefined): void;
}

/** A list per key (or, as operator state, per parallel instance). */
export interface ListState<T> extends State {
  /** The elements; empty when unset. */
  get(): Iterable<T>;
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  /** Replaces the whole list. */
  update(values: Iterable<T>): void;
}

/** A map per key. User keys are {@link Key}-like values: strings, numbers, bigints, booleans or tuples of those. */
export interface MapState<UK, UV> extends State {
  get(key: UK): UV | undefined;
  put(key: UK, value: UV): void;
  putAll(entries: Iterable<readonly [UK, UV]> | ReadonlyMap<UK, UV>): void;
  remove(key: UK): void;
  contains(key: UK): boolean;
  entries(): Iterable<[UK, UV]>;
  keys(): Iterable<UK>;
  values(): Iterable<UV>;
  isEmpty(): boolean;
}

/** A single value per key that `add` folds with a {@link ReduceFunction}. */
export interface ReducingState<T> extends State {
  add(value: T): void;
  get(): T | undefined;
}

/** An accumulator per key that `add` folds with an {@link AggregateFunction}; `get` gives its result. */
export interface AggregatingState<IN, OUT> extends State {
  add(value: IN): void;
  get(): OUT | undefined;
}

/** A map that is the same on every parallel instance (operator state). */
export interface BroadcastState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]> | ReadonlyMap<K, V>): void;
  remove(key: K): void;
  contains(key: K): boolean;
  entries(): Iterable<[K, V]>;
  keys(): Iterable<K>;
  values(): Iterable<V>;
  isEmpty(): boolean;
  clear(): void;
}

/** Combines two values into one of the same type. A plain function or an object with `reduce`. */
export type ReduceFunction<T> = ((a: T, b: T) => T) | { reduce(a: T, b: T): T };

/** Calls a {@link ReduceFunction} whichever form it has. */
export function applyReduce<T>(fn: ReduceFunction<T>, a: T, b: T): T {
  return typeof fn === 'function' ? fn(a, b) : fn.reduce(a, b);
}

/** Incremental aggregation, as Flink's AggregateFunction: argument order `add(value, accumulator)`. */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}
