/** {@link ValueState} in RocksDB: one entry per (key, namespace) holding the serialized value. */
import type { InternalValueState } from '../internal-kv-state.js';
import { RocksDBKvState } from './rocksdb-kv-state.js';

/** RocksDB implementation of {@link ValueState}; `update(undefined)` clears. */
export class RocksDBValueState<T> extends RocksDBKvState implements InternalValueState<T> {
  readonly kind = 'value' as const;

  value(): T | undefined {
    const bytes = this.readBytes();
    return bytes === undefined ? undefined : (this.deserialize(bytes) as T);
  }

  update(value: T | undefined): void {
    if (value === undefined) this.clear();
    else this.writeBytes(this.serialize(value));
  }
}
