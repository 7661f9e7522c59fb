/**
 * The raw koffi declarations of the RocksDB C API functions Eddy calls, declared once per
 * thread when the library loads. Byte arguments and out-parameters (`char **errptr`,
 * `size_t *len`, handle arrays) take either a pointer into native memory or a typed array
 * koffi passes by address. The functions are properties of one object literal, which V8
 * keeps in fast mode (an object built by adding 70 properties in a loop is a dictionary).
 */
import type { LibraryHandle } from 'koffi';

/** The koffi module, loaded lazily (its native addon too) by `loadRocksDB()`. */
export type Koffi = typeof import('koffi').default;

/** A native pointer as koffi 3 represents it. */
export type Pointer = bigint;

/** Bytes passed to C: native memory, or a typed array koffi passes by address. */
type Bytes = Pointer | Uint8Array;
/** Out-parameter memory the C side writes into. */
type Out = Pointer | Uint32Array | BigUint64Array;

/** The C functions, typed; names drop the `rocksdb_` prefix. */
export interface RocksDBBindings {
  free(ptr: Pointer): void;
  /** libc's memcpy, found through librocksdb's dependencies: copies bytes out of and into native memory. */
  memcpy(dst: Bytes, src: Bytes, length: number): void;

  options_create(): Pointer;
  options_destroy(options: Pointer): void;
  options_set_create_if_missing(options: Pointer, value: number): void;
  options_set_create_missing_column_families(options: Pointer, value: number): void;
  options_increase_parallelism(options: Pointer, threads: number): void;
  options_set_max_background_jobs(options: Pointer, jobs: number): void;
  options_set_write_buffer_size(options: Pointer, bytes: number): void;
  options_set_max_write_buffer_number(options: Pointer, count: number): void;
  options_set_db_write_buffer_size(options: Pointer, bytes: number): void;
  options_set_max_open_files(options: Pointer, count: number): void;
  options_set_info_log_level(options: Pointer, level: number): void;
  options_set_keep_log_file_num(options: Pointer, count: number): void;
  options_set_block_based_table_factory(options: Pointer, table: Pointer): void;
  block_based_options_create(): Pointer;
  block_based_options_destroy(table: Pointer): void;
  block_based_options_set_block_cache(table: Pointer, cache: Pointer): void;
  block_based_options_set_filter_policy(table: Pointer, policy: Pointer): void;
  block_based_options_set_cache_index_and_filter_blocks(table: Pointer, value: number): void;
  block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(table: Pointer, value: number): void;
  filterpolicy_create_bloom_full(bitsPerKey: number): Pointer;

  cache_create_lru(capacity: number): Pointer;
  cache_destroy(cache: Pointer): void;
  cache_get_usage(cache: Pointer): number;

  readoptions_create(): Pointer;
  readoptions_destroy(options: Pointer): void;
  readoptions_set_fill_cache(options: Pointer, value: number): void;
  readoptions_set_snapshot(options: Pointer, snapshot: Pointer): void;
  readoptions_set_iterate_lower_bound(options: Pointer, key: Pointer, length: number): void;
  readoptions_set_iterate_upper_bound(options: Pointer, key: Pointer, length: number): void;
  writeoptions_create(): Pointer;
  writeoptions_destroy(options: Pointer): void;
  writeoptions_disable_WAL(options: Pointer, disable: number): void;
  flushoptions_create(): Pointer;
  flushoptions_destroy(options: Pointer): void;
  flushoptions_set_wait(options: Pointer, wait: number): void;

  open_column_families(
    options: Pointer, path: string, count: number, names: string[],
    familyOptions: BigUint64Array, handles: BigUint64Array, err: Out,
  ): Pointer | null;
  close(db: Pointer): void;
  list_column_families(options: Pointer, path: string, count: Out, err: Out): Pointer | null;
  list_column_families_destroy(list: Pointer, count: number): void;
  create_column_family(db: Pointer, options: Pointer, name: string, err: Out): Pointer | null;
  drop_column_family(db: Pointer, cf: Pointer, err: Out): void;
  column_family_handle_destroy(cf: Pointer): void;

  get_cf(db: Pointer, ro: Pointer, cf: Pointer, key: Bytes, keyLength: number, valueLength: Out, err: Out): Pointer | null;
  put_cf(
    db: Pointer, wo: Pointer, cf: Pointer, key: Bytes, keyLength: number,
    value: Bytes, valueLength: number, err: Out,
  ): void;
  delete_cf(db: Pointer, wo: Pointer, cf: Pointer, key: Bytes, keyLength: number, err: Out): void;
  delete_range_cf(
    db: Pointer, wo: Pointer, cf: Pointer, start: Bytes, startLength: number,
    end: Bytes, endLength: number, err: Out,
  ): void;
  write(db: Pointer, wo: Pointer, batch: Pointer, err: Out): void;

  writebatch_create(): Pointer;
  writebatch_destroy(batch: Pointer): void;
  writebatch_clear(batch: Pointer): void;
  writebatch_count(batch: Pointer): number;
  writebatch_put_cf(batch: Pointer, cf: Pointer, key: Bytes, keyLength: number, value: Bytes, valueLength: number): void;
  writebatch_delete_cf(batch: Pointer, cf: Pointer, key: Bytes, keyLength: number): void;
  writebatch_delete_range_cf(
    batch: Pointer, cf: Pointer, start: Bytes, startLength: number, end: Bytes, endLength: number,
  ): void;

  create_iterator_cf(db: Pointer, ro: Pointer, cf: Pointer): Pointer;
  iter_destroy(iterator: Pointer): void;
  iter_valid(iterator: Pointer): number;
  iter_seek_to_first(iterator: Pointer): void;
  iter_seek(iterator: Pointer, key: Bytes, keyLength: number): void;
  iter_next(iterator: Pointer): void;
  iter_key(iterator: Pointer, length: Out): Pointer;
  iter_value(iterator: Pointer, length: Out): Pointer;
  iter_get_error(iterator: Pointer, err: Out): void;

  create_snapshot(db: Pointer): Pointer;
  release_snapshot(db: Pointer, snapshot: Pointer): void;

  flush_cf(db: Pointer, options: Pointer, cf: Pointer, err: Out): void;
  /** Absent from RocksDB 7.8 (flush_cf per family is used then). */
  flush_cfs?: (db: Pointer, options: Pointer, cfs: BigUint64Array, count: number, err: Out) => void;
  compact_range_cf(
    db: Pointer, cf: Pointer, start: Bytes | null, startLength: number, end: Bytes | null, endLength: number,
  ): void;
  checkpoint_object_create(db: Pointer, err: Out): Pointer | null;
  checkpoint_create(checkpoint: Pointer, directory: string, logSizeForFlush: number, err: Out): void;
  checkpoint_object_destroy(checkpoint: Pointer): void;
  property_value(db: Pointer, name: string): Pointer | null;
  property_value_cf(db: Pointer, cf: Pointer, name: string): Pointer | null;
}

const P = 'void *';
const BYTES = 'const uint8_t *';

/**
 * Declares every function of {@link RocksDBBindings} on a loaded library. Throws (koffi's
 * error) if a required symbol is missing, e.g. from a RocksDB too old.
 */
export function bindRocksDB(lib: LibraryHandle): RocksDBBindings {
  const f = (name: string, result: string, parameters: string[]) => lib.func(`rocksdb_${name}`, result, parameters);
  let flushColumnFamilies: RocksDBBindings['flush_cfs'];
  try {
    flushColumnFamilies = f('flush_cfs', 'void', [P, P, P, 'int', P]);
  } catch {
    // older RocksDB: flush column families one by one
  }
  return {
    // a void result: the pointer memcpy returns would cost a BigInt per call
    memcpy: lib.func('memcpy', 'void', [P, P, 'size_t']),
    flush_cfs: flushColumnFamilies,
    free: f('free', 'void', [P]),
    options_create: f('options_create', P, []),
    options_destroy: f('options_destroy', 'void', [P]),
    options_set_create_if_missing: f('options_set_create_if_missing', 'void', [P, 'unsigned char']),
    options_set_create_missing_column_families: f(
      'options_set_create_missing_column_families', 'void', [P, 'unsigned char'],
    ),
    options_increase_parallelism: f('options_increase_parallelism', 'void', [P, 'int']),
    options_set_max_background_jobs: f('options_set_max_background_jobs', 'void', [P, 'int']),
    options_set_write_buffer_size: f('options_set_write_buffer_size', 'void', [P, 'size_t']),
    options_set_max_write_buffer_number: f('options_set_max_write_buffer_number', 'void', [P, 'int']),
    options_set_db_write_buffer_size: f('options_set_db_write_buffer_size', 'void', [P, 'size_t']),
    options_set_max_open_files: f('options_set_max_open_files', 'void', [P, 'int']),
    options_set_info_log_level: f('options_set_info_log_level', 'void', [P, 'int']),
    options_set_keep_log_file_num: f('options_set_keep_log_file_num', 'void', [P, 'size_t']),
    options_set_block_based_table_factory: f('options_set_block_based_table_factory', 'void', [P, P]),
    block_based_options_create: f('block_based_options_create', P, []),
    block_based_options_destroy: f('block_based_options_destroy', 'void', [P]),
    block_based_options_set_block_cache: f('block_based_options_set_block_cache', 'void', [P, P]),
    block_based_options_set_filter_policy: f('block_based_options_set_filter_policy', 'void', [P, P]),
    block_based_options_set_cache_index_and_filter_blocks: f(
      'block_based_options_set_cache_index_and_filter_blocks', 'void', [P, 'unsigned char'],
    ),
    block_based_options_set_pin_l0_filter_and_index_blocks_in_cache: f(
      'block_based_options_set_pin_l0_filter_and_index_blocks_in_cache', 'void', [P, 'unsigned char'],
    ),
    filterpolicy_create_bloom_full: f('filterpolicy_create_bloom_full', P, ['double']),
    cache_create_lru: f('cache_create_lru', P, ['size_t']),
    cache_destroy: f('cache_destroy', 'void', [P]),
    cache_get_usage: f('cache_get_usage', 'size_t', [P]),
    readoptions_create: f('readoptions_create', P, []),
    readoptions_destroy: f('readoptions_destroy', 'void', [P]),
    readoptions_set_fill_cache: f('readoptions_set_fill_cache', 'void', [P, 'unsigned char']),
    readoptions_set_snapshot: f('readoptions_set_snapshot', 'void', [P, P]),
    readoptions_set_iterate_lower_bound: f('readoptions_set_iterate_lower_bound', 'void', [P, P, 'size_t']),
    readoptions_set_iterate_upper_bound: f('readoptions_set_iterate_upper_bound', 'void', [P, P, 'size_t']),
    writeoptions_create: f('writeoptions_create', P, []),
    writeoptions_destroy: f('writeoptions_destroy', 'void', [P]),
    writeoptions_disable_WAL: f('writeoptions_disable_WAL', 'void', [P, 'int']),
    flushoptions_create: f('flushoptions_create', P, []),
    flushoptions_destroy: f('flushoptions_destroy', 'void', [P]),
    flushoptions_set_wait: f('flushoptions_set_wait', 'void', [P, 'unsigned char']),
    open_column_families: f('open_column_families', P, [P, 'const char *', 'int', 'const char **', P, P, P]),
    close: f('close', 'void', [P]),
    list_column_families: f('list_column_families', P, [P, 'const char *', P, P]),
    list_column_families_destroy: f('list_column_families_destroy', 'void', [P, 'size_t']),
    create_column_family: f('create_column_family', P, [P, P, 'const char *', P]),
    drop_column_family: f('drop_column_family', 'void', [P, P, P]),
    column_family_handle_destroy: f('column_family_handle_destroy', 'void', [P]),
    get_cf: f('get_cf', P, [P, P, P, BYTES, 'size_t', P, P]),
    put_cf: f('put_cf', 'void', [P, P, P, BYTES, 'size_t', BYTES, 'size_t', P]),
    delete_cf: f('delete_cf', 'void', [P, P, P, BYTES, 'size_t', P]),
    delete_range_cf: f('delete_range_cf', 'void', [P, P, P, BYTES, 'size_t', BYTES, 'size_t', P]),
    write: f('write', 'void', [P, P, P, P]),
    writebatch_create: f('writebatch_create', P, []),
    writebatch_destroy: f('writebatch_destroy', 'void', [P]),
    writebatch_clear: f('writebatch_clear', 'void', [P]),
    writebatch_count: f('writebatch_count', 'int', [P]),
    writebatch_put_cf: f('writebatch_put_cf', 'void', [P, P, BYTES, 'size_t', BYTES, 'size_t']),
    writebatch_delete_cf: f('writebatch_delete_cf', 'void', [P, P, BYTES, 'size_t']),
    writebatch_delete_range_cf: f('writebatch_delete_range_cf', 'void', [P, P, BYTES, 'size_t', BYTES, 'size_t']),
    create_iterator_cf: f('create_iterator_cf', P, [P, P, P]),
    iter_destroy: f('iter_destroy', 'void', [P]),
    iter_valid: f('iter_valid', 'unsigned char', [P]),
    iter_seek_to_first: f('iter_seek_to_first', 'void', [P]),
    iter_seek: f('iter_seek', 'void', [P, BYTES, 'size_t']),
    iter_next: f('iter_next', 'void', [P]),
    iter_key: f('iter_key', P, [P, P]),
    iter_value: f('iter_value', P, [P, P]),
    iter_get_error: f('iter_get_error', 'void', [P, P]),
    create_snapshot: f('create_snapshot', P, [P]),
    release_snapshot: f('release_snapshot', 'void', [P, P]),
    flush_cf: f('flush_cf', 'void', [P, P, P, P]),
    compact_range_cf: f('compact_range_cf', 'void', [P, P, BYTES, 'size_t', BYTES, 'size_t']),
    checkpoint_object_create: f('checkpoint_object_create', P, [P, P]),
    checkpoint_create: f('checkpoint_create', 'void', [P, 'const char *', 'uint64_t', P]),
    checkpoint_object_destroy: f('checkpoint_object_destroy', 'void', [P]),
    property_value: f('property_value', P, [P, 'const char *']),
    property_value_cf: f('property_value_cf', P, [P, P, 'const char *']),
  };
}
