/**
 * The functions a window evaluates (Flink's `ProcessWindowFunction` and `WindowFunction`),
 * and what they see of the window operator: the window, the two times, per-window and
 * per-key state. `WindowedStream.process/reduce/aggregate/apply` take them.
 */
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../state/descriptors.js';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../state/state.js';
import type { Collector } from './functions.js';
import type { OutputTag } from './output-tag.js';
import type { RuntimeContext } from './runtime-context.js';
import type { Window } from './windowing/windows/window.js';

/**
 * Keyed state scoped to the current key and one namespace (Flink's `KeyedStateStore`):
 * {@link ProcessWindowContext.windowState} gives the window's, {@link ProcessWindowContext.globalState}
 * the key's across all windows.
 */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

/**
 * What a {@link ProcessWindowFunction} sees while it evaluates a window, for the current key
 * and that window.
 */
export interface ProcessWindowContext<W extends Window> {
  /** The window being evaluated (or cleared). */
  window(): W;
  /** The task's current processing time, in milliseconds. */
  currentProcessingTime(): number;
  /** The operator's current event-time watermark; `-Infinity` before the first. */
  currentWatermark(): number;
  /**
   * State scoped to the current key **and this window**. It lives until the function's
   * {@link ProcessWindowFunction.clear} clears it, which is called when the window is
   * dropped (at `maxTimestamp() + allowedLateness`), so clear it there. Not available
   * with merging (session) windows.
   *
   * @throws {@link StateAccessError} with a merging window assigner
   */
  windowState(): KeyedStateStore;
  /** State scoped to the current key, shared by all its windows. */
  globalState(): KeyedStateStore;
  /**
   * Emits `value` to the side output `tag` (read with `stream.getSideOutput(tag)`),
   * stamped with the window's `maxTimestamp()` like the main results.
   */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Evaluates a window of a keyed stream (Flink's `ProcessWindowFunction`): `process` gets
 * every element of the window (with `WindowedStream.process`), or the single
 * pre-aggregated value (with `reduce(fn, processFunction)` or
 * `aggregate(fn, processFunction)`). Results carry the window's `maxTimestamp()` as
 * their timestamp.
 *
 * ```ts
 * class CountClicks extends ProcessWindowFunction<Click, Summary, string, TimeWindow> {
 *   process(user: string, ctx: ProcessWindowContext<TimeWindow>, clicks: Iterable<Click>, out: Collector<Summary>): void {
 *     out.collect({ user, clicks: [...clicks].length, end: ctx.window().end });
 *   }
 * }
 * ```
 */
export abstract class ProcessWindowFunction<IN, OUT, KEY, W extends Window> {
  /** Called once per parallel instance before the first window. `ctx` gives per-key state. */
  open?(ctx: RuntimeContext): void | Promise<void>;
  /** Called once after the last window (or when the task is canceled). */
  close?(): void | Promise<void>;

  /**
   * Evaluates the window `context.window()` of `key` when its trigger fires.
   *
   * @param elements - the window's elements in the order they arrived, or the one
   *   pre-aggregated value
   */
  abstract process(key: KEY, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;

  /**
   * Called when the window is dropped (its cleanup time, `maxTimestamp() + allowedLateness`,
   * has come): clear the window's `context.windowState()` here. Does nothing by default.
   */
  clear(context: ProcessWindowContext<W>): void {
    void context;
  }
}

/** A {@link ProcessWindowFunction} given as a plain function (no `open`, `close` or `clear`). */
export type ProcessWindowFunctionLike<IN, OUT, KEY, W extends Window> =
  | ProcessWindowFunction<IN, OUT, KEY, W>
  | ((key: KEY, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>) => void);

/**
 * The older form of a full window function (Flink's `WindowFunction`, for
 * `WindowedStream.apply`): the key, the window, all its elements.
 */
export type WindowFunction<IN, OUT, KEY, W extends Window> =
  | ((key: KEY, window: W, elements: Iterable<IN>, out: Collector<OUT>) => void)
  | {
      open?(ctx: RuntimeContext): void | Promise<void>;
      close?(): void | Promise<void>;
      apply(key: KEY, window: W, elements: Iterable<IN>, out: Collector<OUT>): void;
    };
