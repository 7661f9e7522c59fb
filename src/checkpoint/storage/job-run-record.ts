/**
 * `_job.json`: what one run of a job records in its checkpoint directory
 * (`<checkpoint-dir>/<job-id>/_job.json`, DESIGN §5.1) so that `eddy run --resume` can
 * find the newest run of a job by name and tell what that run left behind: the state it
 * started from, and how it ended. Written atomically when the run's checkpoint storage is
 * set up and again when the run ends; a run that crashed still says `running`.
 * Format: docs/CHECKPOINTS.md.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CheckpointError } from '../../core/errors.js';
import { fsyncDirectory, writeFileAtomically } from './atomic-file-write.js';

/** The record's file name in a job's checkpoint directory. */
export const JOB_RECORD_FILE_NAME = '_job.json';

/** The format version this Eddy writes and reads. */
export const JOB_RECORD_VERSION = 1;

/**
 * How a run ended, as far as its record knows: `running` until it ends (so also for a
 * run that crashed), `stopped` when it ended with a savepoint (Ctrl-C, `eddy stop`).
 */
export type JobRunStatus = 'running' | 'finished' | 'stopped' | 'canceled' | 'failed';

const recordSchema = z.looseObject({
  format: z.literal('eddy-job'),
  version: z.literal(JOB_RECORD_VERSION),
  name: z.string().min(1),
  startedAt: z.iso.datetime(),
  status: z.enum(['running', 'finished', 'stopped', 'canceled', 'failed']),
  restoredFrom: z.string().min(1).optional(),
  endedAt: z.iso.datetime().optional(),
  savepoint: z.string().min(1).optional(),
  checkpointsDiscarded: z.boolean().optional(),
});

/** The content of `_job.json` (besides its format and version). */
export interface JobRunRecord {
  readonly name: string;
  /** ISO 8601 time the run started: the newest run of a name decides what `--resume` takes. */
  readonly startedAt: string;
  readonly status: JobRunStatus;
  /** The checkpoint or savepoint directory the run started from (absolute). */
  readonly restoredFrom?: string;
  /** ISO 8601 time the run ended. */
  readonly endedAt?: string;
  /** With `stopped`: the savepoint the run stopped with (absolute). */
  readonly savepoint?: string;
  /** True when the run deleted (or was about to delete) its checkpoints: a finished run, or retention `delete` on cancel. */
  readonly checkpointsDiscarded?: boolean;
}

/**
 * Writes `record` as `<jobDirectory>/_job.json` atomically (temporary file, fsync,
 * rename), creating the directory.
 *
 * @throws CheckpointError naming the file when it cannot be written
 */
export async function writeJobRunRecord(jobDirectory: string, record: JobRunRecord): Promise<void> {
  const content = { format: 'eddy-job', version: JOB_RECORD_VERSION, ...record };
  const bytes = new TextEncoder().encode(JSON.stringify(content, null, 2) + '\n');
  try {
    await mkdir(jobDirectory, { recursive: true });
    await writeFileAtomically(jobDirectory, JOB_RECORD_FILE_NAME, bytes);
    await fsyncDirectory(jobDirectory);
  } catch (error) {
    throw new CheckpointError(`cannot write '${join(jobDirectory, JOB_RECORD_FILE_NAME)}': ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Reads `<jobDirectory>/_job.json`; undefined when there is none (a directory of a run
 * from before job records, or not a run's directory at all).
 *
 * @throws CheckpointError naming the file when it exists but cannot be read or is not a valid record
 */
export async function readJobRunRecord(jobDirectory: string): Promise<JobRunRecord | undefined> {
  const path = join(jobDirectory, JOB_RECORD_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CheckpointError(`cannot read '${path}': ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`'${path}' is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CheckpointError(`'${path}' is not a job record: ${issue.path.join('.') || 'the top level'}: ${issue.message}`);
  }
  const { name, startedAt, status, restoredFrom, endedAt, savepoint, checkpointsDiscarded } = parsed.data;
  return {
    name,
    startedAt,
    status,
    ...(restoredFrom !== undefined ? { restoredFrom } : {}),
    ...(endedAt !== undefined ? { endedAt } : {}),
    ...(savepoint !== undefined ? { savepoint } : {}),
    ...(checkpointsDiscarded !== undefined ? { checkpointsDiscarded } : {}),
  };
}
