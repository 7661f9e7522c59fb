/** {@link RocksDBSnapshot} over `rocksdb_snapshot_t`. */
import { RocksDBError } from './rocksdb-api.js';
import type { RocksDBSnapshot } from './rocksdb-api.js';
import type { Pointer, RocksDBBindings } from './rocksdb-bindings.js';
import type { NativeResource, NativeRocksDB } from './native-rocksdb.js';

/** A snapshot of one database; released by {@link release} or when the database closes. */
export class NativeSnapshot implements RocksDBSnapshot, NativeResource {
  private snapshot: Pointer | null;

  constructor(
    private readonly b: RocksDBBindings,
    readonly owner: NativeRocksDB,
    private readonly db: Pointer,
    snapshot: Pointer,
  ) {
    this.snapshot = snapshot;
  }

  /** The native snapshot; throws once released. @internal */
  pointer(): Pointer {
    if (this.snapshot !== null) return this.snapshot;
    this.owner.live();
    throw new RocksDBError(`the snapshot of the RocksDB instance at ${this.owner.path} was released`);
  }

  /** Releases the snapshot; idempotent. Close iterators reading from it first. */
  release(): void {
    this.free();
    this.owner.untrack(this);
  }

  /** @internal */
  free(): void {
    if (this.snapshot === null) return;
    this.b.release_snapshot(this.db, this.snapshot);
    this.snapshot = null;
  }
}
