/**
 * Keeps the elements of the last stretch of time of a window (Flink's `TimeEvictor`).
 */
import { requirePositiveMillis } from '../assigners/assigner-arguments.js';
import type { Window } from '../windows/window.js';
import type { EvictableElements, Evictor, EvictorContext } from './evictor.js';

/**
 * Removes the elements whose timestamp is `windowMs` or more older than the newest
 * element's (`timestamp <= max - windowMs`), before the window function runs (or after
 * it, with `doEvictAfter`).
 *
 * Does nothing when the first element has no timestamp (processing-time windows, as
 * Flink), and never removes an element without a timestamp.
 */
export class TimeEvictor implements Evictor<unknown, Window> {
  /** The stretch of time kept, in milliseconds. */
  readonly windowMs: number;
  /** Whether to evict after the window function rather than before. @default false */
  readonly doEvictAfter: boolean;

  private constructor(windowMs: number, doEvictAfter: boolean) {
    this.windowMs = windowMs;
    this.doEvictAfter = doEvictAfter;
  }

  /**
   * Keeps the elements of the last `windowMs` milliseconds, counted back from the newest.
   *
   * @param doEvictAfter - evict after the window function rather than before. @default false
   * @throws {@link JobDefinitionError} unless `windowMs` is a whole number > 0
   */
  static of(windowMs: number, doEvictAfter = false): TimeEvictor {
    return new TimeEvictor(requirePositiveMillis(`TimeEvictor.of(${String(windowMs)})`, 'the time', windowMs), doEvictAfter);
  }

  evictBefore(elements: EvictableElements<unknown>, _window: Window, _ctx: EvictorContext): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: EvictableElements<unknown>, _window: Window, _ctx: EvictorContext): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  toString(): string {
    return `TimeEvictor(${this.windowMs}${this.doEvictAfter ? ', after' : ''})`;
  }

  private evict(elements: EvictableElements<unknown>): void {
    let max = Number.NEGATIVE_INFINITY;
    let first = true;
    for (const { timestamp } of elements) {
      if (first && timestamp === undefined) return;
      first = false;
      if (timestamp !== undefined && timestamp > max) max = timestamp;
    }
    if (first) return; // empty
    const cutoff = max - this.windowMs;
    for (const element of elements) {
      if (element.timestamp !== undefined && element.timestamp <= cutoff) element.remove();
    }
  }
}
