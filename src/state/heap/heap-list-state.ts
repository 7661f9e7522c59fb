/**
 * {@link ListState} on the heap: a non-empty array per (key, namespace), appended to in
 * place (copied first while a snapshot may hold it). Elements are private copies and are
 * never changed in place, so a shallow copy of the array is enough.
 */
import { copyValue } from '../copy-value.js';
import type { InternalListState } from '../internal-kv-state.js';
import type { Namespace } from '../namespace.js';
import { HeapKvState } from './heap-kv-state.js';

const copyArray = (array: unknown[]): unknown[] => array.slice();

/** Heap implementation of {@link ListState}. Elements may not be `null` or `undefined`, as in Flink. */
export class HeapListState<T> extends HeapKvState implements InternalListState<T> {
  readonly kind = 'list' as const;

  /** A copy of the elements (an empty array when unset). */
  get(): T[] {
    const stored = this.readStored() as T[] | undefined;
    return stored === undefined ? [] : copyValue(stored);
  }

  add(value: T): void {
    const element = this.element(value);
    const list = this.readForUpdate(copyArray);
    if (list === undefined) this.writeStored([element]);
    else list.push(element);
  }

  addAll(values: Iterable<T>): void {
    const elements = this.elements(values);
    if (elements.length === 0) return;
    const list = this.readForUpdate(copyArray);
    if (list === undefined) this.writeStored(elements);
    else for (const element of elements) list.push(element);
  }

  update(values: Iterable<T>): void {
    const elements = this.elements(values);
    if (elements.length === 0) this.removeStored();
    else this.writeStored(elements);
  }

  mergeNamespaces(target: Namespace, sources: Iterable<Namespace>): void {
    const merged: unknown[] = [];
    for (const source of sources) {
      this.inNamespace(source, () => {
        const stored = this.readStored() as unknown[] | undefined;
        if (stored === undefined) return;
        for (const element of stored) merged.push(element);
        this.removeStored();
      });
    }
    if (merged.length === 0) return;
    this.inNamespace(target, () => {
      const stored = (this.readStored() as unknown[] | undefined) ?? [];
      this.writeStored([...stored, ...merged]);
    });
  }

  private element(value: T): T {
    this.checkListElement(value);
    return this.copyIn(value);
  }

  private elements(values: Iterable<T>): T[] {
    return this.listElements(values, (value) => this.element(value));
  }
}
