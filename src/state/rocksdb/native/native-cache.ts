/** {@link RocksDBCache} over `rocksdb_cache_t` (an LRU cache). */
import { RocksDBError } from './rocksdb-api.js';
import type { RocksDBCache } from './rocksdb-api.js';
import type { Pointer, RocksDBBindings } from './rocksdb-bindings.js';

/**
 * An LRU block cache. RocksDB reference-counts it: each database opened with it keeps it
 * alive, so {@link destroy} only drops this handle's reference.
 */
export class NativeCache implements RocksDBCache {
  private cache: Pointer | null;

  constructor(
    private readonly b: RocksDBBindings,
    readonly capacity: number,
  ) {
    this.cache = b.cache_create_lru(capacity);
  }

  usage(): number {
    return this.b.cache_get_usage(this.pointer());
  }

  destroy(): void {
    if (this.cache === null) return;
    this.b.cache_destroy(this.cache);
    this.cache = null;
  }

  /** The native cache; throws once destroyed. @internal */
  pointer(): Pointer {
    if (this.cache === null) throw new RocksDBError(`the RocksDB block cache (${this.capacity} bytes) was destroyed`);
    return this.cache;
  }
}
