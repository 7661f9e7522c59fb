/**
 * Evictors (Flink's `Evictor`) remove elements from a window's contents just before or
 * just after the window function runs. A window with an evictor keeps every element (no
 * incremental aggregation), since an evictor must see them all.
 */
import type { Window } from '../windows/window.js';

/** An element of a window with its timestamp (`undefined` when it has none). */
export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: number | undefined;
}

/** An element an evictor is looking at; `remove()` evicts it. */
export interface EvictableElement<T> extends TimestampedValue<T> {
  /** Evicts this element from the window; calling it again does nothing. */
  remove(): void;
}

/**
 * A window's contents as an evictor sees them, in the order they were added: iterating
 * gives every element not yet removed, and an element may be removed during iteration.
 */
export interface EvictableElements<T> extends Iterable<EvictableElement<T>> {
  /** How many elements are left. */
  readonly size: number;
}

/** What an evictor may ask of the window operator. */
export interface EvictorContext {
  /** The task's current processing time, in milliseconds. */
  getCurrentProcessingTime(): number;
  /** The operator's current event-time watermark; `-Infinity` before the first one. */
  getCurrentWatermark(): number;
}

/**
 * Removes elements from a window of type `W` when it fires. Implementations are
 * immutable and shared by every key and window.
 */
export interface Evictor<T, W extends Window> {
  /** Called after the trigger fired and before the window function runs. */
  evictBefore(elements: EvictableElements<T>, window: W, ctx: EvictorContext): void;
  /** Called after the window function ran (what it removes is gone for the next firing). */
  evictAfter(elements: EvictableElements<T>, window: W, ctx: EvictorContext): void;
}
