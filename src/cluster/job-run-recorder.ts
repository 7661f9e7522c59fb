/**
 * Keeps one run's `_job.json` (checkpoint/storage/job-run-record.ts) up to date: written
 * before the run's first attempt starts, rewritten when the run ends. `--resume` trusts
 * what the newest run of a name says, so the end is recorded BEFORE its checkpoints are
 * deleted: a crash in between leaves a record that says how the run ended, never a
 * `running` run without its checkpoints (which would send `--resume` back to older state
 * than the output this run committed).
 */
import { writeJobRunRecord } from '../checkpoint/storage/job-run-record.js';
import type { JobRunRecord, JobRunStatus } from '../checkpoint/storage/job-run-record.js';

/** What a run's end adds to its record. */
export interface RunEnd {
  /** The savepoint a run that was stopped with one stopped with. */
  readonly savepoint?: string;
  /** The run is about to delete its checkpoints. */
  readonly checkpointsDiscarded?: boolean;
}

/** The `_job.json` of one run. */
export class JobRunRecorder {
  private record: JobRunRecord;

  constructor(
    /** `<checkpoint-dir>/<job-id>`, absolute. */
    readonly jobDirectory: string,
    name: string,
    restoredFrom: string | undefined,
    startedAt: Date = new Date(),
  ) {
    this.record = {
      name,
      startedAt: startedAt.toISOString(),
      status: 'running',
      ...(restoredFrom !== undefined ? { restoredFrom } : {}),
    };
  }

  /**
   * Writes the record of a run that starts.
   * @throws CheckpointError naming the file when it cannot be written (the run must not start: a later --resume could not find it)
   */
  start(): Promise<void> {
    return writeJobRunRecord(this.jobDirectory, this.record);
  }

  /**
   * Records how the run ended. A failure is reported through `warn`, not thrown: the job
   * has ended either way, but the user must know that `--resume` may not see this end.
   */
  async end(status: Exclude<JobRunStatus, 'running'>, end: RunEnd, warn: (message: string) => void): Promise<void> {
    this.record = {
      ...this.record,
      status,
      endedAt: new Date().toISOString(),
      ...(end.savepoint !== undefined ? { savepoint: end.savepoint } : {}),
      ...(end.checkpointsDiscarded ? { checkpointsDiscarded: true } : {}),
    };
    try {
      await writeJobRunRecord(this.jobDirectory, this.record);
    } catch (error) {
      warn(`${(error as Error).message}; a later eddy run --resume will not know that this run ${status === 'stopped' ? 'stopped' : status}`);
    }
  }
}
