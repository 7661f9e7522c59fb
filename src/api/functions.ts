/**
 * User function types. Every function may be given as a plain arrow function or as an
 * object (usually a class instance) with the method and optional `open`/`close`, which
 * is where state is acquired through the {@link RuntimeContext}.
 */
import type { RuntimeContext } from './runtime-context.js';

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

/** The context a {@link ProcessFunction} sees per record. */
export interface ProcessContext {
  /** The record's timestamp, or undefined when it has none. */
  timestamp(): number | undefined;
}

/** The context a {@link KeyedProcessFunction} sees per record. */
export interface KeyedContext<K> extends ProcessContext {
  /** The key of the record being processed. */
  getCurrentKey(): K;
}

/** A low-level function with a lifecycle, one record at a time (Flink's ProcessFunction). */
export abstract class ProcessFunction<I, O> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
}

/** A process function on a keyed stream: keyed state is scoped to `ctx.getCurrentKey()`. */
export abstract class KeyedProcessFunction<K, I, O> {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
  abstract processElement(value: I, ctx: KeyedContext<K>, out: Collector<O>): void;
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
