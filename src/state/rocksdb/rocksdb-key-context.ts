/**
 * The current key of a RocksDB backend and the database its states use, shared by all its
 * state objects so that one `setCurrentKey` per record scopes every state.
 */
import type { Key } from '../../core/key-encoding.js';
import type { RocksDB, RocksDBColumnFamily } from './native/rocksdb-api.js';

/** Where the current key is and what it is. Written only by the backend. */
export class RocksDBKeyContext {
  /** The current key, `undefined` before the first `setCurrentKey`. */
  key: Key | undefined = undefined;
  /** The current key's key group, -1 when unset. */
  keyGroup = -1;
  /** `[key group][varint length][canonical key bytes]` of the current key; empty when unset. */
  keyPrefix: Uint8Array = new Uint8Array(0);
  /** Set when the backend is disposed; every state access then fails. */
  disposed = false;

  constructor(
    /** Prefix of error messages (`operator 'x' (subtask 1/2): `) or `''`. */
    readonly prefix: string,
    /** Bytes of the key group at the start of every entry key (1 or 2). */
    readonly keyGroupBytes: 1 | 2,
    /** The open database; replaced when a restore opens restored files. */
    public db: RocksDB,
  ) {}
}

/** The column family of one state; the backend rebinds it when a restore reopens the database. */
export interface ColumnSlot {
  cf: RocksDBColumnFamily;
}
