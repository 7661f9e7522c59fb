/**
 * The list behind both {@link OperatorStateStore.getListState} (even split) and
 * {@link OperatorStateStore.getUnionListState} (union): the two differ only in how a
 * restore redistributes them, not in how they behave.
 */
import { StateAccessError } from '../../core/errors.js';
import type { ListState } from '../state.js';
import { copyStateValue } from './copy-state-value.js';

/**
 * An operator {@link ListState} held on the heap. Elements are copied in and out and
 * `undefined` elements are rejected (as Flink rejects `null`).
 */
export class OperatorListState<T> implements ListState<T> {
  private items: T[] = [];

  /** @param name - the state's name, for error messages */
  constructor(readonly name: string) {}

  /** Copies of the elements, in order; empty when cleared or never set. */
  get(): T[] {
    return this.items.map((item) => copyStateValue(item, this.name));
  }

  /** Appends a copy of `value`. */
  add(value: T): void {
    this.items.push(this.accept(value));
  }

  /** Appends copies of `values`; nothing changes if any of them is rejected. */
  addAll(values: Iterable<T>): void {
    const accepted = this.acceptAll(values);
    for (const value of accepted) this.items.push(value);
  }

  /** Replaces the list with copies of `values`; nothing changes if any of them is rejected. */
  update(values: Iterable<T>): void {
    this.items = this.acceptAll(values);
  }

  /** Empties the list. */
  clear(): void {
    this.items = [];
  }

  /** The stored elements themselves, without copying: only for snapshots. */
  storedItems(): readonly T[] {
    return this.items;
  }

  /** Replaces the stored elements with already-owned values: only for restores. */
  restoreItems(items: T[]): void {
    this.items = items;
  }

  private acceptAll(values: Iterable<T>): T[] {
    if (values === null || values === undefined || typeof (values as Partial<Iterable<T>>)[Symbol.iterator] !== 'function') {
      throw new StateAccessError(`list state '${this.name}': expected an iterable of elements, got ${String(values)}`);
    }
    return Array.from(values, (value) => this.accept(value));
  }

  private accept(value: T): T {
    if (value === undefined) {
      throw new StateAccessError(`list state '${this.name}': elements must not be undefined`);
    }
    return copyStateValue(value, this.name);
  }
}
