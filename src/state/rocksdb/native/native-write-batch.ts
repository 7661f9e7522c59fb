/** {@link RocksDBWriteBatch} over `rocksdb_writebatch_t`; the batch copies what it is given. */
import { RocksDBError } from './rocksdb-api.js';
import type { RocksDBColumnFamily, RocksDBWriteBatch } from './rocksdb-api.js';
import type { Pointer, RocksDBBindings } from './rocksdb-bindings.js';
import type { NativeMemory } from './native-memory.js';
import type { NativeResource, NativeRocksDB } from './native-rocksdb.js';

/** A batch for one database (its column family handles are that database's). */
export class NativeWriteBatch implements RocksDBWriteBatch, NativeResource {
  private batch: Pointer | null;

  constructor(
    private readonly b: RocksDBBindings,
    private readonly mem: NativeMemory,
    readonly owner: NativeRocksDB,
    batch: Pointer,
  ) {
    this.batch = batch;
  }

  put(cf: RocksDBColumnFamily, key: Uint8Array, value: Uint8Array): void {
    const { mem } = this;
    this.b.writebatch_put_cf(
      this.pointer(), this.owner.handleOf(cf),
      mem.stageKey(key), key.length, mem.stageValue(value), value.length,
    );
  }

  delete(cf: RocksDBColumnFamily, key: Uint8Array): void {
    this.b.writebatch_delete_cf(this.pointer(), this.owner.handleOf(cf), this.mem.stageKey(key), key.length);
  }

  deleteRange(cf: RocksDBColumnFamily, start: Uint8Array, end: Uint8Array): void {
    const { mem } = this;
    this.b.writebatch_delete_range_cf(
      this.pointer(), this.owner.handleOf(cf),
      mem.stageKey(start), start.length, mem.stageValue(end), end.length,
    );
  }

  count(): number {
    return this.b.writebatch_count(this.pointer());
  }

  clear(): void {
    this.b.writebatch_clear(this.pointer());
  }

  destroy(): void {
    this.free();
    this.owner.untrack(this);
  }

  /** The native batch; throws once destroyed. @internal */
  pointer(): Pointer {
    if (this.batch !== null) return this.batch;
    this.owner.live();
    throw new RocksDBError(`the write batch of the RocksDB instance at ${this.owner.path} was destroyed`);
  }

  /** @internal */
  free(): void {
    if (this.batch === null) return;
    this.b.writebatch_destroy(this.batch);
    this.batch = null;
  }
}
