/**
 * The current key of a RocksDB backend and the database its states use: the states build
 * their entry keys from the key's prefix.
 */
import { KeyContext } from '../key-context.js';
import type { RocksDB, RocksDBColumnFamily } from './native/rocksdb-api.js';

/** The RocksDB backend's {@link KeyContext}. Written only by the backend. */
export class RocksDBKeyContext extends KeyContext {
  /** `[key group][varint length][canonical key bytes]` of the current key; empty when unset. */
  keyPrefix: Uint8Array = new Uint8Array(0);

  constructor(
    prefix: string,
    /** Bytes of the key group at the start of every entry key (1 or 2). */
    readonly keyGroupBytes: 1 | 2,
    /** The open database; replaced when a restore opens restored files. */
    public db: RocksDB,
  ) {
    super(prefix);
  }
}

/** The column family of one state; the backend rebinds it when a restore reopens the database. */
export interface ColumnSlot {
  cf: RocksDBColumnFamily;
}
