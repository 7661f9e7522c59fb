/**
 * KeyedStream: a stream partitioned by key. Operators applied to it run on a keyed
 * stream: their functions get keyed state, scoped to the key of the current record.
 */
import type { Key } from '../core/key-encoding.js';
import type { StreamEdge } from '../runtime/graph/stream-graph.js';
import type { ReduceFunction } from '../state/state.js';
import { DataStream } from './data-stream.js';
import type { StreamExecutionEnvironment } from './environment.js';
import type { FilterFunction, FlatMapFunction, KeyedProcessFunction, MapFunction } from './functions.js';
import { FilterOperator } from './operators/filter-operator.js';
import { FlatMapOperator } from './operators/flat-map-operator.js';
import { MapOperator } from './operators/map-operator.js';
import { KeyedProcessOperator } from './operators/process-operator.js';
import { ReduceOperator } from './operators/reduce-operator.js';
import type { WindowAssigner } from './windowing/assigners/window-assigner.js';
import type { Window } from './windowing/windows/window.js';
import { WindowedStream } from './windowed-stream.js';

/** Field of `T` whose value is a number: the `sum`/`min`/`max` argument. */
export type NumericField<T> =
  | { [F in keyof T]: T[F] extends number ? F : never }[keyof T]
  | (T extends readonly unknown[] ? number : never);

/** A stream partitioned by a key of type `K`. */
export class KeyedStream<T, K extends Key> extends DataStream<T> {
  /** @internal */
  constructor(
    env: StreamExecutionEnvironment,
    edges: readonly StreamEdge[],
    /** @internal */ readonly keySelector: (record: unknown) => Key,
  ) {
    super(env, edges, undefined);
  }

  /** Runs a {@link KeyedProcessFunction}: keyed state and `ctx.getCurrentKey()` are available. */
  override process<R>(fn: KeyedProcessFunction<K, T, R>): DataStream<R> {
    return this.transform('KeyedProcess', () => new KeyedProcessOperator(fn), this.keySelector);
  }

  /** A map function that may use keyed state. */
  override map<R>(fn: MapFunction<T, R>): DataStream<R> {
    return this.transform('Map', () => new MapOperator(fn), this.keySelector);
  }

  /** A filter function that may use keyed state. */
  override filter(fn: FilterFunction<T>): DataStream<T> {
    return this.transform('Filter', () => new FilterOperator(fn), this.keySelector);
  }

  /** A flatMap function that may use keyed state. */
  override flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    return this.transform('Flat Map', () => new FlatMapOperator(fn), this.keySelector);
  }

  /**
   * Groups each key's records into windows (docs/WINDOWS.md): tumbling, sliding or
   * session windows in event or processing time, or global windows with a trigger. A
   * window function (`reduce`, `aggregate`, `process`) on the result evaluates them.
   *
   * ```ts
   * keyed.window(TumblingEventTimeWindows.of(60_000)).reduce((a, b) => ({ ...a, n: a.n + b.n }))
   * ```
   */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(this, assigner);
  }

  /** A rolling reduce per key: emits the reduced value after every record. */
  reduce(fn: ReduceFunction<T>): DataStream<T> {
    return this.transform('Reduce', () => new ReduceOperator(fn), this.keySelector);
  }

  /** A rolling sum of `field` per key: emits the first record of the key with `field` replaced by the running sum. */
  sum(field: NumericField<T>): DataStream<T> {
    return this.aggregate('Sum', field, (a, b) => a + b);
  }

  /** A rolling minimum of `field` per key (other fields keep the key's first record's values). */
  min(field: NumericField<T>): DataStream<T> {
    return this.aggregate('Min', field, Math.min);
  }

  /** A rolling maximum of `field` per key (other fields keep the key's first record's values). */
  max(field: NumericField<T>): DataStream<T> {
    return this.aggregate('Max', field, Math.max);
  }

  /** The record with the smallest `field` per key so far (the first one on ties). */
  minBy(field: NumericField<T>): DataStream<T> {
    return this.transform('MinBy', () => new ReduceOperator<T>((a, b) => (num(b, field) < num(a, field) ? b : a)), this.keySelector);
  }

  /** The record with the largest `field` per key so far (the first one on ties). */
  maxBy(field: NumericField<T>): DataStream<T> {
    return this.transform('MaxBy', () => new ReduceOperator<T>((a, b) => (num(b, field) > num(a, field) ? b : a)), this.keySelector);
  }

  private aggregate(name: string, field: NumericField<T>, combine: (a: number, b: number) => number): DataStream<T> {
    const reduce = (a: T, b: T): T => withField(a, field, combine(num(a, field), num(b, field)));
    return this.transform(name, () => new ReduceOperator<T>(reduce), this.keySelector);
  }
}

function num<T>(record: T, field: PropertyKey): number {
  return (record as Record<PropertyKey, number>)[field]!;
}

function withField<T>(record: T, field: PropertyKey, value: number): T {
  if (Array.isArray(record)) {
    const copy = record.slice();
    copy[field as number] = value;
    return copy as T;
  }
  return { ...(record as object), [field]: value } as T;
}
