/**
 * Stores the files of incremental keyed snapshots (DESIGN §4.3): SST files go into the
 * job's `shared/` directory under new unique names, so that later checkpoints can refer
 * to them instead of storing them again; the other files of a native RocksDB checkpoint go
 * into the checkpoint's own directory. Files are copied by the operating system, never
 * read into memory, and not checksummed here (RocksDB checksums its blocks).
 */
import { mkdir, rm } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { CheckpointError } from '../../core/errors.js';
import type { SnapshotFile, SnapshotFileStore } from '../../state/keyed-state-backend.js';
import { copyFileAtomically, fsyncDirectory } from './atomic-file-write.js';
import { isValidStateFileName, sharedFileLocation, snapshotFileName } from './state-file-name.js';
import type { StorageFaultCode } from './storage-faults.js';

/**
 * The {@link SnapshotFileStore} of one checkpoint for one operator subtask, as a task
 * sees it: it remembers what it stored, so that the task can delete it when the checkpoint
 * is aborted before the task acknowledged it, or the snapshot fails halfway.
 */
export interface CheckpointFileStore extends SnapshotFileStore {
  /** The `file` of every file stored through this store so far, in order. */
  readonly stored: readonly string[];
  /**
   * Deletes every file stored through this store (the checkpoint will not be
   * acknowledged, so nobody else knows of them). Missing files are ignored.
   *
   * @throws CheckpointError naming the first file that cannot be deleted (the others are still tried)
   */
  discardStored(): Promise<void>;
}

/**
 * Whether `path` names a file directly inside `sharedDirectory` (both absolute), under a
 * name the storage could have given it.
 */
export function isInSharedDirectory(sharedDirectory: string, path: string): boolean {
  const absolute = resolve(path);
  return dirname(absolute) === sharedDirectory && isValidStateFileName(basename(absolute));
}

/** What a {@link FileSystemCheckpointFileStore} needs. */
export interface CheckpointFileStoreSpec {
  readonly checkpointId: number;
  /** `<directory>/<jobId>/chk-<n>`, absolute. */
  readonly checkpointDirectory: string;
  /** `<directory>/<jobId>/shared`, absolute. */
  readonly sharedDirectory: string;
  /** The operator whose files these are, and its subtask: they make the stored names unique. */
  readonly uid: string;
  readonly subtaskIndex: number;
  /** Counts one write and says whether to fail it (storage faults, for tests). */
  readonly nextFault?: () => StorageFaultCode | undefined;
}

/**
 * A {@link CheckpointFileStore} on a file system. Each file is copied to a temporary
 * name, fsynced and renamed; a shared file's directory is fsynced too, since no
 * `_metadata` write makes `shared/` durable (the checkpoint's own directory is fsynced
 * when its `_metadata` is written).
 */
export class FileSystemCheckpointFileStore implements CheckpointFileStore {
  private readonly files: string[] = [];

  constructor(private readonly spec: CheckpointFileStoreSpec) {}

  get stored(): readonly string[] {
    return this.files;
  }

  /** @throws CheckpointError naming the file if it cannot be copied */
  async storeShared(localPath: string): Promise<SnapshotFile> {
    const nativeName = this.nativeName(localPath);
    const name = snapshotFileName(this.spec.uid, this.spec.subtaskIndex, nativeName, 'shared');
    const size = await this.copy(localPath, this.spec.sharedDirectory, name, true);
    const file = sharedFileLocation(name);
    this.files.push(file);
    return { name: nativeName, file, size };
  }

  /** @throws CheckpointError naming the file if it cannot be copied */
  async storePrivate(localPath: string): Promise<SnapshotFile> {
    const nativeName = this.nativeName(localPath);
    const name = snapshotFileName(this.spec.uid, this.spec.subtaskIndex, nativeName, 'private');
    const size = await this.copy(localPath, this.spec.checkpointDirectory, name, false);
    this.files.push(name);
    return { name: nativeName, file: name, size };
  }

  owns(absolutePath: string): boolean {
    return isInSharedDirectory(this.spec.sharedDirectory, absolutePath);
  }

  /** @throws CheckpointError if the file is not in this job's `shared/` directory (see {@link owns}) */
  locate(absolutePath: string): string {
    if (!this.owns(absolutePath)) {
      throw new CheckpointError(
        `checkpoint ${this.spec.checkpointId}: '${absolutePath}' is not in this job's shared directory '${this.spec.sharedDirectory}'; store it with storeShared() instead of referring to it`,
      );
    }
    return sharedFileLocation(basename(resolve(absolutePath)));
  }

  async discardStored(): Promise<void> {
    let failure: CheckpointError | undefined;
    for (const file of this.files.splice(0)) {
      const path = resolve(this.spec.checkpointDirectory, file);
      try {
        await rm(path, { force: true });
      } catch (error) {
        failure ??= new CheckpointError(`checkpoint ${this.spec.checkpointId}: cannot delete '${path}': ${(error as Error).message}`, { cause: error });
      }
    }
    if (failure) throw failure;
  }

  private nativeName(localPath: string): string {
    const name = basename(localPath);
    if (!isValidStateFileName(name)) {
      throw new CheckpointError(
        `checkpoint ${this.spec.checkpointId}: cannot store '${localPath}': its name is not a valid file name (1-200 characters of [A-Za-z0-9._~-] starting with a letter or digit)`,
      );
    }
    return name;
  }

  private async copy(localPath: string, directory: string, name: string, syncDirectory: boolean): Promise<number> {
    const target = resolve(directory, name);
    try {
      await mkdir(directory, { recursive: true });
      const size = await copyFileAtomically(localPath, directory, name, this.spec.nextFault?.());
      if (syncDirectory) await fsyncDirectory(directory);
      return size;
    } catch (error) {
      throw new CheckpointError(`checkpoint ${this.spec.checkpointId}: cannot store '${localPath}' as '${target}': ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
