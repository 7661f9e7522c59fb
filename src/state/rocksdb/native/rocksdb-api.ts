/**
 * The part of RocksDB's C API the RocksDB state backend uses, as TypeScript interfaces.
 * `loadRocksDB()` (rocksdb-library.ts) binds them to librocksdb through koffi. Every call
 * is synchronous and runs on the calling thread; errors RocksDB reports become
 * {@link RocksDBError}s carrying RocksDB's message.
 */
import { EddyError, registerErrorClass } from '../../../core/errors.js';

/** A shared LRU block cache; give the same one to several instances to share one budget. */
export interface RocksDBCache {
  /** Capacity in bytes. */
  readonly capacity: number;
  /** Bytes in use now. */
  usage(): number;
  /** Frees the cache once no open instance uses it. */
  destroy(): void;
}

/** Options of {@link RocksDBLibrary.open}; every column family gets the same options. */
export interface RocksDBOpenOptions {
  /** Create the database (and missing column families) if absent. @default true */
  readonly createIfMissing?: boolean;
  /** The block cache (uncompressed data blocks, index and filter blocks). @default RocksDB's own 8 MB cache */
  readonly blockCache?: RocksDBCache;
  /** Size of one memtable per column family, in bytes. @default RocksDB's 64 MB */
  readonly writeBufferSize?: number;
  /** Memtables per column family before writes stall. @default RocksDB's 2 */
  readonly maxWriteBufferNumber?: number;
  /** Limit on the memtables of all column families together, in bytes; 0 = none. @default 0 */
  readonly dbWriteBufferSize?: number;
  /** Background flush and compaction threads. @default 2 */
  readonly backgroundThreads?: number;
  /** Open SST files kept open; -1 = all. @default -1 */
  readonly maxOpenFiles?: number;
  /** Bloom filter bits per key for point lookups; 0 = none. @default 10 */
  readonly bloomBitsPerKey?: number;
}

/** Options of {@link RocksDB.iterator}. */
export interface RocksDBIteratorOptions {
  /** First key (inclusive) the iterator may visit. */
  readonly lowerBound?: Uint8Array;
  /** Key (exclusive) at which the iterator stops. */
  readonly upperBound?: Uint8Array;
  /** Read as of this snapshot. @default the latest state */
  readonly snapshot?: RocksDBSnapshot;
  /** Do not fill the block cache with what is read (bulk scans). @default false */
  readonly noCacheFill?: boolean;
}

/** A column family handle; valid until the database is closed or the family dropped. */
export interface RocksDBColumnFamily {
  readonly name: string;
}

/** A consistent read view (rocksdb_create_snapshot). */
export interface RocksDBSnapshot {
  /** Releases the snapshot; later use is an error. */
  release(): void;
}

/**
 * An iterator over one column family in key order (bytewise). Keys and values returned
 * are fresh copies owned by the caller; like Node's pooled Buffers, a copy may be a view
 * into an ArrayBuffer other copies share (read it through its `byteOffset`, do not
 * transfer its `buffer`).
 */
export interface RocksDBIterator {
  seekToFirst(): void;
  /** Moves to the first key ≥ `key`. */
  seek(key: Uint8Array): void;
  valid(): boolean;
  next(): void;
  key(): Uint8Array;
  value(): Uint8Array;
  /** Throws a {@link RocksDBError} if the iteration stopped on an error (not just at the end). */
  checkStatus(): void;
  /** Frees the iterator. */
  close(): void;
}

/** Writes applied together by {@link RocksDB.write}. */
export interface RocksDBWriteBatch {
  put(cf: RocksDBColumnFamily, key: Uint8Array, value: Uint8Array): void;
  delete(cf: RocksDBColumnFamily, key: Uint8Array): void;
  /** Deletes keys in [start, end). */
  deleteRange(cf: RocksDBColumnFamily, start: Uint8Array, end: Uint8Array): void;
  /** Number of operations in the batch. */
  count(): number;
  clear(): void;
  /** Frees the batch. */
  destroy(): void;
}

/** An open RocksDB database. Writes skip the write-ahead log: state is recovered from checkpoints. */
export interface RocksDB {
  /** The database directory. */
  readonly path: string;
  /** The handle of column family `name`, if it exists. */
  columnFamily(name: string): RocksDBColumnFamily | undefined;
  /** Every column family, `default` included. */
  columnFamilies(): RocksDBColumnFamily[];
  createColumnFamily(name: string): RocksDBColumnFamily;
  dropColumnFamily(cf: RocksDBColumnFamily): void;

  /** A fresh copy of the value (possibly sharing its ArrayBuffer, as {@link RocksDBIterator} says). */
  get(cf: RocksDBColumnFamily, key: Uint8Array): Uint8Array | undefined;
  put(cf: RocksDBColumnFamily, key: Uint8Array, value: Uint8Array): void;
  delete(cf: RocksDBColumnFamily, key: Uint8Array): void;
  /** Deletes keys in [start, end) (a range tombstone, cheap whatever the range holds). */
  deleteRange(cf: RocksDBColumnFamily, start: Uint8Array, end: Uint8Array): void;
  newWriteBatch(): RocksDBWriteBatch;
  write(batch: RocksDBWriteBatch): void;

  iterator(cf: RocksDBColumnFamily, options?: RocksDBIteratorOptions): RocksDBIterator;
  snapshot(): RocksDBSnapshot;

  /** Flushes every column family's memtables to SST files and waits. */
  flush(): void;
  /** Compacts [start, end) of `cf` (the whole family without bounds). */
  compactRange(cf: RocksDBColumnFamily, start?: Uint8Array, end?: Uint8Array): void;
  /**
   * Takes a native checkpoint into `directory` (which must not exist): memtables are
   * flushed, SST files hard-linked (copied across file systems), the other files copied.
   */
  checkpoint(directory: string): void;
  /** A RocksDB property, e.g. `rocksdb.estimate-num-keys`; undefined if unknown. */
  property(name: string, cf?: RocksDBColumnFamily): string | undefined;
  /** Closes the database and frees its handles. Idempotent. */
  close(): void;
}

/** The loaded library. */
export interface RocksDBLibrary {
  /** The file the library was loaded from, e.g. `librocksdb.so.7.8`. */
  readonly libraryFile: string;
  createLruCache(capacityBytes: number): RocksDBCache;
  /**
   * Opens (or creates) the database at `path` with `columnFamilies` (`default` is added;
   * with createIfMissing, missing families are created).
   */
  open(path: string, columnFamilies: readonly string[], options?: RocksDBOpenOptions): RocksDB;
  /** The column families of the database at `path` (throws if there is none). */
  listColumnFamilies(path: string): string[];
}

/**
 * An error RocksDB reported (its message is RocksDB's status string, after what was being
 * done), or a misuse of a closed or released native object.
 */
export class RocksDBError extends EddyError {}

// rebuilt as itself when it crosses from a worker thread
registerErrorClass(RocksDBError);
