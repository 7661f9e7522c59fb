/**
 * User function types. Every function may be given as a plain arrow function or as an
 * object (usually a class instance) with the method and optional `open`/`close`, which
 * is where state is acquired through the {@link RuntimeContext}.
 */
import type { TimeDomain } from '../runtime/time/timer-state.js';
import type { OutputTag } from './output-tag.js';
import type { RuntimeContext } from './runtime-context.js';

export type { TimeDomain };

/** Receives a function's output records. */
export interface Collector<T> {
  collect(record: T): void;
}

/** Optional lifecycle of a user function. */
export interface RichFunction {
  /** Called once per parallel instance before the first record. Acquire state here. */
  open?(ctx: RuntimeContext): void | Promise<void>;
  /** Called once after the last record (or when the task is canceled). */
  close?(): void | Promise<void>;
}

/** One record in, one record out. */
export type MapFunction<I, O> = ((value: I) => O) | (RichFunction & { map(value: I): O });

/** Keeps the records for which it returns true. */
export type FilterFunction<T> = ((value: T) => boolean) | (RichFunction & { filter(value: T): boolean });

/** One record in, any number out: return an iterable, or push into the collector. */
export type FlatMapFunction<I, O> =
  | ((value: I, out: Collector<O>) => Iterable<O> | void)
  | (RichFunction & { flatMap(value: I, out: Collector<O>): Iterable<O> | void });

/** Extracts the key of a record. The key must be a string, number, bigint, boolean or a tuple of those. */
export type KeySelector<T, K> = (value: T) => K;

/** Base class for a map function with a lifecycle (Flink's RichMapFunction). */
export abstract class RichMapFunction<I, O> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract map(value: I): O;
}

/** Base class for a filter function with a lifecycle. */
export abstract class RichFilterFunction<T> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract filter(value: T): boolean;
}

/** Base class for a flatMap function with a lifecycle. */
export abstract class RichFlatMapFunction<I, O> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract flatMap(value: I, out: Collector<O>): Iterable<O> | void;
}

/**
 * Time and timers, as a process function sees them (Flink's TimerService). Times are
 * milliseconds. Timers exist per key (and are scoped to the current key): they need a
 * keyed stream. A timer is identified by its key and time, so registering the same time
 * twice for a key sets one timer, and `onTimer` is called once for it. docs/TIMERS.md
 * has the details.
 */
export interface TimerService {
  /** The task's current processing time (the wall clock, or a test clock). */
  currentProcessingTime(): number;
  /** The operator's current event-time watermark; `-Infinity` before the first watermark. */
  currentWatermark(): number;
  /**
   * Sets an event-time timer for the current key: `onTimer` is called once the watermark
   * reaches `time` (`time ≤ watermark`), also when it is already past (at the next watermark).
   *
   * @throws {@link StateAccessError} on a stream that is not keyed, or if `time` is NaN
   */
  registerEventTimeTimer(time: number): void;
  /**
   * Sets a processing-time timer for the current key: `onTimer` is called once the
   * processing time reaches `time` (at once, between two records, if it already has).
   *
   * @throws {@link StateAccessError} on a stream that is not keyed, or if `time` is NaN
   */
  registerProcessingTimeTimer(time: number): void;
  /** Deletes the current key's event-time timer at `time`; nothing happens if there is none. */
  deleteEventTimeTimer(time: number): void;
  /** Deletes the current key's processing-time timer at `time`; nothing happens if there is none. */
  deleteProcessingTimeTimer(time: number): void;
}

/** The context a {@link ProcessFunction} sees per record. */
export interface ProcessContext {
  /** The record's timestamp, or undefined when it has none. */
  timestamp(): number | undefined;
  /**
   * Time, and timers on a keyed stream. On a stream that is not keyed the current times
   * are available, but registering or deleting a timer throws a {@link StateAccessError}
   * (apply a {@link KeyedProcessFunction} after `keyBy()`), as in Flink.
   */
  timerService(): TimerService;
  /**
   * Emits `value` to the side output `tag` (read with `stream.getSideOutput(tag)`), with
   * the current record's or timer's timestamp. Dropped when no stream reads that tag.
   */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** The context a {@link KeyedProcessFunction} sees per record. */
export interface KeyedContext<K> extends ProcessContext {
  /** The key of the record being processed. */
  getCurrentKey(): K;
}

/** The context of {@link KeyedProcessFunction.onTimer}: the firing timer's key, time and domain. */
export interface OnTimerContext<K> extends KeyedContext<K> {
  /** The key of the timer that fires (also the current key of keyed state). */
  getCurrentKey(): K;
  /** The time of the timer that fires. */
  timestamp(): number;
  /** Whether the firing timer is an event-time or a processing-time timer. */
  timeDomain(): TimeDomain;
}

/** A low-level function with a lifecycle, one record at a time (Flink's ProcessFunction). */
export abstract class ProcessFunction<I, O> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
}

/**
 * A process function on a keyed stream: keyed state is scoped to `ctx.getCurrentKey()`,
 * and `ctx.timerService()` sets timers for that key, which call {@link KeyedProcessFunction.onTimer}.
 */
export abstract class KeyedProcessFunction<K, I, O> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract processElement(value: I, ctx: KeyedContext<K>, out: Collector<O>): void;
  /**
   * Called when a timer set through `ctx.timerService()` fires, with the timer's key as
   * current key (keyed state is that key's). Records emitted from an event-time timer
   * carry the timer's time as their timestamp.
   *
   * @param timestamp - the timer's time
   */
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

/** Calls a map function whichever form it has. */
export function mapFunctionCall<I, O>(fn: MapFunction<I, O>): (value: I) => O {
  return typeof fn === 'function' ? fn : (value) => fn.map(value);
}

/** Calls a filter function whichever form it has. */
export function filterFunctionCall<T>(fn: FilterFunction<T>): (value: T) => boolean {
  return typeof fn === 'function' ? fn : (value) => fn.filter(value);
}

/** Calls a flatMap function whichever form it has. */
export function flatMapFunctionCall<I, O>(fn: FlatMapFunction<I, O>): (value: I, out: Collector<O>) => Iterable<O> | void {
  return typeof fn === 'function' ? fn : (value, out) => fn.flatMap(value, out);
}
