/**
 * What every RocksDB backend instance of one worker thread shares: the loaded library and
 * one memory budget (DESIGN §4.3): a shared LRU block cache, and write buffers divided
 * among the instances the thread runs.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { RocksDBStateBackendConfig } from '../state-backend-config.js';
import type { RocksDBCache, RocksDBLibrary, RocksDBOpenOptions } from './native/rocksdb-api.js';
import { loadRocksDB } from './native/rocksdb-library.js';

/** The default memory budget of one worker thread's instances. */
export const DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024;
/** The default share of the budget for write buffers. */
export const DEFAULT_WRITE_BUFFER_RATIO = 0.5;
/** The default local working directory. */
export const defaultLocalDirectory = (): string => join(tmpdir(), 'eddy-rocksdb');

/** The settings of the backend with every default applied. */
export interface ResolvedRocksDBSettings {
  readonly localDirectory: string;
  readonly incrementalCheckpoints: boolean;
  readonly memoryBytes: number;
  readonly writeBufferRatio: number;
}

/** Applies the defaults to `config` and checks its values. */
export function resolveRocksDBSettings(config: RocksDBStateBackendConfig): ResolvedRocksDBSettings {
  const memoryBytes = config.memoryBytes ?? DEFAULT_MEMORY_BYTES;
  const writeBufferRatio = config.writeBufferRatio ?? DEFAULT_WRITE_BUFFER_RATIO;
  if (!Number.isSafeInteger(memoryBytes) || memoryBytes < 16 * 1024 * 1024) {
    throw new ConfigError(`rocksdb memory budget ${memoryBytes} bytes is too small; give at least 16 MiB per worker thread`);
  }
  if (!(writeBufferRatio > 0 && writeBufferRatio < 1)) {
    throw new ConfigError(`rocksdb write buffer ratio ${writeBufferRatio} must be between 0 and 1 (exclusive)`);
  }
  return {
    localDirectory: config.localDirectory ?? defaultLocalDirectory(),
    incrementalCheckpoints: config.incrementalCheckpoints ?? true,
    memoryBytes,
    writeBufferRatio,
  };
}

/** The shared parts, one per thread and budget. */
export interface RocksDBThreadResources {
  readonly library: RocksDBLibrary;
  readonly blockCache: RocksDBCache;
  /** Options for a new instance, when `instances` instances share the thread's write buffer budget. */
  openOptions(instances: number): RocksDBOpenOptions;
}

let shared: { key: string; resources: RocksDBThreadResources } | undefined;

/**
 * The resources of this thread for `settings` (created on first use; a different budget
 * later creates a new cache for the instances opened after it).
 *
 * @throws {@link ConfigError} if librocksdb cannot be loaded (with how to install it)
 */
export function threadResources(settings: ResolvedRocksDBSettings): RocksDBThreadResources {
  const key = `${settings.memoryBytes}/${settings.writeBufferRatio}`;
  if (shared?.key === key) return shared.resources;
  const library = loadRocksDB();
  const writeBudget = Math.floor(settings.memoryBytes * settings.writeBufferRatio);
  const blockCache = library.createLruCache(settings.memoryBytes - writeBudget);
  const resources: RocksDBThreadResources = {
    library,
    blockCache,
    openOptions(instances: number): RocksDBOpenOptions {
      const perInstance = Math.max(4 * 1024 * 1024, Math.floor(writeBudget / Math.max(1, instances)));
      return {
        blockCache,
        dbWriteBufferSize: perInstance,
        // two memtables per column family before a write stalls
        writeBufferSize: Math.max(1024 * 1024, Math.min(64 * 1024 * 1024, Math.floor(perInstance / 2))),
        maxWriteBufferNumber: 2,
      };
    },
  };
  shared = { key, resources };
  return resources;
}
