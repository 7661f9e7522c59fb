/**
 * The window operator with an evictor (Flink's `EvictingWindowOperator`): a window keeps
 * every element with its timestamp, and each firing lets the evictor remove elements
 * before and after the window function runs. The function sees the elements left; a
 * `reduce` or `aggregate` is applied to them at the firing, not incrementally.
 */
import type { Key } from '../../core/key-encoding.js';
import { EvictionBuffer } from '../windowing/evictors/eviction-buffer.js';
import type { Evictor, TimestampedValue } from '../windowing/evictors/evictor.js';
import type { Window } from '../windowing/windows/window.js';
import { timestampedListContents, type EvictingWindowContents } from './window-operator-contents.js';
import type { InternalWindowFunction } from './window-operator-functions.js';
import { WindowOperator, type WindowOperatorOptions } from './window-operator.js';

/** How an evicting window operator is configured. */
export interface EvictingWindowOperatorOptions<K, IN, OUT, W extends Window>
  extends Omit<WindowOperatorOptions<K, IN, TimestampedValue<IN>[], OUT, W>, 'contents' | 'windowFunction'> {
  readonly evictor: Evictor<IN, W>;
  /** Gets the elements the evictor left, in arrival order. */
  readonly windowFunction: InternalWindowFunction<IN[], OUT, K, W>;
}

/** Runs the windows of a keyed stream with an evictor. */
export class EvictingWindowOperator<K extends Key, IN, OUT, W extends Window> extends WindowOperator<
  K,
  IN,
  TimestampedValue<IN>[],
  OUT,
  W
> {
  private readonly evictor: Evictor<IN, W>;
  private readonly elementsFunction: InternalWindowFunction<IN[], OUT, K, W>;

  constructor(options: EvictingWindowOperatorOptions<K, IN, OUT, W>) {
    const inner = options.windowFunction;
    super({
      ...options,
      contents: timestampedListContents<IN>(),
      // what the base class calls for lifecycle and clear; firings go through emitWindowContents below
      windowFunction: {
        userFunction: inner.userFunction,
        process: (key, context, elements, out) => inner.process(key, context, elements.map((e) => e.value), out),
        clear: (context) => inner.clear(context),
      },
    });
    this.evictor = options.evictor;
    this.elementsFunction = inner;
  }

  /**
   * Evicts before, evaluates the elements left, evicts after, and writes the elements
   * back to the window's state only if the evictor removed some.
   */
  protected override emitWindowContents(window: W, stateWindow: W, contents: TimestampedValue<IN>[]): void {
    const buffer = new EvictionBuffer<IN>(contents);
    const ctx = this.processContext.at(window);
    this.evictor.evictBefore(buffer, window, ctx);
    const key = this.backend.getCurrentKey() as K;
    this.elementsFunction.process(key, ctx.at(window), buffer.values(), this.resultCollector(window));
    this.evictor.evictAfter(buffer, window, ctx);
    if (buffer.removedCount > 0) (this.contents as EvictingWindowContents<IN>).update(stateWindow.namespace(), buffer.toArray());
  }
}
