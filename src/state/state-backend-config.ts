/**
 * Which keyed state backend a job runs with, and its settings (DESIGN §4.3). Chosen by
 * `--state-backend` or `RunOptions.stateBackend`, never by the job itself, so the same job
 * runs on either. Plain data: it travels to the worker threads.
 */

/** The `hashmap` backend: state on the JS heap (the default). */
export interface HashMapStateBackendConfig {
  readonly kind: 'hashmap';
}

/** The `rocksdb` backend: state in an embedded RocksDB instance per keyed operator subtask. */
export interface RocksDBStateBackendConfig {
  readonly kind: 'rocksdb';
  /**
   * Directory for the instances' working files (one subdirectory per job, operator,
   * subtask and attempt, deleted when the task ends). @default `<os tmpdir>/eddy-rocksdb`
   */
  readonly localDirectory?: string;
  /** Checkpoints store only new SST files. Savepoints are always full. @default true */
  readonly incrementalCheckpoints?: boolean;
  /**
   * Memory budget of all RocksDB instances of one worker thread, in bytes: the shared block
   * cache takes the rest of it after the write buffers. @default 256 MiB
   */
  readonly memoryBytes?: number;
  /** Share of {@link memoryBytes} for write buffers (memtables), 0..1. @default 0.5 */
  readonly writeBufferRatio?: number;
}

export type StateBackendConfig = HashMapStateBackendConfig | RocksDBStateBackendConfig;

/** The names `--state-backend` accepts. */
export const STATE_BACKEND_KINDS = ['hashmap', 'rocksdb'] as const;

export type StateBackendKind = (typeof STATE_BACKEND_KINDS)[number];
