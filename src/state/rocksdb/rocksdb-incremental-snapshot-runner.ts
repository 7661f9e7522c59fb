/**
 * The asynchronous part of an incremental checkpoint of the RocksDB backend. The
 * synchronous part took a native RocksDB checkpoint into a local directory (hard links to
 * the live SST files plus copies of MANIFEST, CURRENT and OPTIONS). This part stores each
 * SST file that the last completed checkpoint did not already store, refers to the others
 * by their stored location, stores the other files as the checkpoint's own, and deletes the
 * local directory.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError } from '../../core/errors.js';
import type { KeyGroupRange } from '../../core/key-group-range.js';
import type { KeyedSnapshotStateMeta } from '../keyed-snapshot/keyed-snapshot-format.js';
import type {
  IncrementalKeyedStateSnapshot,
  SnapshotFile,
  SnapshotFileStore,
  SnapshotRunner,
} from '../keyed-state-backend.js';

/** What the runner needs to know. */
export interface IncrementalSnapshotInfo {
  readonly checkpointId: number;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly states: readonly KeyedSnapshotStateMeta[];
  /** The native checkpoint's directory (deleted when the runner ends). */
  readonly directory: string;
  /** `operator 'x' (subtask 1/2): ` or `''`, for messages. */
  readonly prefix: string;
  /** SST files stored by the last completed checkpoint, by local file name. */
  readonly previous: ReadonlyMap<string, SnapshotFile>;
}

/** Files stored at the same time. */
const STORE_LANES = 4;

/** The {@link SnapshotRunner} of an incremental checkpoint. */
export class RocksDBIncrementalSnapshotRunner implements SnapshotRunner<IncrementalKeyedStateSnapshot> {
  readonly checkpointId: number;
  private state: 'ready' | 'running' | 'done' | 'cancelled' = 'ready';

  constructor(
    private readonly info: IncrementalSnapshotInfo,
    private readonly files: SnapshotFileStore,
    /** Told which SST files the snapshot holds once it has stored them. */
    private readonly stored: (sstFiles: ReadonlyMap<string, SnapshotFile>) => void,
    private readonly released: () => void,
  ) {
    this.checkpointId = info.checkpointId;
  }

  async run(): Promise<IncrementalKeyedStateSnapshot> {
    if (this.state !== 'ready') {
      throw new CheckpointError(
        `${this.info.prefix}the keyed snapshot of checkpoint ${this.checkpointId} was already ${this.state === 'cancelled' ? 'cancelled' : 'run'}`,
      );
    }
    this.state = 'running';
    const { directory, previous } = this.info;
    try {
      const names = (await readdir(directory)).sort();
      const sharedFiles: SnapshotFile[] = [];
      const privateFiles: SnapshotFile[] = [];
      const uploaded: string[] = [];
      const sstFiles = new Map<string, SnapshotFile>();
      // one file after the other per lane, a few lanes at once: each copy waits mostly for fsync
      const store = async (name: string): Promise<void> => {
        const path = join(directory, name);
        if (!name.endsWith('.sst')) {
          privateFiles.push({ ...(await this.files.storePrivate(path)), name });
          return;
        }
        const known = previous.get(name);
        // an SST file is immutable; the same name and size is the same file
        const file = known !== undefined && known.size === (await stat(path)).size ? known : { ...(await this.files.storeShared(path)), name };
        if (file !== known) uploaded.push(file.file);
        sharedFiles.push(file);
        sstFiles.set(name, file);
      };
      // after a failure no lane takes another file, and the run ends only when every lane
      // has: a store still running then would leave a file nobody knows to delete
      const queue = [...names];
      let failure: { readonly error: unknown } | undefined;
      const lane = async (): Promise<void> => {
        for (let name = queue.shift(); name !== undefined && failure === undefined; name = queue.shift()) {
          try {
            await store(name);
          } catch (error) {
            failure ??= { error };
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(STORE_LANES, queue.length) }, lane));
      if (failure) throw failure.error;
      const byName = (a: SnapshotFile, b: SnapshotFile): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      sharedFiles.sort(byName);
      privateFiles.sort(byName);
      this.stored(sstFiles);
      return {
        type: 'incremental',
        checkpointId: this.checkpointId,
        backend: 'rocksdb',
        maxParallelism: this.info.maxParallelism,
        keyGroupRange: [this.info.keyGroupRange.startKeyGroup, this.info.keyGroupRange.endKeyGroup],
        states: this.info.states,
        sharedFiles,
        privateFiles,
        uploaded,
      };
    } finally {
      await this.release();
    }
  }

  /**
   * Gives up the snapshot before it ran. Once running it completes: the caller discards
   * what an aborted checkpoint stored (the snapshot's `uploaded` and private files).
   */
  cancel(): void {
    if (this.state !== 'ready') return;
    this.state = 'cancelled';
    void this.release();
  }

  private async release(): Promise<void> {
    if (this.freed) return;
    this.freed = true;
    if (this.state === 'running') this.state = 'done';
    this.released();
    await rm(this.info.directory, { recursive: true, force: true });
  }

  private freed = false;
}
