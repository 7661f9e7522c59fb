/**
 * The part files of the JSON-lines sink: how they are named in each stage of their life,
 * and the committable that carries a pending file through a checkpoint. Writer, committer
 * and cleanup all recognise the sink's files by these names only, so any other file in
 * the directory is never touched.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';

/**
 * Where a part file is in its life. Writer and committer own the transitions:
 * `inprogress → pending` (writer: roll or prepareCommit, after fsync),
 * `pending → committed` (committer: atomic rename once the checkpoint completed), and
 * `inprogress | pending → deleted` (committer cleanup, for files of failed attempts).
 */
export type JsonlPartStage = 'inprogress' | 'pending' | 'committed';

/** Who wrote a part file: the job run, the attempt, the subtask, and the file's number. */
export interface JsonlPartId {
  /** {@link jobTag} of the job id: up to 8 letters or digits. */
  readonly jobTag: string;
  readonly attempt: number;
  readonly subtask: number;
  /** Counts the files of one writer, from 0. */
  readonly counter: number;
}

/**
 * What {@link JsonlSink}'s writer hands out for one pending file, stored in the
 * checkpoint. File names are relative to the sink's directory.
 */
export interface JsonlCommittable {
  /** Format version of this record (it is persisted in checkpoints). */
  readonly version: 1;
  /** The checkpoint whose barrier made the file pending (for messages). */
  readonly checkpointId: number;
  /** The hidden pending file, e.g. `.part-1a2b3c4d-0-1-7.jsonl.pending`. */
  readonly pendingFile: string;
  /** The name it gets on commit, e.g. `part-1a2b3c4d-0-1-7.jsonl`. */
  readonly finalFile: string;
  /** Size of the pending file: the committer refuses a file of another size. */
  readonly bytes: number;
  /** Number of records (lines) in the file. */
  readonly records: number;
  /**
   * The absolute directory the files are in. A job restored with another output directory
   * (a changed job, or a clone from the same savepoint) still commits the files where
   * they were written. Absent in committables of older versions: the sink's directory.
   */
  readonly directory?: string;
}

/** The short tag of a job id used in file names: its first 8 letters or digits. */
export function jobTag(jobId: string): string {
  return jobId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'job';
}

/**
 * The file name of a part in a stage: committed files are `part-<tag>-<attempt>-<subtask>-<counter>.jsonl`;
 * in-progress and pending files start with `.` and end in `.inprogress` / `.pending`, so
 * they are hidden and never end in `.jsonl`.
 */
export function partFileName(id: JsonlPartId, stage: JsonlPartStage): string {
  const base = `part-${id.jobTag}-${id.attempt}-${id.subtask}-${id.counter}.jsonl`;
  return stage === 'committed' ? base : `.${base}.${stage}`;
}

const PART_FILE = /^(\.?)part-([A-Za-z0-9]{1,8})-(\d+)-(\d+)-(\d+)\.jsonl(?:\.(inprogress|pending))?$/;

/** Reads a part file name back, or `undefined` when the name is not one the sink writes. */
export function parsePartFileName(name: string): { readonly id: JsonlPartId; readonly stage: JsonlPartStage } | undefined {
  const match = PART_FILE.exec(name);
  if (!match) return undefined;
  const [, dot, tag, attempt, subtask, counter, suffix] = match;
  if ((dot === '.') !== (suffix !== undefined)) return undefined;
  const stage = (suffix as JsonlPartStage | undefined) ?? 'committed';
  const id: JsonlPartId = { jobTag: tag!, attempt: Number(attempt), subtask: Number(subtask), counter: Number(counter) };
  if (partFileName(id, stage) !== name) return undefined; // not written by the sink, e.g. leading zeros
  return { id, stage };
}

/** Makes renames and deletions in `directory` durable. */
export function fsyncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
