/**
 * The checkpoints of a job that are on disk and may be restored (Flink's
 * CompletedCheckpointStore): the retained completed checkpoints, oldest first, and the
 * {@link SharedStateRegistry} of the shared files they and the pending checkpoints hold.
 * The coordinator tells it what happens to checkpoints; it decides what to delete.
 */
import { resolve } from 'node:path';
import type { CheckpointMetadata, IncrementalKeyedStateHandle, TaskCheckpointAck } from './checkpoint-metadata.js';
import { SharedStateRegistry, sharedFilesOf } from './storage/shared-state-registry.js';

/** A completed checkpoint the coordinator retains. */
export interface CompletedCheckpoint {
  readonly metadata: CheckpointMetadata;
  readonly directory: string;
}

/** The part of checkpoint storage that retained checkpoints need. */
export interface RetainedCheckpointStorage {
  checkpointDirectory(checkpointId: number): string;
  discardCheckpoint(checkpointId: number): Promise<void>;
  /** Whether `path` is a file in this job's `shared/` directory (only those are ever deleted). */
  ownsSharedFile(path: string): boolean;
  /** Deletes shared files no checkpoint holds any more. */
  discardSharedFiles(paths: readonly string[]): Promise<void>;
}

/**
 * Retained completed checkpoints and the shared files of incremental checkpoints.
 *
 * A subsumed checkpoint's directory is deleted at once, but its shared files are released
 * only when no pending checkpoint may still refer to them: a task refers to the files of
 * the latest completed checkpoint it has been told of, so a checkpoint triggered when the
 * tasks had last been told of checkpoint `k` (its *reference floor*) may refer to the
 * files of `k` or of any later completed checkpoint, until its acknowledgements register
 * what it refers to.
 */
export class RetainedCheckpoints {
  private readonly completed: CompletedCheckpoint[] = [];
  /** Subsumed checkpoints whose shared files a pending checkpoint may still refer to. */
  private readonly pinned = new Set<number>();
  /** Who holds which shared file: retained checkpoints and pending ones with acknowledgements. */
  readonly registry: SharedStateRegistry;

  constructor(
    private readonly storage: RetainedCheckpointStorage,
    private readonly jobId: string,
    /** How many completed checkpoints are kept (`retained` setting). */
    private readonly retain: number,
    /** Told when a deletion fails (the files stay behind; the checkpoints are not affected). */
    private readonly onCleanupFailed: (what: string, error: unknown) => void = () => undefined,
  ) {
    this.registry = new SharedStateRegistry({ owns: (path) => storage.ownsSharedFile(path), discard: (paths) => storage.discardSharedFiles(paths) });
  }

  /** The newest retained checkpoint. */
  get latest(): CompletedCheckpoint | undefined {
    return this.completed.at(-1);
  }

  /** The retained checkpoints, oldest first. */
  get checkpoints(): readonly CompletedCheckpoint[] {
    return this.completed;
  }

  /** Whether checkpoint `checkpointId` is retained. */
  has(checkpointId: number): boolean {
    return this.completed.some((c) => c.metadata.checkpointId === checkpointId);
  }

  /**
   * Takes over `checkpoint`, read from its `_metadata`, if it is a checkpoint of this job
   * in this storage that is not retained yet: it becomes a retained checkpoint (subsumed
   * in turn) and the registry holds its shared files, as if rebuilt from its metadata.
   * Checkpoints of other jobs are ignored: their files are never deleted here.
   *
   * @returns whether it was taken over
   */
  adopt(checkpoint: CompletedCheckpoint): boolean {
    const id = checkpoint.metadata.checkpointId;
    if (this.has(id) || checkpoint.metadata.jobId !== this.jobId) return false;
    if (resolve(checkpoint.directory) !== resolve(this.storage.checkpointDirectory(id))) return false;
    this.registry.registerCompleted(id, sharedFilesOf(checkpoint.metadata, checkpoint.directory));
    this.completed.push(checkpoint);
    this.completed.sort((a, b) => a.metadata.checkpointId - b.metadata.checkpointId);
    return true;
  }

  /**
   * Registers the shared files of `ack`'s incremental keyed snapshots for pending
   * checkpoint `checkpointId`: the files it uploaded, and those it refers to, which a
   * retained or pending checkpoint of this job must hold.
   *
   * @returns why the checkpoint must be aborted, if it must (said of the task): a
   *   reference to a file nobody holds would leave it pointing at a file that may be gone
   */
  registerAck(checkpointId: number, ack: TaskCheckpointAck): string | undefined {
    const handles = incrementalHandlesOf(ack);
    if (handles.length === 0) return undefined;
    const directory = this.storage.checkpointDirectory(checkpointId);
    const uploaded = new Set((ack.uploadedSharedFiles ?? []).map((file) => resolve(directory, file)));
    this.registry.register(checkpointId, uploaded); // so that an abort deletes them
    const referenced = handles.flatMap((h) => h.sharedFiles.map((f) => resolve(directory, f.file))).filter((path) => !uploaded.has(path));
    for (const path of referenced) {
      if (!this.storage.ownsSharedFile(path)) return `refers to the shared file '${path}', which is not in this job's shared directory`;
      if (!this.registry.isHeld(path)) {
        return `refers to the shared file '${path}', which no retained or pending checkpoint holds (it may have been deleted), so the checkpoint could not be restored`;
      }
    }
    this.registry.register(checkpointId, referenced);
    return undefined;
  }

  /**
   * Checkpoint `checkpoint` completed: it is retained, with the shared files its
   * acknowledgements registered; the oldest checkpoints beyond the number retained are
   * subsumed: their directories are deleted, and the shared files no other checkpoint
   * holds, once no pending checkpoint may refer to them.
   *
   * @param referenceFloors - the reference floors of the pending checkpoints (see the
   *   class), asked once the directories are deleted: checkpoints may be triggered meanwhile
   * @returns the ids of the subsumed checkpoints
   */
  async add(checkpoint: CompletedCheckpoint, referenceFloors: () => readonly number[]): Promise<number[]> {
    this.registry.complete(checkpoint.metadata.checkpointId);
    this.completed.push(checkpoint);
    const subsumed: number[] = [];
    while (this.completed.length > this.retain) subsumed.push(this.completed.shift()!.metadata.checkpointId);
    // the directories first: a checkpoint left on disk never names a deleted shared file
    await Promise.all(subsumed.map((id) => this.settle(this.storage.discardCheckpoint(id), `deleting subsumed checkpoint ${id}`)));
    for (const id of subsumed) this.pinned.add(id);
    await this.releaseUnpinned(referenceFloors());
    return subsumed;
  }

  /**
   * Releases the shared files of subsumed checkpoints that no pending checkpoint may refer
   * to any more (call when a pending checkpoint ends), deleting those nobody holds.
   *
   * @param referenceFloors - the reference floor of every pending checkpoint
   */
  async releaseUnpinned(referenceFloors: readonly number[]): Promise<void> {
    const lowest = Math.min(Infinity, ...referenceFloors);
    const free = [...this.pinned].filter((id) => id < lowest);
    for (const id of free) this.pinned.delete(id);
    await Promise.all(free.map((id) => this.settle(this.registry.release(id), `releasing the shared files of checkpoint ${id}`)));
  }

  /**
   * Pending checkpoint `checkpointId` was aborted: its directory is deleted, and the shared
   * files only it held (what its acknowledgements uploaded).
   */
  async abort(checkpointId: number): Promise<void> {
    await Promise.all([
      this.settle(this.storage.discardCheckpoint(checkpointId), `deleting aborted checkpoint ${checkpointId}`),
      this.settle(this.registry.release(checkpointId), `releasing the shared files of aborted checkpoint ${checkpointId}`),
    ]);
  }

  /**
   * Deletes what an acknowledgement of a checkpoint that is no longer pending stored: its
   * uploaded shared files (nobody holds them) and the checkpoint's directory, which the
   * task may have written into after the abort removed it.
   */
  async discardLate(ack: TaskCheckpointAck): Promise<void> {
    const id = ack.checkpointId;
    if (this.has(id)) return;
    const directory = this.storage.checkpointDirectory(id);
    await this.settle(
      this.registry.discardUnheld((ack.uploadedSharedFiles ?? []).map((file) => resolve(directory, file))),
      `deleting the shared files a late acknowledgement of checkpoint ${id} uploaded`,
    );
    await this.settle(this.storage.discardCheckpoint(id), `deleting checkpoint ${id} after a late acknowledgement`);
  }

  /** Waits for a deletion; a failure is reported, never thrown (it leaves files behind, nothing worse). */
  private async settle(work: Promise<unknown>, what: string): Promise<void> {
    try {
      await work;
    } catch (error) {
      this.onCleanupFailed(what, error);
    }
  }
}

/** The incremental keyed handles in an acknowledgement. */
export function incrementalHandlesOf(ack: TaskCheckpointAck): IncrementalKeyedStateHandle[] {
  return ack.operators.flatMap(({ state }) => (state.keyed?.type === 'incremental' ? [state.keyed] : []));
}
