/**
 * The window operator calls one internal window function per firing (Flink's
 * `InternalWindowFunction` and its wrappers): it adapts what the window's state holds
 * (all elements, or one pre-aggregated value) to the user's function, so the operator
 * itself does not care whether the job used `process`, `reduce`, `aggregate` or `apply`.
 */
import { applyReduce } from '../../state/state.js';
import type { AggregateFunction, ReduceFunction } from '../../state/state.js';
import type { Collector } from '../functions.js';
import type {
  ProcessWindowContext,
  ProcessWindowFunctionLike,
  WindowFunction,
} from '../process-window-function.js';
import type { Window } from '../windowing/windows/window.js';

/**
 * Evaluates a window's contents `C` for key `K`, and is told when the window is dropped.
 * `userFunction` is the function whose `open`/`close` the operator runs.
 */
export interface InternalWindowFunction<C, OUT, K, W extends Window> {
  readonly userFunction: unknown;
  process(key: K, context: ProcessWindowContext<W>, contents: C, out: Collector<OUT>): void;
  clear(context: ProcessWindowContext<W>): void;
}

/** Calls a process window function whichever form it has. */
function processCall<IN, OUT, K, W extends Window>(
  fn: ProcessWindowFunctionLike<IN, OUT, K, W>,
): (key: K, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>) => void {
  return typeof fn === 'function' ? fn : (key, context, elements, out) => fn.process(key, context, elements, out);
}

function clearCall<W extends Window>(fn: ProcessWindowFunctionLike<never, unknown, unknown, W>): (context: ProcessWindowContext<W>) => void {
  return typeof fn === 'function' ? () => {} : (context) => fn.clear(context);
}

/** `process(fn)`: the function gets every element. */
export function iterableProcessFunction<IN, OUT, K, W extends Window>(
  fn: ProcessWindowFunctionLike<IN, OUT, K, W>,
): InternalWindowFunction<IN[], OUT, K, W> {
  return { userFunction: fn, process: processCall(fn), clear: clearCall(fn as ProcessWindowFunctionLike<never, unknown, unknown, W>) };
}

/** `reduce(r, fn)` / `aggregate(a, fn)`: the function gets the one pre-aggregated value. */
export function singleValueProcessFunction<V, OUT, K, W extends Window>(
  fn: ProcessWindowFunctionLike<V, OUT, K, W>,
): InternalWindowFunction<V, OUT, K, W> {
  const process = processCall(fn);
  return {
    userFunction: fn,
    process: (key, context, value, out) => process(key, context, [value], out),
    clear: clearCall(fn as ProcessWindowFunctionLike<never, unknown, unknown, W>),
  };
}

/** `reduce(r)` / `aggregate(a)` without a process function: emits the pre-aggregated value. */
export function passThroughFunction<V, K, W extends Window>(userFunction: unknown): InternalWindowFunction<V, V, K, W> {
  return {
    userFunction,
    process: (_key, _context, value, out) => out.collect(value),
    clear: () => {},
  };
}

/** `apply(fn)`: the older window function, with every element. */
export function iterableApplyFunction<IN, OUT, K, W extends Window>(fn: WindowFunction<IN, OUT, K, W>): InternalWindowFunction<IN[], OUT, K, W> {
  const apply = typeof fn === 'function' ? fn : (key: K, window: W, elements: Iterable<IN>, out: Collector<OUT>) => fn.apply(key, window, elements, out);
  return {
    userFunction: fn,
    process: (key, context, elements, out) => apply(key, context.window(), elements, out),
    clear: () => {},
  };
}

/**
 * `reduce` on a window with an evictor: the window keeps every element, and a firing
 * reduces those the evictor left, then hands the result on. An empty window (everything
 * evicted) emits nothing.
 */
export function reduceApplyFunction<T, OUT, K, W extends Window>(
  reduce: ReduceFunction<T>,
  inner: InternalWindowFunction<T, OUT, K, W>,
): InternalWindowFunction<T[], OUT, K, W> {
  return {
    userFunction: inner.userFunction,
    process(key, context, elements, out) {
      if (elements.length === 0) return;
      let reduced = elements[0] as T;
      for (let i = 1; i < elements.length; i++) reduced = applyReduce(reduce, reduced, elements[i] as T);
      inner.process(key, context, reduced, out);
    },
    clear: (context) => inner.clear(context),
  };
}

/**
 * `aggregate` on a window with an evictor: a firing aggregates the elements the evictor
 * left into a fresh accumulator, then hands `getResult` on.
 */
export function aggregateApplyFunction<IN, ACC, V, OUT, K, W extends Window>(
  aggregate: AggregateFunction<IN, ACC, V>,
  inner: InternalWindowFunction<V, OUT, K, W>,
): InternalWindowFunction<IN[], OUT, K, W> {
  return {
    userFunction: inner.userFunction,
    process(key, context, elements, out) {
      let accumulator = aggregate.createAccumulator();
      for (const element of elements) accumulator = aggregate.add(element, accumulator);
      inner.process(key, context, aggregate.getResult(accumulator), out);
    },
    clear: (context) => inner.clear(context),
  };
}
