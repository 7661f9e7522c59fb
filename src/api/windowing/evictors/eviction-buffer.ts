/**
 * The window operator's side of eviction: it loads a window's contents into an
 * {@link EvictionBuffer}, lets the evictor remove elements, and writes the remaining
 * elements back only if something was removed.
 */
import type { EvictableElement, EvictableElements, TimestampedValue } from './evictor.js';

class BufferedElement<T> implements EvictableElement<T> {
  removed = false;

  constructor(
    private readonly buffer: EvictionBuffer<T>,
    readonly value: T,
    readonly timestamp: number | undefined,
  ) {}

  remove(): void {
    if (this.removed) return;
    this.removed = true;
    this.buffer.noteRemoved();
  }
}

/** An array of timestamped elements that evictors can remove from ({@link EvictableElements}). */
export class EvictionBuffer<T> implements EvictableElements<T> {
  private elements: BufferedElement<T>[];
  private left: number;
  private removedSinceCompaction = 0;
  /** How many elements were removed in all. */
  removedCount = 0;

  constructor(elements: Iterable<TimestampedValue<T>>) {
    this.elements = [];
    for (const { value, timestamp } of elements) this.elements.push(new BufferedElement(this, value, timestamp));
    this.left = this.elements.length;
  }

  get size(): number {
    return this.left;
  }

  *[Symbol.iterator](): Iterator<EvictableElement<T>> {
    const elements = this.elements;
    for (const element of elements) if (!element.removed) yield element;
  }

  /** The elements left, in order. */
  toArray(): TimestampedValue<T>[] {
    this.compact();
    return this.elements.map(({ value, timestamp }) => ({ value, timestamp }));
  }

  /** The values of the elements left, in order. */
  values(): T[] {
    this.compact();
    return this.elements.map((element) => element.value);
  }

  /** @internal called by an element's `remove()`. */
  noteRemoved(): void {
    this.left -= 1;
    this.removedCount += 1;
    this.removedSinceCompaction += 1;
  }

  private compact(): void {
    if (this.removedSinceCompaction === 0) return;
    this.elements = this.elements.filter((element) => !element.removed);
    this.removedSinceCompaction = 0;
  }
}
