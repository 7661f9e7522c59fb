/**
 * What `eddy run --resume` starts from. Every run of a job with checkpointing on keeps a
 * record, `<checkpoint-dir>/<job-id>/_job.json` (name, start time, what it restored, how
 * it ended). The rule must never send a run back to state OLDER than output an earlier
 * run already committed, since that output would then be committed twice. So:
 *
 * 1. Only the newest run of the name (by `startedAt`) decides; older runs count only
 *    through what it restored from.
 * 2. It finished: its output is complete, start fresh.
 * 3. It was canceled and deleted its checkpoints: refuse (its committed output stays).
 * 4. Its newest valid completed checkpoint or savepoint (its `chk-<n>` directories, the
 *    savepoints taken on stop in its directory, and the one its record names), by
 *    checkpoint id; broken ones are skipped with a warning.
 * 5. It completed none: it committed nothing of its own, so what it restored from (which
 *    lies in an older run's directory, or is a savepoint) is where it stood; a run that
 *    started fresh and completed none leaves nothing to resume.
 * 6. It completed some but every one is broken: refuse, naming them (going back further
 *    would repeat what it committed).
 *
 * Reads only: nothing is deleted or changed. Layout and rule: docs/CHECKPOINTS.md.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CompletedCheckpoint } from '../checkpoint/checkpoint-coordinator.js';
import { CheckpointCorruptedError } from '../checkpoint/storage/checkpoint-corrupted-error.js';
import { METADATA_FILE_NAME } from '../checkpoint/storage/checkpoint-metadata-format.js';
import { readCheckpointMetadata } from '../checkpoint/storage/checkpoint-reader.js';
import { FileSystemCheckpointStorage } from '../checkpoint/storage/checkpoint-storage.js';
import { readJobRunRecord } from '../checkpoint/storage/job-run-record.js';
import type { JobRunRecord } from '../checkpoint/storage/job-run-record.js';
import { isSavepointDirectoryName } from '../checkpoint/storage/savepoint-storage.js';
import { CheckpointError, RestoreError } from '../core/errors.js';

/** What `--resume` decided. */
export type ResumeDecision =
  | {
      readonly kind: 'resume';
      readonly checkpoint: CompletedCheckpoint;
      /** The run whose record decided, and why this checkpoint, in words. */
      readonly run: string;
      readonly reason: string;
    }
  | {
      readonly kind: 'fresh';
      /** One line for the user, e.g. `no checkpoint of job 'x' in /dir`. */
      readonly reason: string;
    };

/** One earlier run of the job found in the checkpoint directory. */
interface EarlierRun {
  readonly jobId: string;
  readonly directory: string;
  readonly record: JobRunRecord;
}

/**
 * Finds what a run of the job named `jobName` resumes from in `checkpointDirectory`.
 * @param warn told of every broken checkpoint or unreadable record passed over
 * @throws RestoreError when the newest run left nothing that can be resumed without repeating committed output
 */
export async function findResumePoint(checkpointDirectory: string, jobName: string, warn: (message: string) => void): Promise<ResumeDecision> {
  const root = resolve(checkpointDirectory);
  const runs = await runsOf(root, jobName, warn);
  const fresh: ResumeDecision = { kind: 'fresh', reason: `no checkpoint of job '${jobName}' in ${root}` };
  const newest = runs[0];
  if (!newest) return fresh;
  const { record, jobId } = newest;
  const run = `the last run of job '${jobName}' (${jobId}, started ${record.startedAt})`;
  if (record.status === 'finished') return { kind: 'fresh', reason: `${run} finished` };
  if (record.status === 'canceled' && record.checkpointsDiscarded) {
    throw new RestoreError(
      `cannot resume: ${run} was canceled and deleted its checkpoints (retention on cancel: delete), but what it committed stays, so starting again would repeat it; run without --resume to start fresh anyway, or give --from-savepoint`,
    );
  }
  const { checkpoint, broken } = await newestValidCheckpoint(newest.directory, { savepoint: record.savepoint, jobId }, warn);
  if (checkpoint) return { kind: 'resume', checkpoint, run: jobId, reason: `the newest valid checkpoint of ${run}` };
  if (broken.length > 0) {
    throw new RestoreError(
      `cannot resume: every checkpoint of ${run} is broken (${broken.join(', ')}); going back further would repeat the output it committed: give --from-savepoint to choose one anyway`,
    );
  }
  if (record.restoredFrom === undefined) return fresh;
  try {
    const metadata = await FileSystemCheckpointStorage.verifyCheckpoint(record.restoredFrom);
    return {
      kind: 'resume',
      checkpoint: { metadata, directory: record.restoredFrom },
      run: jobId,
      reason: `${run} completed no checkpoint; it had started from this one`,
    };
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    throw new RestoreError(`cannot resume: ${run} completed no checkpoint, and '${record.restoredFrom}', which it started from, cannot be restored: ${error.message}`, {
      cause: error,
    });
  }
}

/** The runs of `jobName` under `root`, newest first; unreadable records are warned about and passed over. */
async function runsOf(root: string, jobName: string, warn: (message: string) => void): Promise<EarlierRun[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new CheckpointError(`cannot list the checkpoint directory '${root}': ${(error as Error).message}`, { cause: error });
  }
  const runs: EarlierRun[] = [];
  for (const jobId of names) {
    const directory = join(root, jobId);
    try {
      const record = await readJobRunRecord(directory);
      if (record?.name === jobName) runs.push({ jobId, directory, record });
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      warn(`skipping ${directory}: ${error.message}`);
    }
  }
  // ties (same millisecond) are broken by job id, so the choice is the same every time
  return runs.sort((a, b) => Date.parse(b.record.startedAt) - Date.parse(a.record.startedAt) || (a.jobId < b.jobId ? 1 : -1));
}

/** A completed checkpoint or savepoint of a run, with the id that orders it. */
interface Candidate {
  readonly directory: string;
  readonly id: number;
}

/** Where {@link newestValidCheckpoint} also looks, and what it checks. */
export interface CheckpointSearch {
  /** A savepoint the run's record names (it may lie outside the run's directory). */
  readonly savepoint?: string | undefined;
  /** The job id every checkpoint found must carry. */
  readonly jobId?: string | undefined;
}

/**
 * The newest valid completed checkpoint or savepoint of one run's directory
 * (`<checkpoint-dir>/<job-id>`), and the newer ones that were broken (each warned about).
 * Validity is {@link FileSystemCheckpointStorage.verifyCheckpoint}: metadata and every
 * state file check out.
 */
export async function newestValidCheckpoint(
  jobDirectory: string,
  search: CheckpointSearch,
  warn: (message: string) => void,
): Promise<{ readonly checkpoint: CompletedCheckpoint | undefined; readonly broken: readonly string[] }> {
  const broken: string[] = [];
  for (const candidate of await candidatesIn(jobDirectory, search.savepoint)) {
    try {
      const metadata = await FileSystemCheckpointStorage.verifyCheckpoint(candidate.directory);
      if (search.jobId !== undefined && metadata.jobId !== search.jobId) {
        throw new CheckpointError(`'${candidate.directory}' belongs to job '${metadata.jobId}', not '${search.jobId}'`);
      }
      return { checkpoint: { metadata, directory: candidate.directory }, broken };
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      broken.push(candidate.directory);
      warn(`skipping broken checkpoint ${candidate.directory}: ${error.message}`);
    }
  }
  return { checkpoint: undefined, broken };
}

/**
 * The completed checkpoints and savepoints of one run's directory, newest (highest
 * checkpoint id: both share one counter) first: its `chk-<n>` directories with a
 * `_metadata`, its `savepoint-…` directories with one (those without were never
 * completed), and `savepoint` if given. A savepoint whose `_metadata` cannot be read
 * sorts first, so that it is reported as broken.
 */
async function candidatesIn(jobDirectory: string, savepoint: string | undefined): Promise<Candidate[]> {
  const names = await readdir(jobDirectory);
  const found: Candidate[] = [];
  for (const name of names) {
    const match = /^chk-(0|[1-9]\d{0,15})$/.exec(name);
    if (match && (await isFile(join(jobDirectory, name, METADATA_FILE_NAME)))) found.push({ id: Number(match[1]), directory: join(jobDirectory, name) });
  }
  const savepoints = names.filter(isSavepointDirectoryName).map((name) => join(jobDirectory, name));
  if (savepoint !== undefined && !savepoints.includes(savepoint)) savepoints.push(savepoint);
  for (const directory of savepoints) {
    try {
      found.push({ directory, id: (await readCheckpointMetadata(directory)).checkpointId });
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      const incomplete = error instanceof CheckpointCorruptedError && error.problem === 'missing-metadata';
      if (incomplete && directory !== savepoint) continue;
      found.push({ directory, id: Number.MAX_SAFE_INTEGER });
    }
  }
  return found.sort((a, b) => b.id - a.id);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CheckpointError(`cannot read '${path}': ${(error as Error).message}`, { cause: error });
  }
}
