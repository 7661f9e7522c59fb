/**
 * Turns {@link RocksDBOpenOptions} into a `rocksdb_options_t`: validated at this boundary,
 * defaults written once in {@link ROCKSDB_OPEN_DEFAULTS}.
 */
import { ConfigError } from '../../../core/errors.js';
import type { RocksDBOpenOptions } from './rocksdb-api.js';
import type { Pointer, RocksDBBindings } from './rocksdb-bindings.js';
import { NativeCache } from './native-cache.js';

/** The defaults Eddy chooses; options left out otherwise keep RocksDB's own defaults. */
export const ROCKSDB_OPEN_DEFAULTS = {
  createIfMissing: true,
  dbWriteBufferSize: 0,
  backgroundThreads: 2,
  maxOpenFiles: -1,
  bloomBitsPerKey: 10,
} as const;

/** RocksDB's InfoLogLevel::WARN_LEVEL: the LOG file gets warnings and errors only. */
const INFO_LOG_LEVEL_WARN = 2;
/** Old LOG files kept next to the database. */
const KEEP_LOG_FILES = 2;

/** A new `rocksdb_options_t` (the caller destroys it) for `options`. */
export function createNativeOptions(b: RocksDBBindings, options: RocksDBOpenOptions = {}): Pointer {
  const o = { ...ROCKSDB_OPEN_DEFAULTS, ...withoutUndefined(options) };
  const writeBufferSize = optionalInteger('writeBufferSize', o.writeBufferSize, 1);
  const maxWriteBufferNumber = optionalInteger('maxWriteBufferNumber', o.maxWriteBufferNumber, 1);
  const dbWriteBufferSize = integer('dbWriteBufferSize', o.dbWriteBufferSize, 0);
  const backgroundThreads = integer('backgroundThreads', o.backgroundThreads, 1);
  const maxOpenFiles = integer('maxOpenFiles', o.maxOpenFiles, -1);
  const bloomBitsPerKey = number('bloomBitsPerKey', o.bloomBitsPerKey, 0);
  const cache = o.blockCache === undefined ? undefined : cachePointer(o.blockCache);

  const native = b.options_create();
  b.options_set_create_if_missing(native, o.createIfMissing ? 1 : 0);
  b.options_set_create_missing_column_families(native, o.createIfMissing ? 1 : 0);
  b.options_increase_parallelism(native, backgroundThreads);
  b.options_set_max_background_jobs(native, backgroundThreads);
  if (writeBufferSize !== undefined) b.options_set_write_buffer_size(native, writeBufferSize);
  if (maxWriteBufferNumber !== undefined) b.options_set_max_write_buffer_number(native, maxWriteBufferNumber);
  b.options_set_db_write_buffer_size(native, dbWriteBufferSize);
  b.options_set_max_open_files(native, maxOpenFiles);
  b.options_set_info_log_level(native, INFO_LOG_LEVEL_WARN);
  b.options_set_keep_log_file_num(native, KEEP_LOG_FILES);

  const table = b.block_based_options_create();
  if (bloomBitsPerKey > 0) {
    // the table options take ownership of the filter policy
    b.block_based_options_set_filter_policy(table, b.filterpolicy_create_bloom_full(bloomBitsPerKey));
  }
  if (cache !== undefined) {
    // a shared cache is a memory budget: index and filter blocks count against it too
    b.block_based_options_set_block_cache(table, cache);
    b.block_based_options_set_cache_index_and_filter_blocks(table, 1);
    b.block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(table, 1);
  }
  // the factory copies the table options (and shares the cache and filter policy)
  b.options_set_block_based_table_factory(native, table);
  b.block_based_options_destroy(table);
  return native;
}

function cachePointer(cache: unknown): Pointer {
  if (!(cache instanceof NativeCache)) {
    throw new ConfigError('rocksdb option blockCache must be a cache from createLruCache() of the same thread');
  }
  return cache.pointer();
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function number(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new ConfigError(`rocksdb option ${name} must be a number ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

function integer(name: string, value: unknown, min: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min) {
    throw new ConfigError(`rocksdb option ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value as number;
}

function optionalInteger(name: string, value: unknown, min: number): number | undefined {
  return value === undefined ? undefined : integer(name, value, min);
}
