/**
 * A keyed state backend that snapshots the way the RocksDB backend does, without RocksDB,
 * so the checkpoint side of incremental checkpoints can be tested on its own: its
 * "instance" is a directory of real files — SST files that never change once written
 * (`flush` adds one, `compact` replaces some by one) plus a MANIFEST and CURRENT — and an
 * incremental snapshot stores the SST files that the last completed checkpoint (or the
 * restored one) does not hold, and refers to the others. It holds no key/value state:
 * asking it for a state throws.
 */
import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Key } from '../../src/core/key-encoding.js';
import { KeyGroupRange } from '../../src/core/key-group-range.js';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.js';
import type { KeyedSnapshotStateMeta } from '../../src/state/keyed-snapshot/keyed-snapshot-format.js';
import type {
  IncrementalKeyedStateSnapshot,
  KeyedStateBackend,
  KeyedStateBackendFactory,
  KeyedStateSnapshot,
  SnapshotFile,
  SnapshotFileStore,
  SnapshotOptions,
  SnapshotRunner,
} from '../../src/state/keyed-state-backend.js';
import type { Namespace } from '../../src/state/namespace.js';

/** What a {@link FakeIncrementalBackend} is created with. */
export interface FakeIncrementalBackendOptions {
  /** @default 128 */
  readonly maxParallelism?: number;
  /** @default all key groups */
  readonly keyGroupRange?: KeyGroupRange;
  /** The states its snapshots list. @default one value state 'count' */
  readonly states?: readonly KeyedSnapshotStateMeta[];
}

/** A value state as snapshots list it. */
export function valueStateMeta(name: string): KeyedSnapshotStateMeta {
  return {
    name,
    kind: 'value',
    serializerId: 'eddy.msgpack',
    serializerVersion: 1,
    descriptorVersion: 1,
    userKeySerializerId: '',
    userKeySerializerVersion: 0,
  };
}

/** Fake RocksDB: real, immutable SST files in a local directory, snapshotted incrementally. */
export class FakeIncrementalBackend implements KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly states: readonly KeyedSnapshotStateMeta[];
  /** The snapshots given to {@link restore}. */
  readonly restored: KeyedStateSnapshot[] = [];
  /** The options of every {@link snapshot} call, in order. */
  readonly snapshotCalls: { readonly checkpointId: number; readonly options: SnapshotOptions | undefined }[] = [];
  readonly completedNotices: number[] = [];
  readonly abortedNotices: number[] = [];
  private readonly live = new Set<string>();
  /** SST name → where the last completed checkpoint holds it (`file` relative to a checkpoint directory). */
  private confirmed = new Map<string, SnapshotFile>();
  /** SST name → absolute path in a restored checkpoint. */
  private restoredFiles = new Map<string, SnapshotFile>();
  private readonly pending = new Map<number, Map<string, SnapshotFile>>();
  private nextFile = 10;
  private disposed = false;

  private constructor(
    /** The instance's working directory (its "RocksDB directory"). */
    readonly directory: string,
    options: FakeIncrementalBackendOptions,
  ) {
    this.maxParallelism = options.maxParallelism ?? 128;
    this.keyGroupRange = options.keyGroupRange ?? KeyGroupRange.of(0, this.maxParallelism - 1);
    this.states = options.states ?? [valueStateMeta('count')];
  }

  /** A backend with an empty working directory under the OS temp directory. */
  static async create(options: FakeIncrementalBackendOptions = {}): Promise<FakeIncrementalBackend> {
    return new FakeIncrementalBackend(await mkdtemp(join(tmpdir(), 'eddy-fake-rocksdb-')), options);
  }

  /** {@link create}, synchronously: for a {@link KeyedStateBackendFactory}. */
  static createSync(options: FakeIncrementalBackendOptions = {}): FakeIncrementalBackend {
    return new FakeIncrementalBackend(mkdtempSync(join(tmpdir(), 'eddy-fake-rocksdb-')), options);
  }

  /** Writes a new SST file of `size` bytes (as a memtable flush does); returns its name. */
  async flush(size: number): Promise<string> {
    const name = `${String(this.nextFile++).padStart(6, '0')}.sst`;
    await writeFile(join(this.directory, name), bytes(size, this.nextFile));
    this.live.add(name);
    return name;
  }

  /** Replaces the SST files `names` by one new file of `size` bytes (a compaction); returns its name. */
  async compact(names: readonly string[], size: number): Promise<string> {
    const merged = await this.flush(size);
    for (const name of names) {
      this.live.delete(name);
      await rm(join(this.directory, name), { force: true });
    }
    return merged;
  }

  /** The live SST files, by name. */
  sstFiles(): string[] {
    return [...this.live].sort();
  }

  snapshot(checkpointId: number, options?: SnapshotOptions): SnapshotRunner {
    this.snapshotCalls.push({ checkpointId, options });
    const files = options?.files;
    if (!files || options.savepoint) return this.fullSnapshot(checkpointId);
    // the synchronous part: a native checkpoint is hard links of the live files, plus the instance's own files
    const checkpoint = join(this.directory, `checkpoint-${checkpointId}`);
    mkdirSync(checkpoint, { recursive: true });
    const ssts = this.sstFiles();
    for (const name of ssts) linkSync(join(this.directory, name), join(checkpoint, name));
    writeFileSync(join(checkpoint, 'MANIFEST-000005'), `manifest of ${ssts.join(',')}\n`);
    writeFileSync(join(checkpoint, 'CURRENT'), 'MANIFEST-000005\n');
    let canceled = false;
    return {
      checkpointId,
      run: async (): Promise<IncrementalKeyedStateSnapshot> => {
        try {
          const sharedFiles: SnapshotFile[] = [];
          const uploaded: string[] = [];
          for (const name of ssts) {
            const known = this.reference(name, files);
            const file = known ?? (await files.storeShared(join(checkpoint, name)));
            if (!known) uploaded.push(file.file);
            sharedFiles.push(file);
          }
          const privateFiles = [await files.storePrivate(join(checkpoint, 'MANIFEST-000005')), await files.storePrivate(join(checkpoint, 'CURRENT'))];
          if (!canceled) this.pending.set(checkpointId, new Map(sharedFiles.map((f) => [f.name, f])));
          return {
            type: 'incremental',
            checkpointId,
            backend: 'rocksdb',
            maxParallelism: this.maxParallelism,
            keyGroupRange: [this.keyGroupRange.startKeyGroup, this.keyGroupRange.endKeyGroup],
            states: this.states,
            sharedFiles,
            privateFiles,
            uploaded,
          };
        } finally {
          await rm(checkpoint, { recursive: true, force: true });
        }
      },
      cancel: () => {
        canceled = true;
      },
    };
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.completedNotices.push(checkpointId);
    const files = this.pending.get(checkpointId);
    if (!files) return;
    this.confirmed = files;
    this.restoredFiles.clear();
    for (const id of [...this.pending.keys()]) if (id <= checkpointId) this.pending.delete(id);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    this.abortedNotices.push(checkpointId);
    this.pending.delete(checkpointId);
  }

  /** Remembers the snapshots; the SST files of incremental ones become live again (copied) and may be referred to. */
  restore(snapshots: readonly KeyedStateSnapshot[]): void {
    this.restored.push(...snapshots);
    for (const snapshot of snapshots) {
      if (snapshot.type !== 'incremental') continue;
      for (const file of snapshot.sharedFiles) {
        this.restoredFiles.set(file.name, file);
        this.live.add(file.name);
        this.nextFile = Math.max(this.nextFile, Number.parseInt(file.name, 10) + 1 || 0); // new files get new numbers
        mkdirSync(this.directory, { recursive: true });
        writeFileSync(join(this.directory, file.name), bytes(file.size, 0));
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    rmSync(this.directory, { recursive: true, force: true });
  }

  /** Whether {@link dispose} was called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  setCurrentKey(_key: Key): void {}

  getCurrentKey(): Key | undefined {
    return undefined;
  }

  getCurrentKeyGroup(): number {
    return -1;
  }

  getPartitionedState(_descriptor: unknown): never {
    throw new Error('FakeIncrementalBackend holds no state objects');
  }

  getKeys(_stateName: string, _namespace?: Namespace): Iterable<Key> {
    return [];
  }

  getKeysAndNamespaces(_stateName: string): Iterable<readonly [Key, Namespace]> {
    return [];
  }

  hasState(_stateName: string): boolean {
    return false;
  }

  /** The location of SST `name` in a completed or restored checkpoint, if this job's storage holds it. */
  private reference(name: string, files: SnapshotFileStore): SnapshotFile | undefined {
    const confirmed = this.confirmed.get(name);
    if (confirmed) return confirmed;
    const restored = this.restoredFiles.get(name);
    if (restored && files.owns(restored.file)) return { name, file: files.locate(restored.file), size: restored.size };
    return undefined;
  }

  private fullSnapshot(checkpointId: number): SnapshotRunner {
    const heap = new HeapKeyedStateBackend({ maxParallelism: this.maxParallelism, keyGroupRange: this.keyGroupRange });
    return heap.snapshot(checkpointId);
  }
}

/** Deterministic bytes. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}
