/**
 * Keeps the elements close to the newest one by a user-defined distance (Flink's
 * `DeltaEvictor`).
 */
import { JobDefinitionError } from '../../../core/errors.js';
import type { Window } from '../windows/window.js';
import type { EvictableElements, Evictor, EvictorContext } from './evictor.js';

/**
 * The distance between two elements, as a number: a plain function or an object with
 * `getDelta` (Flink's `DeltaFunction`).
 */
export type DeltaFunction<T> =
  | ((oldDataPoint: T, newDataPoint: T) => number)
  | { getDelta(oldDataPoint: T, newDataPoint: T): number };

/**
 * Removes every element whose delta to the last element (`delta(element, last)`) is
 * `threshold` or more, before the window function runs (or after it, with
 * `doEvictAfter`).
 */
export class DeltaEvictor<T> implements Evictor<T, Window> {
  /** Elements at this delta from the last, or more, are removed. */
  readonly threshold: number;
  /** Measures the distance between an element and the last one. */
  readonly deltaFunction: DeltaFunction<T>;
  /** Whether to evict after the window function rather than before. @default false */
  readonly doEvictAfter: boolean;

  private constructor(threshold: number, deltaFunction: DeltaFunction<T>, doEvictAfter: boolean) {
    this.threshold = threshold;
    this.deltaFunction = deltaFunction;
    this.doEvictAfter = doEvictAfter;
  }

  /**
   * Keeps the elements whose delta to the last element is below `threshold`.
   *
   * @param doEvictAfter - evict after the window function rather than before. @default false
   * @throws {@link JobDefinitionError} unless `threshold` is a number (not NaN) and
   *   `deltaFunction` a function or an object with `getDelta`
   */
  static of<T>(threshold: number, deltaFunction: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T> {
    if (typeof threshold !== 'number' || threshold !== threshold) {
      throw new JobDefinitionError(`DeltaEvictor.of(${String(threshold)}, …): the threshold must be a number`);
    }
    const fn: unknown = deltaFunction;
    if (
      typeof fn !== 'function' &&
      !(typeof fn === 'object' && fn !== null && typeof (fn as { getDelta?: unknown }).getDelta === 'function')
    ) {
      throw new JobDefinitionError(
        'DeltaEvictor.of(threshold, deltaFunction): deltaFunction must be a function (old, new) => number or an object with getDelta',
      );
    }
    return new DeltaEvictor(threshold, deltaFunction, doEvictAfter);
  }

  evictBefore(elements: EvictableElements<T>, _window: Window, _ctx: EvictorContext): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: EvictableElements<T>, _window: Window, _ctx: EvictorContext): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  toString(): string {
    return `DeltaEvictor(${this.threshold}${this.doEvictAfter ? ', after' : ''})`;
  }

  private evict(elements: EvictableElements<T>): void {
    let last: { value: T } | undefined;
    for (const element of elements) last = element;
    if (last === undefined) return;
    const lastValue = last.value;
    const fn = this.deltaFunction;
    for (const element of elements) {
      const delta = typeof fn === 'function' ? fn(element.value, lastValue) : fn.getDelta(element.value, lastValue);
      if (delta >= this.threshold) element.remove();
    }
  }
}
