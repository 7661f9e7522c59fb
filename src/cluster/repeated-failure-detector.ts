/**
 * Notices a job that keeps failing the same way: the same error class, message and
 * operator several times in a row with no checkpoint completed in between. Restarting
 * such a job forever is what the restart strategy says, but the user should hear that it
 * is going nowhere (`eddy: job keeps failing the same way: …`).
 */
import { TaskFailureError } from '../core/errors.js';

/** Identical failures in a row before the job is said to keep failing. */
export const SAME_FAILURE_THRESHOLD = 3;

/** Counts identical failures in a row; a completed checkpoint starts the count over. */
export class RepeatedFailureDetector {
  private lastKey: string | undefined;
  private count = 0;

  constructor(private readonly threshold = SAME_FAILURE_THRESHOLD) {}

  /** Records a failure; returns how many identical ones are now in a row. */
  record(error: Error): number {
    const key = failureKey(error);
    this.count = key === this.lastKey ? this.count + 1 : 1;
    this.lastKey = key;
    return this.count;
  }

  /** True exactly when the failure just recorded made the run reach the threshold. */
  get justReachedThreshold(): boolean {
    return this.count === this.threshold;
  }

  /** A checkpoint completed: the job made progress, so the run is broken. */
  progressed(): void {
    this.lastKey = undefined;
    this.count = 0;
  }
}

/** Class, message and operator of a failure (the user's error for task failures, which name the attempt). */
function failureKey(error: Error): string {
  if (error instanceof TaskFailureError) return JSON.stringify([error.userError.name, error.userError.message, error.operator]);
  return JSON.stringify([error.name, error.message, null]);
}
