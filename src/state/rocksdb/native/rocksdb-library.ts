/**
 * Loads librocksdb through koffi, lazily and once per thread (each worker thread binds its
 * own copy of the functions), and opens databases with it. Nothing native is loaded until
 * {@link loadRocksDB} is first called, so importing this module costs nothing when the
 * hashmap state backend is used.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ConfigError } from '../../../core/errors.js';
import type { RocksDB, RocksDBCache, RocksDBLibrary, RocksDBOpenOptions } from './rocksdb-api.js';
import { bindRocksDB } from './rocksdb-bindings.js';
import type { Koffi, RocksDBBindings } from './rocksdb-bindings.js';
import { NativeCache } from './native-cache.js';
import { NativeMemory } from './native-memory.js';
import { createNativeOptions } from './native-options.js';
import { NativeRocksDB } from './native-rocksdb.js';

/** Environment variable naming the librocksdb file to load instead of the usual names. */
export const ROCKSDB_LIBRARY_ENV = 'EDDY_ROCKSDB_LIBRARY';

/** The library files tried, in order, unless {@link ROCKSDB_LIBRARY_ENV} names one. */
export const ROCKSDB_LIBRARY_FILES: readonly string[] = [
  'librocksdb.so',
  'librocksdb.so.9',
  'librocksdb.so.8',
  'librocksdb.so.7.8',
  'librocksdb.so.7',
  'librocksdb.dylib',
  '/opt/homebrew/lib/librocksdb.dylib',
  '/usr/local/lib/librocksdb.dylib',
];

let loaded: RocksDBLibrary | undefined;

/**
 * The RocksDB library of this thread, loaded on the first call: the file named by
 * `EDDY_ROCKSDB_LIBRARY` when it is set (only that one: an explicit choice that fails must
 * not fall back silently to another library), else the first of {@link ROCKSDB_LIBRARY_FILES}
 * that loads.
 * @throws ConfigError if no librocksdb can be loaded (the message says how to install it)
 */
export function loadRocksDB(): RocksDBLibrary {
  if (loaded) return loaded;
  const override = process.env[ROCKSDB_LIBRARY_ENV];
  loaded = loadRocksDBFrom(override ? [override] : ROCKSDB_LIBRARY_FILES);
  return loaded;
}

/**
 * Loads the first of `files` that is a usable librocksdb, uncached (each call binds the
 * functions anew; use {@link loadRocksDB}).
 * @throws ConfigError naming every file tried and why it failed
 */
export function loadRocksDBFrom(files: readonly string[]): RocksDBLibrary {
  const koffi = loadKoffi();
  const tried: string[] = [];
  for (const file of files) {
    let lib: ReturnType<Koffi['load']>;
    try {
      lib = koffi.load(file);
    } catch (error) {
      tried.push(`${file} (${reason(error)})`);
      continue;
    }
    try {
      return new NativeRocksDBLibrary(file, bindRocksDB(lib), koffi);
    } catch (error) {
      lib.unload();
      tried.push(`${file} (loaded, but ${reason(error)}; RocksDB 7.8 or newer is needed)`);
    }
  }
  throw new ConfigError(
    `the rocksdb state backend needs librocksdb, RocksDB's shared library, and none could be loaded. ` +
      `Install it with 'sudo apt-get install librocksdb-dev' (Debian/Ubuntu) or 'brew install rocksdb' (macOS), ` +
      `or set ${ROCKSDB_LIBRARY_ENV} to the library file. The hashmap state backend ` +
      `(--state-backend hashmap) needs nothing. Tried: ${tried.join('; ')}`,
  );
}

/** Whether {@link loadRocksDB} succeeds on this thread. */
export function isRocksDBAvailable(): boolean {
  try {
    loadRocksDB();
    return true;
  } catch {
    return false;
  }
}

function loadKoffi(): Koffi {
  try {
    return createRequire(import.meta.url)('koffi') as Koffi;
  } catch (error) {
    throw new ConfigError(
      `the rocksdb state backend needs the koffi package (a native FFI addon), which could not be loaded: ` +
        `${reason(error)}. Reinstall Eddy's dependencies, or use --state-backend hashmap.`,
    );
  }
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!;
}

/** {@link RocksDBLibrary} over the bound C functions of one thread. */
class NativeRocksDBLibrary implements RocksDBLibrary {
  private readonly mem: NativeMemory;

  constructor(
    readonly libraryFile: string,
    private readonly b: RocksDBBindings,
    koffi: Koffi,
  ) {
    this.mem = new NativeMemory(b, koffi);
  }

  createLruCache(capacityBytes: number): RocksDBCache {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 0) {
      throw new ConfigError(`a RocksDB block cache capacity must be a whole number of bytes ≥ 0, got ${capacityBytes}`);
    }
    return new NativeCache(this.b, capacityBytes);
  }

  /**
   * Opens `path` with `columnFamilies`, `default` and, if the database exists, every column
   * family it already has (RocksDB refuses to open a database without all of them).
   */
  open(path: string, columnFamilies: readonly string[], options: RocksDBOpenOptions = {}): RocksDB {
    const existing = existsSync(join(path, 'CURRENT')) ? this.listColumnFamilies(path) : [];
    const names = [...new Set(['default', ...existing, ...columnFamilies])];
    const { b, mem } = this;
    const native = createNativeOptions(b, options);
    const handles = new BigUint64Array(names.length);
    const familyOptions = new BigUint64Array(names.length).fill(native);
    const db = b.open_column_families(native, path, names.length, names, familyOptions, handles, mem.error);
    if (mem.failed()) {
      b.options_destroy(native);
      throw mem.takeError(`RocksDB could not open ${path} with column families ${names.join(', ')}`);
    }
    const families = new Map(names.map((name, i) => [name, handles[i]!]));
    return new NativeRocksDB(b, mem, path, { db: db!, options: native, families });
  }

  listColumnFamilies(path: string): string[] {
    const { b, mem } = this;
    const options = b.options_create();
    try {
      const list = b.list_column_families(options, path, mem.length, mem.error);
      mem.check(() => `RocksDB could not list the column families of ${path}`);
      const count = mem.lengthValue();
      try {
        return mem.readStrings(list!, count);
      } finally {
        b.list_column_families_destroy(list!, count);
      }
    } finally {
      b.options_destroy(options);
    }
  }
}
