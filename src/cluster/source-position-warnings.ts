/**
 * Restoring another job's checkpoint or savepoint is allowed (clones, A/B runs), but its
 * sources then continue where that job's sources stopped, which is rarely what a user
 * who mixed up two jobs wants: one warning per source says so. The saving job's name is
 * in `_metadata` (`jobName`), or for metadata written before names were recorded, in
 * the `_job.json` of the run directory it lies in; when neither tells, nothing is said.
 */
import { dirname } from 'node:path';
import type { CompletedCheckpoint } from '../checkpoint/checkpoint-coordinator.js';
import { readJobRunRecord } from '../checkpoint/storage/job-run-record.js';
import { CheckpointError } from '../core/errors.js';

/**
 * Warns, for each of `sourceUids` that has a saved position in `restored`, when the job
 * that saved it is not named `jobName`: `source '<uid>' resumes at the position saved by job '<name>'`.
 */
export async function warnAboutForeignSourcePositions(
  restored: CompletedCheckpoint,
  jobName: string,
  sourceUids: readonly string[],
  warn: (message: string) => void,
): Promise<void> {
  const savedBy = restored.metadata.jobName ?? (await recordedName(restored.directory, warn));
  if (savedBy === undefined || savedBy === jobName) return;
  for (const uid of sourceUids) {
    const saved = restored.metadata.operators.find((o) => o.uid === uid);
    if (saved?.subtasks.some((s) => s.sourcePosition !== undefined)) warn(`source '${uid}' resumes at the position saved by job '${savedBy}'`);
  }
}

/** The name in the `_job.json` next to a checkpoint's directory, if there is one. */
async function recordedName(checkpointDirectory: string, warn: (message: string) => void): Promise<string | undefined> {
  try {
    return (await readJobRunRecord(dirname(checkpointDirectory)))?.name;
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    warn(`cannot tell which job saved ${checkpointDirectory}: ${error.message}`);
    return undefined;
  }
}
