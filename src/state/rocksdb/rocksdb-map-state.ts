/**
 * {@link MapState} in RocksDB: one entry per user key, keyed by the (key, namespace) prefix
 * followed by the user key's bytes, so a map is one contiguous key range: `get`, `put`,
 * `remove` and `contains` touch one entry, and `entries`, `keys`, `values` and `isEmpty`
 * read the range with an iterator, never more than the map holds.
 */
import type { InternalMapState } from '../internal-kv-state.js';
import { mapUserKeyId } from '../map-user-key.js';
import { concatBytes, prefixEnd } from './rocksdb-key-layout.js';
import { RocksDBKvState } from './rocksdb-kv-state.js';

/**
 * RocksDB implementation of {@link MapState}. `entries()`, `keys()` and `values()` return
 * arrays taken when called, in the order of the user keys' bytes; the state may be changed
 * while iterating them.
 */
export class RocksDBMapState<UK, UV> extends RocksDBKvState implements InternalMapState<UK, UV> {
  readonly kind = 'map' as const;

  get(key: UK): UV | undefined {
    const bytes = this.ctx.db.get(this.column.cf, this.userEntryKey(key));
    return bytes === undefined ? undefined : (this.deserialize(bytes) as UV);
  }

  put(key: UK, value: UV): void {
    this.ctx.db.put(this.column.cf, this.userEntryKey(key), this.serialize(value));
  }

  putAll(entries: Iterable<readonly [UK, UV]> | ReadonlyMap<UK, UV>): void {
    const batch = this.ctx.db.newWriteBatch();
    try {
      for (const [key, value] of entries) batch.put(this.column.cf, this.userEntryKey(key), this.serialize(value));
      if (batch.count() > 0) this.ctx.db.write(batch);
    } finally {
      batch.destroy();
    }
  }

  remove(key: UK): void {
    this.ctx.db.delete(this.column.cf, this.userEntryKey(key));
  }

  contains(key: UK): boolean {
    return this.ctx.db.get(this.column.cf, this.userEntryKey(key)) !== undefined;
  }

  entries(): Array<[UK, UV]> {
    const out: Array<[UK, UV]> = [];
    this.scan((userKey, value) => {
      out.push([this.userKeySerializer.deserialize(userKey) as UK, this.deserialize(value()) as UV]);
      return true;
    });
    return out;
  }

  keys(): UK[] {
    const out: UK[] = [];
    this.scan((userKey) => {
      out.push(this.userKeySerializer.deserialize(userKey) as UK);
      return true;
    });
    return out;
  }

  values(): UV[] {
    const out: UV[] = [];
    this.scan((_, value) => {
      out.push(this.deserialize(value()) as UV);
      return true;
    });
    return out;
  }

  isEmpty(): boolean {
    let empty = true;
    this.scan(() => (empty = false));
    return empty;
  }

  override clear(): void {
    const prefix = this.entryKey();
    const batch = this.ctx.db.newWriteBatch();
    try {
      this.scan((userKey) => {
        batch.delete(this.column.cf, concatBytes(prefix, userKey));
        return true;
      });
      if (batch.count() > 0) this.ctx.db.write(batch);
    } finally {
      batch.destroy();
    }
  }

  /** The entry key of user key `key` under the current key and namespace. */
  private userEntryKey(key: UK): Uint8Array {
    mapUserKeyId(key, () => this.where());
    return concatBytes(this.entryKey(), this.userKeySerializer.serialize(key));
  }

  /**
   * Visits the entries of the current map in key order with the user key's bytes and a
   * reader of the value's bytes, until `visit` returns false.
   */
  private scan(visit: (userKey: Uint8Array, value: () => Uint8Array) => boolean): void {
    const prefix = this.entryKey();
    const it = this.ctx.db.iterator(this.column.cf, { lowerBound: prefix, upperBound: prefixEnd(prefix) });
    try {
      for (it.seek(prefix); it.valid(); it.next()) {
        if (!visit(it.key().subarray(prefix.length), () => it.value())) break;
      }
      it.checkStatus();
    } finally {
      it.close();
    }
  }
}
