/**
 * Which shared files (the SST files of incremental checkpoints, in the job's `shared/`
 * directory) are still in use, and by which checkpoints (DESIGN §4.3: "shared files are
 * tracked by a registry and deleted only when no retained checkpoint uses them"). A file
 * is held by every pending checkpoint whose acknowledgements name it and by every
 * retained completed checkpoint whose metadata names it; when the last holder lets go
 * (a pending checkpoint is aborted, a completed one is subsumed) the file is deleted,
 * unless it lies outside this job's `shared/` directory.
 */
import { resolve } from 'node:path';
import type { CheckpointMetadata } from '../checkpoint-metadata.js';

/** Where a checkpoint that holds shared files is in its life (pending → completed). */
export type SharedStateHolderStatus = 'pending' | 'completed';

/** What a {@link SharedStateRegistry} needs from the storage. */
export interface SharedStateRegistryOptions {
  /**
   * Whether the registry may delete the file at `path` once no checkpoint holds it: true
   * for files in this job's `shared/` directory, false for files of other jobs.
   */
  owns(path: string): boolean;
  /** Deletes files no checkpoint holds any more. */
  discard(paths: readonly string[]): Promise<void>;
}

/** A completed checkpoint the registry is rebuilt from. */
export interface RegistryCheckpoint {
  readonly metadata: CheckpointMetadata;
  /** The directory of its `_metadata`, which the files' locations are relative to. */
  readonly directory: string;
}

interface Holder {
  status: SharedStateHolderStatus;
  readonly files: Set<string>;
}

/**
 * Reference counts of shared files by absolute path. Every change of the counts happens
 * synchronously when a method is called; only the deletion of files nobody holds is
 * asynchronous, so a file released here is never seen as held again.
 */
export class SharedStateRegistry {
  /** path → ids of the checkpoints that hold it */
  private readonly holdersOf = new Map<string, Set<number>>();
  private readonly holders = new Map<number, Holder>();

  constructor(private readonly options: SharedStateRegistryOptions) {}

  /**
   * The registry of a coordinator that takes over `checkpoints` (retained completed
   * checkpoints of this job, read from their `_metadata`): each holds the shared files
   * its incremental keyed handles name.
   */
  static rebuild(checkpoints: readonly RegistryCheckpoint[], options: SharedStateRegistryOptions): SharedStateRegistry {
    const registry = new SharedStateRegistry(options);
    for (const { metadata, directory } of checkpoints) {
      registry.registerCompleted(metadata.checkpointId, sharedFilesOf(metadata, directory));
    }
    return registry;
  }

  /**
   * Pending checkpoint `checkpointId` holds `paths` (files an acknowledgement stored or
   * refers to). A path registered twice for the same checkpoint counts once.
   *
   * @throws Error if the checkpoint has completed already (its files are fixed)
   */
  register(checkpointId: number, paths: Iterable<string>): void {
    const holder = this.holders.get(checkpointId) ?? { status: 'pending', files: new Set<string>() };
    if (holder.status === 'completed') throw new Error(`shared state registry: checkpoint ${checkpointId} has completed; it holds no new files`);
    this.holders.set(checkpointId, holder);
    for (const path of paths) this.hold(checkpointId, holder, resolve(path));
  }

  /** Pending checkpoint `checkpointId` completed: what it holds, it now holds as a retained checkpoint. */
  complete(checkpointId: number): void {
    const holder = this.holders.get(checkpointId);
    if (holder) holder.status = 'completed';
  }

  /** Completed checkpoint `checkpointId` holds `paths` (a retained checkpoint taken over, see {@link rebuild}). */
  registerCompleted(checkpointId: number, paths: Iterable<string>): void {
    const holder = this.holders.get(checkpointId) ?? { status: 'completed', files: new Set<string>() };
    holder.status = 'completed';
    this.holders.set(checkpointId, holder);
    for (const path of paths) this.hold(checkpointId, holder, resolve(path));
  }

  /** Whether a pending or retained checkpoint holds `path`. */
  isHeld(path: string): boolean {
    return this.holdersOf.has(resolve(path));
  }

  /** How many checkpoints hold `path`. */
  referenceCount(path: string): number {
    return this.holdersOf.get(resolve(path))?.size ?? 0;
  }

  /** Whether checkpoint `checkpointId` holds files, and if so whether it is pending or completed. */
  statusOf(checkpointId: number): SharedStateHolderStatus | undefined {
    return this.holders.get(checkpointId)?.status;
  }

  /** The files checkpoint `checkpointId` holds (absolute paths). */
  filesOf(checkpointId: number): readonly string[] {
    return [...(this.holders.get(checkpointId)?.files ?? [])];
  }

  /**
   * Checkpoint `checkpointId` lets go of its files (it was aborted, or subsumed by newer
   * checkpoints). Files that no checkpoint holds any more are deleted, those outside this
   * job's `shared/` directory excepted.
   *
   * @returns the files deleted
   * @throws (rejects) what `discard` threw; the counts have changed all the same
   */
  async release(checkpointId: number): Promise<string[]> {
    const holder = this.holders.get(checkpointId);
    if (!holder) return [];
    this.holders.delete(checkpointId);
    const unheld: string[] = [];
    for (const path of holder.files) {
      const ids = this.holdersOf.get(path)!;
      ids.delete(checkpointId);
      if (ids.size > 0) continue;
      this.holdersOf.delete(path);
      unheld.push(path);
    }
    return this.discard(unheld);
  }

  /**
   * Deletes those of `paths` that no checkpoint holds (files stored for a checkpoint that
   * was aborted before its acknowledgement arrived), those outside this job's `shared/`
   * directory excepted.
   *
   * @returns the files deleted
   */
  discardUnheld(paths: Iterable<string>): Promise<string[]> {
    return this.discard([...paths].map((p) => resolve(p)).filter((p) => !this.holdersOf.has(p)));
  }

  private hold(checkpointId: number, holder: Holder, path: string): void {
    holder.files.add(path);
    const ids = this.holdersOf.get(path) ?? new Set<number>();
    ids.add(checkpointId);
    this.holdersOf.set(path, ids);
  }

  private async discard(paths: readonly string[]): Promise<string[]> {
    const owned = [...new Set(paths)].filter((p) => this.options.owns(p));
    if (owned.length > 0) await this.options.discard(owned);
    return owned;
  }
}

/**
 * The absolute paths of the shared files the incremental keyed handles of `metadata`
 * name, resolved against `directory` (the checkpoint's directory).
 */
export function sharedFilesOf(metadata: CheckpointMetadata, directory: string): string[] {
  const paths: string[] = [];
  for (const op of metadata.operators) {
    for (const sub of op.subtasks) {
      if (sub.keyed?.type === 'incremental') for (const f of sub.keyed.sharedFiles) paths.push(resolve(directory, f.file));
    }
  }
  return paths;
}
