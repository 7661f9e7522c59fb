/**
 * The contract of every keyed state backend (heap and RocksDB): keyed state
 * organised by key group, scoped to a current key set by the runtime, snapshotted in two
 * phases and restored from any subset of key groups.
 */
import type { Key } from '../core/key-encoding.js';
import type { KeyGroupRange } from '../core/key-group-range.js';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from './descriptors.js';
import type {
  InternalAggregatingState,
  InternalListState,
  InternalMapState,
  InternalReducingState,
  InternalValueState,
} from './internal-kv-state.js';
import type { KeyedSnapshotStateMeta } from './keyed-snapshot/keyed-snapshot-format.js';
import type { KeyedStateFactoryDecorator } from './keyed-state-factory.js';
import type { Namespace } from './namespace.js';

/**
 * A snapshot of a keyed state backend: the canonical, backend-independent bytes
 * ({@link FullKeyedStateSnapshot}) or, from the RocksDB backend between savepoints, the
 * files of a native RocksDB checkpoint ({@link IncrementalKeyedStateSnapshot}).
 */
export type KeyedStateSnapshot = FullKeyedStateSnapshot | IncrementalKeyedStateSnapshot;

/**
 * A snapshot in the canonical, backend-independent format (docs/STATE.md, "Snapshot
 * format"): one byte string organised by key group. It is plain data, so it can be posted
 * to another thread (transfer `bytes.buffer`) or written to a file as is;
 * `readKeyedSnapshotHeader(bytes)` tells what is inside. Every backend writes and reads it;
 * savepoints always use it.
 */
export interface FullKeyedStateSnapshot {
  readonly type: 'full';
  /** The checkpoint the snapshot belongs to. */
  readonly checkpointId: number;
  /** The snapshot, starting with its magic and format version. */
  readonly bytes: Uint8Array;
}

/** One file of an {@link IncrementalKeyedStateSnapshot}. */
export interface SnapshotFile {
  /** The file's name inside the RocksDB directory, e.g. `000012.sst` or `MANIFEST-000005`. */
  readonly name: string;
  /**
   * Where the file is stored. In a snapshot a backend returns (and in checkpoint metadata)
   * this is the location {@link SnapshotFileStore} returned, relative to the checkpoint's
   * directory (e.g. `../shared/…`); in a snapshot given to `restore()` it is an absolute path.
   */
  readonly file: string;
  /** Size in bytes. */
  readonly size: number;
}

/**
 * The state of one RocksDB instance as of a native RocksDB checkpoint: its SST files
 * (immutable, so shared with the checkpoints before and after it) and its other files
 * (MANIFEST, CURRENT, OPTIONS: this checkpoint's own). Only the RocksDB backend reads it.
 */
export interface IncrementalKeyedStateSnapshot {
  readonly type: 'incremental';
  readonly checkpointId: number;
  /** The backend that wrote it; only it can restore it. */
  readonly backend: 'rocksdb';
  readonly maxParallelism: number;
  /** First and last key group (inclusive) of the instance. */
  readonly keyGroupRange: readonly [number, number];
  /** Every state of the instance (one column family each, named as the state). */
  readonly states: readonly KeyedSnapshotStateMeta[];
  /** SST files. */
  readonly sharedFiles: readonly SnapshotFile[];
  /** The other files of the native checkpoint. */
  readonly privateFiles: readonly SnapshotFile[];
  /**
   * The shared files this snapshot stored (its new files), by `file`; the others refer to
   * files stored by earlier checkpoints. Absent in snapshots given to `restore()`.
   */
  readonly uploaded?: readonly string[];
}

/**
 * Stores the files of an incremental snapshot; the checkpoint storage gives one to
 * {@link KeyedStateBackend.snapshot} for each checkpoint.
 */
export interface SnapshotFileStore {
  /**
   * Copies the local file `localPath` into the shared area of the checkpoint storage
   * under a new unique name (durably: written, synced, renamed) and returns its location
   * relative to the checkpoint's directory.
   */
  storeShared(localPath: string): Promise<SnapshotFile>;
  /** Copies `localPath` into the checkpoint's own directory; returns its location as above. */
  storePrivate(localPath: string): Promise<SnapshotFile>;
  /**
   * Whether a `file` of a snapshot restored from may be referred to again instead of being
   * stored anew: true when it lies in this job's own checkpoint storage.
   */
  owns(absolutePath: string): boolean;
  /** Turns an absolute path of a restored snapshot file into a location as above. */
  locate(absolutePath: string): string;
}

/** How {@link KeyedStateBackend.snapshot} is to snapshot. */
export interface SnapshotOptions {
  /** A savepoint: always in the canonical, backend-independent format. */
  readonly savepoint: boolean;
  /**
   * Where an incremental snapshot stores its files. A backend that snapshots incrementally
   * does so only when it is given; otherwise it writes a full snapshot.
   */
  readonly files?: SnapshotFileStore;
  /**
   * The latest checkpoint the coordinator knew completed when it triggered this one (see
   * `CheckpointOptions.lastCompletedCheckpointId`): counts as notified complete.
   */
  readonly lastCompletedCheckpointId?: number;
}

/**
 * The asynchronous part of a snapshot. {@link KeyedStateBackend.snapshot} has already
 * fixed which state it holds; `run()` serializes it while processing goes on, and sees
 * none of the writes made after `snapshot()` returned.
 *
 * Call exactly one of `run()` and `cancel()`: until then the backend keeps copying what it
 * writes (copy-on-write) on behalf of this snapshot.
 */
export interface SnapshotRunner<S extends KeyedStateSnapshot = KeyedStateSnapshot> {
  /** The checkpoint id given to {@link KeyedStateBackend.snapshot}. */
  readonly checkpointId: number;
  /** Serializes the snapshot; yields to the event loop between key groups. Call once. */
  run(): Promise<S>;
  /** Gives up the snapshot (checkpoint aborted) and releases what it holds. */
  cancel(): void;
}

/** What every backend needs to know when it is created. */
export interface KeyedStateBackendOptions {
  /** The number of key groups; fixed for the life of the state (docs/DESIGN §3). */
  readonly maxParallelism: number;
  /** The key groups this backend (one parallel subtask) holds, both ends inclusive. */
  readonly keyGroupRange: KeyGroupRange;
  /**
   * Says whose state this is, at the start of error messages, e.g.
   * `operator 'dedup' (subtask 2/4)`. @default no prefix
   */
  readonly owner?: string;
  /**
   * A name unique within the job for this backend, made of the operator's uid, the
   * subtask index and the attempt, e.g. `op-dedup-2-a0`; backends that keep files name
   * their local working directory after it. @default a random name
   */
  readonly instanceName?: string;
  /**
   * Wraps the backend's state factory, so that every state object the backend hands out,
   * of every kind, comes through it (see {@link KeyedStateFactoryDecorator}; the seam for
   * state TTL). @default the backend's own objects, undecorated
   */
  readonly stateFactoryDecorator?: KeyedStateFactoryDecorator;
}

/** Creates a backend; the runtime picks one per `--state-backend`. */
export type KeyedStateBackendFactory = (options: KeyedStateBackendOptions) => KeyedStateBackend;

/**
 * Keyed state of one parallel instance of one keyed operator.
 *
 * The runtime calls {@link KeyedStateBackend.setCurrentKey} before handing each record
 * (or timer) to the user function; the state objects returned by
 * {@link KeyedStateBackend.getPartitionedState} then read and write the value of that
 * key. Values are copied (or serialized) in and out, so mutating an object after
 * `update()`, or mutating what `value()` returned, never changes stored state.
 */
export interface KeyedStateBackend {
  /** The number of key groups of the job (see {@link KeyedStateBackendOptions}). */
  readonly maxParallelism: number;
  /** The key groups this backend holds. */
  readonly keyGroupRange: KeyGroupRange;

  /**
   * Makes `key` the current key of every state of this backend.
   *
   * @throws {@link KeyError} if `key` is not a valid key
   * @throws {@link StateAccessError} if the key's group is outside {@link KeyedStateBackend.keyGroupRange}
   */
  setCurrentKey(key: Key): void;
  /** The key set by the last {@link KeyedStateBackend.setCurrentKey}, or `undefined`. */
  getCurrentKey(): Key | undefined;
  /** The key group of the current key, or -1 before any key was set. */
  getCurrentKeyGroup(): number;

  /**
   * The state object for `descriptor`, created on first request. Asking again with the
   * same name returns the same object. If the state was restored, the restored values
   * are visible from the first request on (decoded with the descriptor's serializer and,
   * for an older `version`, migrated with its `migrate`).
   *
   * @throws {@link StateAccessError} if the name is already registered as another kind,
   *   or with another serializer or version
   * @throws {@link RestoreError} naming the owner and the state if it was restored as
   *   another kind or with another serializer, or its values cannot be brought to the
   *   descriptor's version (newer stored version, no `migrate`, `migrate` threw)
   */
  getPartitionedState<T>(descriptor: ValueStateDescriptor<T>): InternalValueState<T>;
  getPartitionedState<T>(descriptor: ListStateDescriptor<T>): InternalListState<T>;
  getPartitionedState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): InternalMapState<UK, UV>;
  getPartitionedState<T>(descriptor: ReducingStateDescriptor<T>): InternalReducingState<T>;
  getPartitionedState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): InternalAggregatingState<IN, OUT>;

  /**
   * The keys that have a value in state `stateName` under `namespace`, taken when called:
   * the caller may set each as current key and change state while iterating. Order is
   * unspecified.
   *
   * @param namespace - @default VOID_NAMESPACE
   * @throws {@link StateAccessError} if no state of that name has been requested yet
   */
  getKeys(stateName: string, namespace?: Namespace): Iterable<Key>;

  /**
   * Every (key, namespace) pair that has a value in state `stateName`, in every namespace,
   * taken when called (the caller may set each key and change state while iterating).
   * Order is unspecified. The timer service rebuilds its queues from this after a restore.
   *
   * @throws {@link StateAccessError} if no state of that name has been requested yet
   */
  getKeysAndNamespaces(stateName: string): Iterable<readonly [Key, Namespace]>;

  /**
   * Whether a state named `stateName` exists: requested already, or restored and waiting
   * for its descriptor. Lets internal users (timers) register their states only when
   * they have something in them.
   */
  hasState(stateName: string): boolean;

  /**
   * The synchronous part of a snapshot for checkpoint `checkpointId`: fixes the state as
   * it is now, in time that does not grow with the number of entries (the heap backend
   * marks its tables copy-on-write; RocksDB flushes its memtables and takes a native
   * checkpoint, or a RocksDB snapshot for a full one), and returns the asynchronous part.
   *
   * @param options - @default a full snapshot for a checkpoint
   */
  snapshot(checkpointId: number, options?: SnapshotOptions): SnapshotRunner;

  /**
   * Checkpoint `checkpointId` completed: an incremental backend may now refer to the files
   * that checkpoint stored instead of storing them again.
   */
  notifyCheckpointComplete?(checkpointId: number): void;

  /** Checkpoint `checkpointId` was aborted; the backend forgets what it kept for it. */
  notifyCheckpointAborted?(checkpointId: number): void;

  /**
   * Loads the key groups of {@link KeyedStateBackend.keyGroupRange} from `snapshots`
   * (taken at any parallelism; other key groups are skipped without being decoded). Call
   * before the states are first requested, or they are loaded into the states already
   * registered. Restored states nobody requests are kept and written into later snapshots.
   *
   * @throws {@link RestoreError} if a snapshot has another maxParallelism, or two snapshots
   *   hold the same key group, or they disagree on a state's kind or serializer
   * @throws {@link StateSerializationError} if the bytes are corrupt or truncated
   */
  restore(snapshots: readonly KeyedStateSnapshot[]): void;

  /**
   * Drops all state and deletes the backend's local files. The backend cannot be used
   * afterwards.
   */
  dispose(): void;
}
