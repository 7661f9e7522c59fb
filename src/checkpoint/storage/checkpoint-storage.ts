/**
 * Checkpoint storage on a file system (DESIGN §5.1): tasks write their state files into
 * `<directory>/<jobId>/chk-<n>/` and the files of incremental keyed snapshots into
 * `<directory>/<jobId>/shared/` (through a {@link CheckpointFileStore}), the coordinator
 * completes checkpoint n by writing its `_metadata` there atomically, and recovery looks
 * for the newest checkpoint whose files all check out. Format and layout:
 * docs/CHECKPOINTS.md.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { CheckpointError, ConfigError } from '../../core/errors.js';
import { withJobName } from '../checkpoint-metadata.js';
import type { CheckpointMetadata, StateFileHandle } from '../checkpoint-metadata.js';
import { fsyncDirectory, writeFileAtomically } from './atomic-file-write.js';
import { FileSystemCheckpointFileStore, isInSharedDirectory } from './checkpoint-file-store.js';
import type { CheckpointFileStore } from './checkpoint-file-store.js';
import { encodeCheckpointMetadata, METADATA_FILE_NAME } from './checkpoint-metadata-format.js';
import { readCheckpointMetadata, readStateFile, verifyCheckpoint } from './checkpoint-reader.js';
import { JOB_RECORD_FILE_NAME } from './job-run-record.js';
import { isSavepointDirectoryName, writeStateFileInto } from './savepoint-storage.js';
import { pathExists } from './path-exists.js';
import { SHARED_DIRECTORY_NAME, stateFileName } from './state-file-name.js';
import type { StateFileKind } from './state-file-name.js';
import { StorageFaultInjector, storageFaultsSchema } from './storage-faults.js';
import type { StorageFaults } from './storage-faults.js';
import { storageAdvice } from '../../core/storage-error-advice.js';

export type { StorageFaults } from './storage-faults.js';

/**
 * Where a job's checkpoints go. Plain data: it is sent to worker threads, which build
 * their own {@link FileSystemCheckpointStorage} from it.
 */
export interface CheckpointStorageConfig {
  /** The checkpoint directory (`--checkpoint-dir`); the job's checkpoints go to `<directory>/<jobId>/`. */
  readonly directory: string;
  /** The job's id: one path segment of `[A-Za-z0-9._~-]`. */
  readonly jobId: string;
  /** Writes to fail on purpose, for tests (see {@link StorageFaults}). */
  readonly faults?: StorageFaults;
  /** The job's name, recorded in every `_metadata` written here. */
  readonly jobName?: string;
}

/** A completed checkpoint found in storage (its directory has a `_metadata`). */
export interface CompletedCheckpointLocation {
  readonly id: number;
  /** The `chk-<n>` directory. */
  readonly directory: string;
}

/** A checkpoint whose metadata and every state file checked out. */
export interface ValidCheckpoint {
  readonly metadata: CheckpointMetadata;
  readonly directory: string;
}

/** A completed checkpoint that a search for a valid one passed over, and why. */
export interface SkippedCheckpoint {
  readonly directory: string;
  /** The message of {@link error}: path, what is wrong. */
  readonly reason: string;
  readonly error: CheckpointError;
}

/** The outcome of {@link FileSystemCheckpointStorage.scanCheckpoints}. */
export interface CheckpointScan {
  /** The newest valid checkpoint, if there is one. */
  readonly latest: ValidCheckpoint | undefined;
  /** Newer completed checkpoints that were not valid, newest first. */
  readonly skipped: readonly SkippedCheckpoint[];
}

const CHECKPOINT_DIRECTORY = /^chk-(0|[1-9]\d{0,15})$/;

const configSchema = z.strictObject({
  directory: z.string().min(1),
  jobId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$/, 'must be one path segment of [A-Za-z0-9._~-]'),
  faults: storageFaultsSchema.optional(),
  jobName: z.string().min(1).optional(),
});

/**
 * The checkpoints of one job in a directory of the local file system (or any mounted
 * one). The instance methods write and manage `<directory>/<jobId>/`; the static ones
 * read any checkpoint or savepoint directory, wherever it has been moved.
 *
 * Every write error (ENOSPC, EIO, EACCES…) becomes a {@link CheckpointError} naming the
 * file, with the original as `cause`: the caller aborts that checkpoint only. Readers
 * throw {@link CheckpointCorruptedError}. Nothing here deletes or changes a file except
 * the write and discard methods.
 */
export class FileSystemCheckpointStorage {
  /** `<directory>/<jobId>`, absolute. */
  readonly jobDirectory: string;
  /** `<directory>/<jobId>/shared`, absolute: files shared by incremental checkpoints. */
  readonly sharedDirectory: string;
  private readonly faults: StorageFaultInjector;

  /** @throws ConfigError if the config is not valid (names the field) */
  constructor(readonly config: CheckpointStorageConfig) {
    const parsed = configSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ConfigError(`invalid checkpoint storage setting '${issue.path.join('.') || 'config'}': ${issue.message}`);
    }
    this.jobDirectory = join(resolve(config.directory), config.jobId);
    this.sharedDirectory = join(this.jobDirectory, SHARED_DIRECTORY_NAME);
    this.faults = new StorageFaultInjector(config.faults);
  }

  /** The directory of checkpoint `checkpointId`: `<directory>/<jobId>/chk-<checkpointId>`. */
  checkpointDirectory(checkpointId: number): string {
    if (!Number.isSafeInteger(checkpointId) || checkpointId < 0) {
      throw new CheckpointError(`invalid checkpoint id ${checkpointId}: expected a non-negative integer`);
    }
    return join(this.jobDirectory, `chk-${checkpointId}`);
  }

  /** The file name for one kind of state of one operator subtask (see {@link stateFileName}). */
  stateFileName(uid: string, subtaskIndex: number, kind: StateFileKind): string {
    return stateFileName(uid, subtaskIndex, kind);
  }

  /**
   * Writes a state file of checkpoint `checkpointId` (temporary name, fsync, rename), and
   * creates the checkpoint's directory if needed. Safe to call concurrently, from any
   * number of storage instances. The file's directory entry becomes durable when the
   * checkpoint's `_metadata` is written.
   *
   * @param name - a plain file name, usually from {@link stateFileName}
   * @param directory - write there instead (a savepoint's directory)
   * @returns the handle to put in the checkpoint's metadata
   * @throws CheckpointError if the name is not a valid state file name, or the write fails
   */
  async writeStateFile(checkpointId: number, name: string, bytes: Uint8Array, directory?: string): Promise<StateFileHandle> {
    const fault = this.faults.nextStateWrite(checkpointId);
    const target = directory ?? this.checkpointDirectory(checkpointId);
    return writeStateFileInto(target, name, bytes, `${directory ? 'savepoint' : 'checkpoint'} ${checkpointId}`, fault);
  }

  /**
   * The store for the files of an incremental keyed snapshot of operator `uid`, subtask
   * `subtaskIndex`, in checkpoint `checkpointId` (see {@link CheckpointFileStore}). Each
   * copy counts as one state file write for the storage faults.
   */
  fileStore(checkpointId: number, uid: string, subtaskIndex: number): CheckpointFileStore {
    return new FileSystemCheckpointFileStore({
      checkpointId,
      checkpointDirectory: this.checkpointDirectory(checkpointId),
      sharedDirectory: this.sharedDirectory,
      uid,
      subtaskIndex,
      nextFault: () => this.faults.nextStateWrite(checkpointId),
    });
  }

  /**
   * Whether `path` (absolute) is a file in this job's `shared/` directory: the only shared
   * files this storage ever deletes. Files of checkpoints of other jobs (a job started
   * from another job's checkpoint) are not.
   */
  ownsSharedFile(path: string): boolean {
    return isInSharedDirectory(this.sharedDirectory, path);
  }

  /**
   * Deletes shared files no retained checkpoint uses any more. Paths outside this job's
   * `shared/` directory (see {@link ownsSharedFile}) are left alone; missing files are
   * ignored.
   *
   * @throws CheckpointError naming the first file that cannot be deleted (the others are still tried)
   */
  async discardSharedFiles(paths: readonly string[]): Promise<void> {
    let failure: CheckpointError | undefined;
    for (const path of paths) {
      if (!this.ownsSharedFile(path)) continue;
      try {
        await rm(path, { force: true });
      } catch (error) {
        failure ??= writeFailure(`cannot delete the shared file '${path}'`, error);
      }
    }
    if (failure) throw failure;
  }

  /**
   * Completes a checkpoint: writes its `_metadata` atomically (temporary file, fsync,
   * rename, fsync of the directories). Until this returns no `_metadata` is visible; if
   * it fails, none is (unless only the final directory fsync failed).
   *
   * @returns the checkpoint's directory, the path to restore from
   * @throws CheckpointError if the metadata is invalid or belongs to another job, the
   *   checkpoint already has a `_metadata`, or the write fails
   */
  async writeMetadata(metadata: CheckpointMetadata): Promise<string> {
    const id = metadata.checkpointId;
    const fault = this.faults.nextMetadataWrite(id);
    const directory = this.checkpointDirectory(id);
    if (metadata.jobId !== this.config.jobId) {
      throw new CheckpointError(`checkpoint ${id}: metadata of job '${metadata.jobId}' given to the storage of job '${this.config.jobId}'`);
    }
    const bytes = encodeCheckpointMetadata(this.config.jobName ? withJobName(metadata, this.config.jobName) : metadata);
    const path = join(directory, METADATA_FILE_NAME);
    try {
      await mkdir(directory, { recursive: true });
      if (await pathExists(path)) throw new CheckpointError(`checkpoint ${id}: '${path}' already exists; a completed checkpoint is never rewritten`);
      await writeFileAtomically(directory, METADATA_FILE_NAME, bytes, fault);
      await fsyncDirectory(directory);
      await fsyncDirectory(this.jobDirectory);
    } catch (error) {
      if (error instanceof CheckpointError) throw error;
      throw writeFailure(`checkpoint ${id}: cannot write '${path}'`, error);
    }
    return directory;
  }

  /**
   * The completed checkpoints of this job (`chk-<n>` directories with a `_metadata`),
   * newest first. Directories without `_metadata` and other entries are ignored; the
   * metadata is not read.
   */
  async listCompletedCheckpoints(): Promise<CompletedCheckpointLocation[]> {
    let names: string[];
    try {
      names = await readdir(this.jobDirectory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new CheckpointError(`cannot list checkpoints in '${this.jobDirectory}': ${(error as Error).message}`, { cause: error });
    }
    const found: CompletedCheckpointLocation[] = [];
    for (const name of names) {
      const match = CHECKPOINT_DIRECTORY.exec(name);
      if (!match) continue;
      const directory = join(this.jobDirectory, name);
      const metadata = await stat(join(directory, METADATA_FILE_NAME)).catch(() => undefined);
      if (metadata?.isFile()) found.push({ id: Number(match[1]), directory });
    }
    return found.sort((a, b) => b.id - a.id);
  }

  /**
   * Walks the completed checkpoints newest → oldest and stops at the first whose
   * `_metadata` and state files (existence, size, CRC-32) all check out and whose job and
   * checkpoint id match its place. Reports every checkpoint passed over, and why. Reads
   * only: never deletes or changes a file.
   */
  async scanCheckpoints(): Promise<CheckpointScan> {
    const skipped: SkippedCheckpoint[] = [];
    for (const { id, directory } of await this.listCompletedCheckpoints()) {
      try {
        const metadata = await verifyCheckpoint(directory);
        if (metadata.jobId !== this.config.jobId) {
          throw new CheckpointError(`checkpoint '${directory}' belongs to job '${metadata.jobId}', not '${this.config.jobId}'`);
        }
        if (metadata.checkpointId !== id) {
          throw new CheckpointError(`checkpoint '${directory}' holds checkpoint ${metadata.checkpointId}, not ${id}`);
        }
        return { latest: { metadata, directory }, skipped };
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw error;
        skipped.push({ directory, reason: error.message, error });
      }
    }
    return { latest: undefined, skipped };
  }

  /**
   * The newest valid checkpoint (see {@link scanCheckpoints}) with the newer ones that
   * were skipped, or undefined when there is none; {@link scanCheckpoints} also gives the
   * reasons when there is none.
   */
  async findLatestValidCheckpoint(): Promise<(ValidCheckpoint & { readonly skipped: readonly SkippedCheckpoint[] }) | undefined> {
    const { latest, skipped } = await this.scanCheckpoints();
    return latest && { ...latest, skipped };
  }

  /** Deletes checkpoint `checkpointId`'s directory and everything in it (subsumed or aborted checkpoints). */
  async discardCheckpoint(checkpointId: number): Promise<void> {
    const directory = this.checkpointDirectory(checkpointId);
    try {
      await rm(directory, { recursive: true, force: true });
    } catch (error) {
      throw writeFailure(`cannot discard checkpoint ${checkpointId} in '${directory}'`, error);
    }
  }

  /**
   * Deletes every checkpoint of the job and their shared files (a finished job, or
   * retention `delete` on cancel), keeping what is not a checkpoint: the run's record
   * (`_job.json`, which tells `--resume` how the run ended) and the savepoints taken on
   * stop (`savepoint-…`, never deleted automatically).
   */
  async discardCheckpoints(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.jobDirectory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw writeFailure(`cannot list the checkpoints in '${this.jobDirectory}'`, error);
    }
    let failure: CheckpointError | undefined;
    for (const name of names) {
      if (name === JOB_RECORD_FILE_NAME || isSavepointDirectoryName(name)) continue;
      try {
        await rm(join(this.jobDirectory, name), { recursive: true, force: true });
      } catch (error) {
        failure ??= writeFailure(`cannot discard '${join(this.jobDirectory, name)}'`, error);
      }
    }
    if (failure) throw failure;
  }

  /** Deletes every checkpoint of the job: `<directory>/<jobId>` (retention `delete` on cancel, or a finished job). */
  async discardAll(): Promise<void> {
    try {
      await rm(this.jobDirectory, { recursive: true, force: true });
    } catch (error) {
      throw writeFailure(`cannot discard the checkpoints in '${this.jobDirectory}'`, error);
    }
  }

  /**
   * Reads and validates the `_metadata` of a checkpoint or savepoint directory, wherever it
   * is (see `readCheckpointMetadata`).
   *
   * @throws CheckpointCorruptedError naming the path, what is wrong and what to do
   */
  static readCheckpoint(directory: string): Promise<CheckpointMetadata> {
    return readCheckpointMetadata(directory);
  }

  /**
   * Reads a state file of the checkpoint or savepoint in `directory`, checking its size and CRC-32.
   *
   * @throws CheckpointCorruptedError naming the file
   */
  static readStateFile(directory: string, handle: StateFileHandle): Promise<Uint8Array> {
    return readStateFile(directory, handle);
  }

  /**
   * Reads the `_metadata` of a checkpoint or savepoint directory and checks every state
   * file it names: whether the directory can be restored from.
   *
   * @throws CheckpointCorruptedError for the first problem found
   */
  static verifyCheckpoint(directory: string): Promise<CheckpointMetadata> {
    return verifyCheckpoint(directory);
  }
}

/** A CheckpointError for a failed file operation; a full disk or missing permission also says what to do. */
function writeFailure(what: string, error: unknown): CheckpointError {
  return new CheckpointError(`${what}: ${(error as Error).message ?? String(error)}${storageAdvice(error, '--checkpoint-dir')}`, { cause: error });
}
