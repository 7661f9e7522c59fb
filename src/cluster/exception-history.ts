/**
 * The failures of a job, newest first, as Flink's JobMaster keeps them for
 * `GET /jobs/:id/exceptions`: every attempt that failed leaves one entry, with the
 * task's operator, subtask and attempt when a task failed. Bounded: the oldest entries
 * are dropped, and `truncated` says so.
 */
import { TaskFailureError } from '../core/errors.js';

/** One failure, in Flink 2's field names plus Eddy's `operator`, `subtask` and `attempt`. */
export interface ExceptionHistoryEntry {
  /** Class name of the error, e.g. `TaskFailureError`. */
  readonly exceptionName: string;
  /** The error's stack, the user's own stack included (`Caused by: …`). */
  readonly stacktrace: string;
  /** When the failure was seen, ms since the epoch. */
  readonly timestamp: number;
  /** Flink's task name: `<operator> (<subtask>/<parallelism>)#<attempt>`; null when no task failed (e.g. a worker thread died). */
  readonly taskName: string | null;
  /** Where it ran: `worker-thread-<slot>` or `main-thread`; null when not known. */
  readonly endpoint: string | null;
  /** Labels of failure enrichers (Flink); always empty in Eddy. */
  readonly failureLabels: Readonly<Record<string, string>>;
  /** Failures of other tasks in the same attempt; Eddy keeps only the first (always empty). */
  readonly concurrentExceptions: readonly ExceptionHistoryEntry[];
  /** The operator that threw; null when no task failed. */
  readonly operator: string | null;
  /** 0-based subtask index; null when no task failed. */
  readonly subtask: number | null;
  /** 0-based attempt number of the job in which it failed. */
  readonly attempt: number;
}

/** The history as `GET /jobs/:id/exceptions` reports it. */
export interface ExceptionHistorySnapshot {
  readonly entries: readonly ExceptionHistoryEntry[];
  /** True when older entries were dropped to keep the history bounded. */
  readonly truncated: boolean;
}

/** Entries kept by default; Flink's `web.exception-history-size` is 16 too. */
export const DEFAULT_EXCEPTION_HISTORY_SIZE = 16;

/** Keeps the latest failures of one job. */
export class ExceptionHistory {
  private readonly newestFirst: ExceptionHistoryEntry[] = [];
  private dropped = false;

  constructor(private readonly capacity = DEFAULT_EXCEPTION_HISTORY_SIZE) {}

  /**
   * Records that attempt `attempt` failed with `error` at `timestamp`.
   * @param endpointOf where a subtask runs, e.g. `worker-thread-1`
   */
  add(error: Error, attempt: number, timestamp: number, endpointOf: (subtaskIndex: number) => string): ExceptionHistoryEntry {
    const task = error instanceof TaskFailureError ? error : undefined;
    const entry: ExceptionHistoryEntry = {
      exceptionName: error.name,
      stacktrace: error.stack ?? `${error.name}: ${error.message}`,
      timestamp,
      taskName: task ? `${task.operator} (${task.subtaskIndex + 1}/${task.parallelism})#${attempt}` : null,
      endpoint: task ? endpointOf(task.subtaskIndex) : null,
      failureLabels: {},
      concurrentExceptions: [],
      operator: task ? task.operator : null,
      subtask: task ? task.subtaskIndex : null,
      attempt,
    };
    this.newestFirst.unshift(entry);
    if (this.newestFirst.length > this.capacity) {
      this.newestFirst.length = this.capacity;
      this.dropped = true;
    }
    return entry;
  }

  /** The kept entries, newest first. */
  snapshot(): ExceptionHistorySnapshot {
    return { entries: [...this.newestFirst], truncated: this.dropped };
  }
}
