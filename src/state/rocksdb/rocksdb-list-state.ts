/**
 * {@link ListState} in RocksDB: one entry per (key, namespace) holding the serialized
 * elements (rocksdb-list-format.ts); `add` appends to the stored bytes.
 */
import type { InternalListState } from '../internal-kv-state.js';
import type { Namespace } from '../namespace.js';
import { RocksDBKvState } from './rocksdb-kv-state.js';
import { appendListElements, splitListElements } from './rocksdb-list-format.js';

/** RocksDB implementation of {@link ListState}. Elements may not be `null` or `undefined`, as in Flink. */
export class RocksDBListState<T> extends RocksDBKvState implements InternalListState<T> {
  readonly kind = 'list' as const;

  /** The elements, freshly deserialized (an empty array when unset). */
  get(): T[] {
    const bytes = this.readBytes();
    if (bytes === undefined) return [];
    return splitListElements(bytes).map((element) => this.deserialize(element) as T);
  }

  add(value: T): void {
    this.writeBytes(appendListElements(this.readBytes(), [this.element(value)]));
  }

  addAll(values: Iterable<T>): void {
    const elements = this.elements(values);
    if (elements.length > 0) this.writeBytes(appendListElements(this.readBytes(), elements));
  }

  update(values: Iterable<T>): void {
    const elements = this.elements(values);
    if (elements.length === 0) this.clear();
    else this.writeBytes(appendListElements(undefined, elements));
  }

  mergeNamespaces(target: Namespace, sources: Iterable<Namespace>): void {
    const merged: Uint8Array[] = [];
    for (const source of sources) {
      this.inNamespace(source, () => {
        const stored = this.readBytes();
        if (stored === undefined) return;
        merged.push(stored);
        this.clear();
      });
    }
    if (merged.length === 0) return;
    this.inNamespace(target, () => {
      const parts = [this.readBytes() ?? new Uint8Array(0), ...merged];
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const part of parts) {
        out.set(part, at);
        at += part.length;
      }
      this.writeBytes(out);
    });
  }

  private element(value: T): Uint8Array {
    this.checkListElement(value);
    return this.serialize(value);
  }

  private elements(values: Iterable<T>): Uint8Array[] {
    return this.listElements(values, (value) => this.element(value));
  }
}
