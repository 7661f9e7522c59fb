/**
 * The committer of {@link JsonlSink}: second phase of the two-phase commit. Commit is an
 * atomic rename of a pending file to its visible name; it is idempotent, so committing a
 * restored checkpoint's files again after a failure is safe.
 */
import { existsSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { CheckpointError } from '../core/errors.js';
import type { Committer } from '../runtime/sink.js';
import { fsyncDirectory, parsePartFileName } from './jsonl-part-file.js';
import type { JsonlCommittable } from './jsonl-part-file.js';
import { parseRunMarkerName, runLiveness } from './jsonl-run-marker.js';
import type { OwnerLiveness } from '../core/process-owner.js';

/** Where a {@link JsonlCommitter} commits, and which attempt it belongs to. */
export interface JsonlCommitterConfig {
  readonly directory: string;
  /** The sink's name, for messages. */
  readonly sinkName: string;
  /** {@link jobTag} of the current job id. */
  readonly jobTag: string;
  readonly attempt: number;
}

/** Renames pending part files to their visible names, and removes failed attempts' leftovers. */
export class JsonlCommitter implements Committer<JsonlCommittable> {
  constructor(private readonly config: JsonlCommitterConfig) {}

  /**
   * For each committable: pending file present → rename it to its final name; pending
   * file gone and final file present → it was committed before, nothing to do; both gone
   * → throws {@link CheckpointError} (the records are lost). The directory is fsynced at
   * the end, also when everything was committed already (an earlier commit may have
   * crashed between rename and fsync).
   */
  commit(committables: readonly JsonlCommittable[]): void {
    if (committables.length === 0) return;
    const touched = new Set<string>();
    try {
      for (const committable of committables) {
        const valid = this.validate(committable);
        touched.add(this.directoryOf(valid));
        this.commitOne(valid);
      }
    } finally {
      for (const directory of touched) if (existsSync(directory)) fsyncDirectory(directory);
    }
  }

  /**
   * Deletes the hidden part files that will never be committed, on every start (fresh or
   * restored), after the committables of the restored checkpoint (`keep`) were committed:
   * - of this job run: in-progress and pending files of earlier attempts not in `keep`
   *   (records after the restored checkpoint, which are written again);
   * - of other job runs whose run marker names a process that is gone (a crashed run):
   *   their in-progress files (no committable ever names one), and their pending files
   *   not in `keep` when this run restored from that run's checkpoint (a committable in
   *   `keep` carries its job tag); other pending files of a dead run are kept, since a
   *   resume from that run's last checkpoint may still commit them. A dead run's marker
   *   goes once none of its hidden files is left.
   * Committed files, files of the current attempt, files of live or unknown processes and
   * files not named like the sink's are never touched.
   *
   */
  cleanup(keep: readonly JsonlCommittable[]): void {
    this.removeLeftovers(keep);
  }

  /**
   * What {@link cleanup} does, returning the names of the removed files.
   */
  removeLeftovers(keep: readonly JsonlCommittable[]): string[] {
    const { directory, jobTag, attempt } = this.config;
    let names: string[];
    try {
      names = readdirSync(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const kept = new Set(keep.map((c) => c.pendingFile));
    const restoredTags = new Set(keep.flatMap((c) => parsePartFileName(c.pendingFile)?.id.jobTag ?? []));
    const liveness = new Map<string, OwnerLiveness>();
    const deadRun = (tag: string): boolean => {
      if (!liveness.has(tag)) liveness.set(tag, runLiveness(directory, tag));
      return liveness.get(tag) === 'dead';
    };
    const removed: string[] = [];
    const remaining = new Set<string>();
    for (const name of names) {
      const part = parsePartFileName(name);
      if (!part || part.stage === 'committed' || kept.has(name)) continue;
      const { id, stage } = part;
      const leftover =
        id.jobTag === jobTag
          ? id.attempt !== attempt
          : deadRun(id.jobTag) && (stage === 'inprogress' || restoredTags.has(id.jobTag));
      if (!leftover || !this.unlink(name)) {
        remaining.add(id.jobTag);
        continue;
      }
      removed.push(name);
    }
    for (const name of names) {
      const tag = parseRunMarkerName(name);
      if (tag === undefined || tag === jobTag || remaining.has(tag) || !deadRun(tag)) continue;
      if (this.unlink(name)) removed.push(name);
    }
    if (removed.length > 0) fsyncDirectory(directory);
    return removed;
  }

  /** Deletes `name` in the sink's directory; false when it was gone already. */
  private unlink(name: string): boolean {
    try {
      unlinkSync(join(this.config.directory, name));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return false;
    }
  }

  /** Where a committable's files are: its own directory, else (older committables) the sink's. */
  private directoryOf(committable: JsonlCommittable): string {
    return committable.directory ?? this.config.directory;
  }

  private commitOne(committable: JsonlCommittable): void {
    const { sinkName } = this.config;
    const directory = this.directoryOf(committable);
    const { pendingFile, finalFile, checkpointId, bytes } = committable;
    const pendingPath = join(directory, pendingFile);
    const finalPath = join(directory, finalFile);
    const where = `sink '${sinkName}': part file '${finalFile}' of checkpoint ${checkpointId} in '${directory}'`;
    const pending = statOrUndefined(pendingPath);
    if (pending === undefined) {
      if (existsSync(finalPath)) return; // committed before
      throw new CheckpointError(
        `${where} cannot be committed: neither its pending file '${pendingFile}' nor the committed file exists, ` +
          `so its ${committable.records} records are lost`,
      );
    }
    if (existsSync(finalPath)) {
      throw new CheckpointError(
        `${where} cannot be committed: both the pending file '${pendingFile}' and a committed file of that name exist; ` +
          'expected only one (does another job write the same part names to this directory?)',
      );
    }
    if (pending.size !== bytes) {
      throw new CheckpointError(
        `${where} cannot be committed: its pending file '${pendingFile}' has ${pending.size} bytes, expected ${bytes}`,
      );
    }
    try {
      renameSync(pendingPath, finalPath);
    } catch (error) {
      // another committer (a job cloned from the same savepoint) may have just renamed it
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(finalPath)) throw error;
    }
  }

  /** Checks a committable read back from a checkpoint before touching any file. */
  private validate(committable: JsonlCommittable): JsonlCommittable {
    const c = committable as Partial<JsonlCommittable> | null;
    const final = typeof c?.finalFile === 'string' ? parsePartFileName(c.finalFile) : undefined;
    const pending = typeof c?.pendingFile === 'string' ? parsePartFileName(c.pendingFile) : undefined;
    const valid =
      c?.version === 1 &&
      final?.stage === 'committed' &&
      pending?.stage === 'pending' &&
      c.pendingFile === `.${c.finalFile}.pending` &&
      Number.isSafeInteger(c.bytes) &&
      c.bytes! >= 0 &&
      Number.isSafeInteger(c.records) &&
      c.records! >= 0 &&
      (c.directory === undefined || (typeof c.directory === 'string' && isAbsolute(c.directory)));
    if (!valid) {
      throw new CheckpointError(
        `sink '${this.config.sinkName}': expected a committable of the JSON-lines sink (format version 1), ` +
          `found ${JSON.stringify(committable)}`,
      );
    }
    return committable;
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
