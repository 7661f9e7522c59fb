/**
 * The typed error every pending request to a worker thread is rejected with when that
 * worker dies (STYLE §4): nothing waits forever for an answer that can no longer come.
 */
import { EddyError } from '../core/errors.js';

/** A worker thread ended (crashed, exited or was terminated) before answering a request. */
export class WorkerExitedError extends EddyError {
  /** The worker thread's slot (0-based). */
  readonly slot: number;
  /** The request that got no answer, e.g. `cancel`. */
  readonly request: string;
  /** The thread's exit code, when it exited; undefined when it crashed with an error. */
  readonly exitCode: number | undefined;

  constructor(slot: number, request: string, exitCode: number | undefined, options?: { cause?: unknown }) {
    super(
      `worker thread ${slot} ended ${exitCode === undefined ? 'with an error' : `(exit code ${exitCode})`} before answering '${request}'`,
      options,
    );
    this.slot = slot;
    this.request = request;
    this.exitCode = exitCode;
  }
}
