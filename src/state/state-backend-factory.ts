/**
 * Turns the run's {@link StateBackendConfig} into the factory the tasks create their keyed
 * backends with. The RocksDB backend, and with it koffi and librocksdb, is imported only
 * when it is chosen, so a run on the heap never loads native code.
 */
import { createHeapKeyedStateBackend } from './heap/heap-keyed-state-backend.js';
import type { KeyedStateBackendFactory } from './keyed-state-backend.js';
import type { StateBackendConfig } from './state-backend-config.js';

/** What a backend factory knows of the run it serves. */
export interface StateBackendContext {
  readonly jobId: string;
  /** The attempt the tasks belong to (0 for the first run, +1 per restart). */
  readonly attemptNumber: number;
}

/**
 * The keyed state backend factory of one thread's tasks in one attempt: the heap backend
 * for `hashmap`, the RocksDB backend for `rocksdb` (one per thread, so its memory budget
 * is shared by the thread's instances).
 *
 * @throws {@link ConfigError} (rejects) when the RocksDB backend cannot be loaded
 */
export async function createKeyedStateBackendFactory(
  config: StateBackendConfig,
  context: StateBackendContext,
): Promise<KeyedStateBackendFactory> {
  switch (config.kind) {
    case 'hashmap':
      return createHeapKeyedStateBackend;
    case 'rocksdb': {
      const { createRocksDBBackendFactory } = await import('./rocksdb/rocksdb-keyed-state-backend.js');
      return createRocksDBBackendFactory(config, context);
    }
  }
}

/**
 * Checks that the chosen backend can run here: for `rocksdb`, that librocksdb loads. The
 * job master calls it before any task starts, so a missing library fails the run at once
 * with the message that says how to install it, not in every worker thread.
 *
 * @throws {@link ConfigError} (rejects) naming what is missing and how to install it
 */
export async function checkStateBackendAvailable(config: StateBackendConfig): Promise<void> {
  if (config.kind !== 'rocksdb') return;
  const { loadRocksDB } = await import('./rocksdb/native/rocksdb-library.js');
  loadRocksDB();
}

/**
 * Removes what crashed runs of any job left in the backend's local directory: for
 * `rocksdb`, the instance working directories whose owner process is gone (never one of
 * a live process). The job master calls it once per run, before any task starts.
 *
 * @param warn - told what was removed, one line per directory
 */
export async function removeStateBackendLeftovers(config: StateBackendConfig, warn: (message: string) => void): Promise<void> {
  if (config.kind !== 'rocksdb') return;
  const [{ resolveRocksDBSettings }, { removeDeadInstanceDirectories }] = await Promise.all([
    import('./rocksdb/rocksdb-resources.js'),
    import('./rocksdb/rocksdb-directory-sweep.js'),
  ]);
  for (const { path, owner } of removeDeadInstanceDirectories(resolveRocksDBSettings(config).localDirectory)) {
    warn(`removed RocksDB working directory '${path}' left by ${owner}, which is no longer running`);
  }
}

/**
 * Removes the keyed backends' local files of one attempt that this process still holds:
 * those of a worker thread that was terminated before it could dispose its backends.
 *
 * @returns the removed directories
 */
export async function removeAbandonedStateBackendFiles(config: StateBackendConfig, jobId: string, attemptNumber: number): Promise<string[]> {
  if (config.kind !== 'rocksdb') return [];
  const [{ resolveRocksDBSettings }, { removeAbandonedInstanceDirectories }] = await Promise.all([
    import('./rocksdb/rocksdb-resources.js'),
    import('./rocksdb/rocksdb-directory-sweep.js'),
  ]);
  return removeAbandonedInstanceDirectories(resolveRocksDBSettings(config).localDirectory, jobId, attemptNumber);
}
