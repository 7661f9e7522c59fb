/**
 * The `rocksdb` state backend (DESIGN §4.3, docs/ROCKSDB.md): keyed state in an embedded
 * RocksDB instance per keyed operator subtask, one column family per state, keys laid out
 * by key group (rocksdb-key-layout.ts), so state can be far larger than the JS heap.
 * Checkpoints are incremental by default (a native RocksDB checkpoint, then only new SST
 * files are stored); savepoints, and checkpoints with incremental checkpoints off, are full
 * snapshots in the canonical format. What it shares with the heap backend (registration,
 * checks, errors) is in {@link AbstractKeyedStateBackend}; this file holds the storage.
 */
import { randomUUID } from 'node:crypto';
import { encodeKey, type Key } from '../../core/key-encoding.js';
import {
  AbstractKeyedStateBackend,
  type PendingRestoredState,
  type RegisteredKeyedState,
  type RestoringState,
} from '../abstract-keyed-state-backend.js';
import type { AggregatingStateDescriptor, ReducingStateDescriptor, StateDescriptor, StateKind } from '../descriptors.js';
import { decodeEntryKey } from '../keyed-snapshot/keyed-snapshot-reader.js';
import { collectRestoredKeyedState, type RestoredKeyedState } from '../keyed-snapshot/restored-keyed-state.js';
import type { StateBlockCodec } from '../keyed-snapshot/state-block-codec.js';
import type {
  FullKeyedStateSnapshot,
  IncrementalKeyedStateSnapshot,
  KeyedStateBackendFactory,
  KeyedStateBackendOptions,
  KeyedStateSnapshot,
  SnapshotFile,
  SnapshotOptions,
  SnapshotRunner,
} from '../keyed-state-backend.js';
import { VOID_NAMESPACE, type Namespace } from '../namespace.js';
import type { RocksDBStateBackendConfig } from '../state-backend-config.js';
import type { RocksDB, RocksDBColumnFamily, RocksDBLibrary, RocksDBOpenOptions } from './native/rocksdb-api.js';
import { RocksDBAggregatingState } from './rocksdb-aggregating-state.js';
import { RocksDBFullSnapshotRunner, type CapturedColumn } from './rocksdb-full-snapshot-runner.js';
import { RocksDBIncrementalSnapshotRunner } from './rocksdb-incremental-snapshot-runner.js';
import { InstanceDirectory } from './rocksdb-instance-directory.js';
import { RocksDBKeyContext, type ColumnSlot } from './rocksdb-key-context.js';
import { columnFamilyName, encodeKeyPrefix, equalBytes, keyGroupPrefixBytes, parseEntryKey } from './rocksdb-key-layout.js';
import type { RocksDBKvState } from './rocksdb-kv-state.js';
import { RocksDBListState } from './rocksdb-list-state.js';
import { RocksDBMapState } from './rocksdb-map-state.js';
import { RocksDBReducingState } from './rocksdb-reducing-state.js';
import {
  importRestoredState,
  incrementalSnapshotStates,
  mergeIncrementalSnapshots,
  openFromIncrementalSnapshots,
  type RocksDBRestoreTarget,
  type ValueTransform,
} from './rocksdb-restore.js';
import { resolveRocksDBSettings, threadResources } from './rocksdb-resources.js';
import { migrateColumnFamily, migrationOf } from './rocksdb-state-migration.js';
import { RocksDBValueState } from './rocksdb-value-state.js';

/** What the runtime tells the factory about where the backends run. */
export interface RocksDBBackendContext {
  readonly jobId: string;
  readonly attemptNumber: number;
  /** Keyed operator subtasks per worker thread, to share the write buffer budget. @default 1 */
  readonly instancesPerThread?: number;
}

/**
 * The factory the runtime uses for `--state-backend rocksdb`.
 *
 * @throws {@link ConfigError} if librocksdb cannot be loaded (saying how to install it) or a setting is invalid
 */
export function createRocksDBBackendFactory(config: RocksDBStateBackendConfig, context: RocksDBBackendContext): KeyedStateBackendFactory {
  const settings = resolveRocksDBSettings(config);
  const resources = threadResources(settings);
  return (options) =>
    new RocksDBKeyedStateBackend(options, {
      library: resources.library,
      openOptions: resources.openOptions(context.instancesPerThread ?? 1),
      directory: InstanceDirectory.create(
        settings.localDirectory,
        context.jobId,
        options.instanceName ?? `instance-${randomUUID()}`,
      ),
      incrementalCheckpoints: settings.incrementalCheckpoints,
    });
}

/** What an instance is made with. */
export interface RocksDBInstanceSettings {
  readonly library: RocksDBLibrary;
  readonly openOptions: RocksDBOpenOptions;
  readonly directory: InstanceDirectory;
  readonly incrementalCheckpoints: boolean;
}

/** Keyed state in RocksDB. Values are serialized on every write and deserialized on every read. */
export class RocksDBKeyedStateBackend extends AbstractKeyedStateBackend<RocksDBKeyContext, RocksDBKvState, PendingRestoredState> {
  private readonly settings: RocksDBInstanceSettings;
  /** SST files of the last completed checkpoint, by local name; the next checkpoint refers to them. */
  private confirmed = new Map<string, SnapshotFile>();
  /** SST files of checkpoints not yet completed. */
  private readonly pending = new Map<number, ReadonlyMap<string, SnapshotFile>>();
  /** After a restore from one snapshot: its SST files by name, absolute locations. */
  private reusable: ReadonlyMap<string, { readonly file: string; readonly size: number }> = new Map();
  private snapshotsInFlight = 0;

  constructor(options: KeyedStateBackendOptions, settings: RocksDBInstanceSettings) {
    super(options, (prefix) => {
      const db = settings.library.open(settings.directory.newDatabasePath(), [], settings.openOptions);
      return new RocksDBKeyContext(prefix, keyGroupPrefixBytes(options.maxParallelism), db);
    });
    this.settings = settings;
  }

  /** The open database (for tests and tools). */
  get db(): RocksDB {
    return this.ctx.db;
  }

  snapshot(checkpointId: number, options?: SnapshotOptions): SnapshotRunner {
    this.checkSnapshot(checkpointId);
    const columns = this.capturedColumns();
    this.snapshotsInFlight++;
    const released = (): void => {
      this.snapshotsInFlight--;
    };
    const files = options?.files;
    if (files === undefined || options?.savepoint === true || !this.settings.incrementalCheckpoints) {
      return new RocksDBFullSnapshotRunner(this.ctx.db, this.ctx.db.snapshot(), columns, {
        checkpointId,
        maxParallelism: this.maxParallelism,
        keyGroupRange: this.keyGroupRange,
        keyGroupBytes: this.ctx.keyGroupBytes,
        prefix: this.ctx.prefix,
      }, released);
    }
    // the coordinator knew this checkpoint completed before its notice reached this task
    if (options?.lastCompletedCheckpointId !== undefined) this.notifyCheckpointComplete(options.lastCompletedCheckpointId);
    if (this.confirmed.size === 0 && this.reusable.size > 0) {
      for (const [name, { file, size }] of this.reusable) if (files.owns(file)) this.confirmed.set(name, { name, file: files.locate(file), size });
    }
    this.reusable = new Map();
    const directory = this.settings.directory.checkpointPath(checkpointId);
    this.ctx.db.checkpoint(directory);
    return new RocksDBIncrementalSnapshotRunner(
      {
        checkpointId,
        maxParallelism: this.maxParallelism,
        keyGroupRange: this.keyGroupRange,
        states: columns.map((c) => c.meta),
        directory,
        prefix: this.ctx.prefix,
        previous: new Map(this.confirmed),
      },
      files,
      (sstFiles) => this.pending.set(checkpointId, sstFiles),
      released,
    );
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const files = this.pending.get(checkpointId);
    if (files === undefined) return;
    this.confirmed = new Map(files);
    for (const id of this.pending.keys()) if (id <= checkpointId) this.pending.delete(id);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    this.pending.delete(checkpointId);
  }

  protected switchKey(key: Key, keyGroup: number): void {
    this.ctx.keyPrefix = encodeKeyPrefix(keyGroup, encodeKey(key), this.ctx.keyGroupBytes);
  }

  protected createState(
    descriptor: StateDescriptor<unknown>,
    codec: StateBlockCodec,
    restoring: RestoringState<PendingRestoredState> | undefined,
  ): RocksDBKvState {
    const cf = this.columnFamily(descriptor.name);
    // restored values are in the column family already; bring them to the descriptor's version
    const migration = restoring === undefined ? undefined : migrationOf(restoring.decoder);
    if (migration !== undefined) migrateColumnFamily(this.ctx.db, cf, descriptor.kind, migration);
    return this.stateOfKind(descriptor, { cf }, codec);
  }

  protected restoreSnapshots(snapshots: readonly KeyedStateSnapshot[]): void {
    const incremental = snapshots.filter((s): s is IncrementalKeyedStateSnapshot => s.type === 'incremental');
    const full = snapshots.filter((s): s is FullKeyedStateSnapshot => s.type !== 'incremental');
    // check the full snapshots before changing anything
    const collected = full.length > 0 ? collectRestoredKeyedState(full, this.restoreTarget()) : new Map<string, RestoredKeyedState>();
    if (incremental.length > 0) {
      const restoreTarget = {
        library: this.settings.library,
        openOptions: this.settings.openOptions,
        directory: this.settings.directory,
        maxParallelism: this.maxParallelism,
        keyGroupRange: this.keyGroupRange,
        keyGroupBytes: this.ctx.keyGroupBytes,
        prefix: this.ctx.prefix,
      };
      if (this.states.size === 0 && this.restored.size === 0) this.openRestored(incremental, restoreTarget);
      else this.mergeRestored(incremental, restoreTarget);
    }
    // check every full snapshot's states before writing any of them
    const imports: Array<() => void> = [];
    for (const [name, incoming] of collected) {
      const destination = this.restoreDestination(incoming.meta);
      const transform = destination.type === 'registered' ? migrationOf(destination.decoder) : undefined;
      imports.push(() => {
        importRestoredState(this.ctx.db, this.columnFamily(name), incoming, this.ctx.keyGroupBytes, this.ctx.prefix, transform);
        if (destination.type !== 'registered') this.restored.set(name, { meta: incoming.meta });
      });
    }
    for (const apply of imports) apply();
  }

  protected keysOf(registered: RegisteredKeyedState<RocksDBKvState>, namespace: Namespace): Key[] {
    const stateName = registered.meta.name;
    const wanted = namespace === VOID_NAMESPACE ? undefined : encodeKey(namespace);
    const keys: Key[] = [];
    this.scanKeys(stateName, (keyGroup, keyBytes, namespaceBytes) => {
      if (wanted === undefined ? namespaceBytes === undefined : namespaceBytes !== undefined && equalBytes(namespaceBytes, wanted)) {
        keys.push(decodeEntryKey(keyBytes, stateName, keyGroup));
      }
    });
    return keys;
  }

  protected keysAndNamespacesOf(registered: RegisteredKeyedState<RocksDBKvState>): Array<readonly [Key, Namespace]> {
    const stateName = registered.meta.name;
    const pairs: Array<readonly [Key, Namespace]> = [];
    this.scanKeys(stateName, (keyGroup, keyBytes, namespaceBytes) => {
      const key = decodeEntryKey(keyBytes, stateName, keyGroup);
      pairs.push([key, namespaceBytes === undefined ? VOID_NAMESPACE : decodeEntryKey(namespaceBytes, stateName, keyGroup)]);
    });
    return pairs;
  }

  protected releaseStorage(): void {
    this.ctx.keyPrefix = new Uint8Array(0);
    this.ctx.db.close();
    this.settings.directory.remove();
  }

  /** Replaces the (empty) database with one opened from `snapshots`. */
  private openRestored(snapshots: readonly IncrementalKeyedStateSnapshot[], target: RocksDBRestoreTarget): void {
    const opened = openFromIncrementalSnapshots(snapshots, target);
    this.ctx.db.close();
    this.ctx.db = opened.db;
    for (const [name, meta] of opened.states) this.restored.set(name, { meta });
    this.reusable = opened.reusable;
    this.confirmed = new Map();
  }

  /** Copies the entries of `snapshots` into the database, whose states may be in use. */
  private mergeRestored(snapshots: readonly IncrementalKeyedStateSnapshot[], target: RocksDBRestoreTarget): void {
    const incoming = incrementalSnapshotStates(snapshots, target);
    const transforms = new Map<string, { kind: StateKind; transform: ValueTransform }>();
    for (const [name, meta] of incoming) {
      const destination = this.restoreDestination(meta);
      const transform = destination.type === 'registered' ? migrationOf(destination.decoder) : undefined;
      if (transform !== undefined) transforms.set(name, { kind: meta.kind, transform });
    }
    mergeIncrementalSnapshots(this.ctx.db, snapshots, target, transforms);
    for (const [name, meta] of incoming) if (!this.states.has(name)) this.restored.set(name, { meta });
  }

  /** The column family of state `name`, created if missing. */
  private columnFamily(name: string): RocksDBColumnFamily {
    const cfName = columnFamilyName(name);
    return this.ctx.db.columnFamily(cfName) ?? this.ctx.db.createColumnFamily(cfName);
  }

  /** Every state with its meta and column family, as a snapshot records them. */
  private capturedColumns(): CapturedColumn[] {
    const columns: CapturedColumn[] = [];
    for (const { meta } of this.states.values()) columns.push({ meta, cf: this.columnFamily(meta.name) });
    for (const { meta } of this.restored.values()) columns.push({ meta, cf: this.columnFamily(meta.name) });
    return columns;
  }

  /** Visits the (key, namespace) of every entry of a state, once per pair. */
  private scanKeys(stateName: string, visit: (keyGroup: number, keyBytes: Uint8Array, namespaceBytes: Uint8Array | undefined) => void): void {
    const it = this.ctx.db.iterator(this.columnFamily(stateName));
    let previous: Uint8Array | undefined;
    try {
      for (it.seekToFirst(); it.valid(); it.next()) {
        const entryKey = it.key();
        const parsed = parseEntryKey(entryKey, this.ctx.keyGroupBytes, stateName);
        const pair = entryKey.subarray(0, parsed.prefixLength);
        if (previous !== undefined && equalBytes(previous, pair)) continue; // more entries of one map
        previous = pair;
        visit(parsed.keyGroup, parsed.keyBytes, parsed.namespaceBytes);
      }
      it.checkStatus();
    } finally {
      it.close();
    }
  }

  /** The RocksDB state factory: the state object of `descriptor.kind` over `column`. */
  private stateOfKind(descriptor: StateDescriptor<unknown>, column: ColumnSlot, codec: StateBlockCodec): RocksDBKvState {
    switch (descriptor.kind) {
      case 'value':
        return new RocksDBValueState(descriptor.name, column, this.ctx, codec);
      case 'list':
        return new RocksDBListState(descriptor.name, column, this.ctx, codec);
      case 'map':
        return new RocksDBMapState(descriptor.name, column, this.ctx, codec);
      case 'reducing':
        return new RocksDBReducingState(descriptor as ReducingStateDescriptor<unknown>, column, this.ctx, codec);
      case 'aggregating':
        return new RocksDBAggregatingState(descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>, column, this.ctx, codec);
    }
  }
}
