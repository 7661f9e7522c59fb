/**
 * Keeps the last n elements of a window (Flink's `CountEvictor`).
 */
import { JobDefinitionError } from '../../../core/errors.js';
import type { Window } from '../windows/window.js';
import type { EvictableElements, Evictor, EvictorContext } from './evictor.js';

/**
 * Removes the oldest elements (in the order they were added) until at most `maxCount`
 * are left, before the window function runs (or after it, with `doEvictAfter`).
 */
export class CountEvictor implements Evictor<unknown, Window> {
  /** How many elements are kept. */
  readonly maxCount: number;
  /** Whether to evict after the window function rather than before. @default false */
  readonly doEvictAfter: boolean;

  private constructor(maxCount: number, doEvictAfter: boolean) {
    this.maxCount = maxCount;
    this.doEvictAfter = doEvictAfter;
  }

  /**
   * Keeps the last `maxCount` elements.
   *
   * @param doEvictAfter - evict after the window function rather than before. @default false
   * @throws {@link JobDefinitionError} unless `maxCount` is a whole number ≥ 0
   */
  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    if (typeof maxCount !== 'number' || !Number.isSafeInteger(maxCount) || maxCount < 0) {
      throw new JobDefinitionError(`CountEvictor.of(${String(maxCount)}): the count must be a whole number >= 0`);
    }
    return new CountEvictor(maxCount, doEvictAfter);
  }

  evictBefore(elements: EvictableElements<unknown>, _window: Window, _ctx: EvictorContext): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: EvictableElements<unknown>, _window: Window, _ctx: EvictorContext): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  toString(): string {
    return `CountEvictor(${this.maxCount}${this.doEvictAfter ? ', after' : ''})`;
  }

  private evict(elements: EvictableElements<unknown>): void {
    let excess = elements.size - this.maxCount;
    if (excess <= 0) return;
    for (const element of elements) {
      if (excess-- <= 0) break;
      element.remove();
    }
  }
}
