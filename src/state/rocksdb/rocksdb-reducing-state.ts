/**
 * {@link ReducingState} in RocksDB: the reduced value, read, reduced with the new value
 * and written back on every `add`.
 */
import type { ReducingStateDescriptor } from '../descriptors.js';
import type { InternalReducingState } from '../internal-kv-state.js';
import type { StateBlockCodec } from '../keyed-snapshot/state-block-codec.js';
import type { Namespace } from '../namespace.js';
import { applyReduce, type ReduceFunction } from '../state.js';
import type { ColumnSlot, RocksDBKeyContext } from './rocksdb-key-context.js';
import { RocksDBKvState } from './rocksdb-kv-state.js';

/** RocksDB implementation of {@link ReducingState}; `add(undefined)` clears, as in Flink. */
export class RocksDBReducingState<T> extends RocksDBKvState implements InternalReducingState<T> {
  readonly kind = 'reducing' as const;
  private readonly reduce: ReduceFunction<T>;

  constructor(descriptor: ReducingStateDescriptor<T>, column: ColumnSlot, ctx: RocksDBKeyContext, codec: StateBlockCodec) {
    super(descriptor.name, column, ctx, codec);
    this.reduce = descriptor.reduceFunction;
  }

  get(): T | undefined {
    const bytes = this.readBytes();
    return bytes === undefined ? undefined : (this.deserialize(bytes) as T);
  }

  add(value: T): void {
    if (value === undefined || value === null) {
      this.clear();
      return;
    }
    const current = this.get();
    // the incoming value is serialized first, so the reduce function gets a private copy
    const incoming = this.deserialize(this.serialize(value)) as T;
    this.store(current === undefined ? incoming : applyReduce(this.reduce, current, incoming));
  }

  mergeNamespaces(target: Namespace, sources: Iterable<Namespace>): void {
    let merged: T | undefined;
    for (const source of sources) {
      this.inNamespace(source, () => {
        const stored = this.get();
        if (stored === undefined) return;
        this.clear();
        merged = merged === undefined ? stored : applyReduce(this.reduce, merged, stored);
      });
    }
    if (merged === undefined) return;
    const incoming = merged;
    this.inNamespace(target, () => {
      const current = this.get();
      this.store(current === undefined ? incoming : applyReduce(this.reduce, current, incoming));
    });
  }

  private store(value: T): void {
    if (value === undefined) this.clear();
    else this.writeBytes(this.serialize(value));
  }
}
