/**
 * The source contract. A source makes one reader per parallel instance; the runtime
 * polls it for a bounded number of records at a time, so a source never blocks its
 * task and backpressure works by simply not polling.
 */

/** What a reader learns about its place in the job. */
export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly attemptNumber: number;
}

/** Receives the records a reader emits. */
export interface SourceOutput<T> {
  collect(record: T, timestamp?: number): void;
}

/**
 * What one poll reports: `'more'` (call again at once), `'idle'` (nothing now; call again
 * later), `'end'` (this reader has emitted everything; bounded sources only).
 */
export type PollStatus = 'more' | 'idle' | 'end';

/**
 * The position of a reader of a {@link Source.splittable} source: the splits it still has
 * to read, each a structured-clonable (JSON-compatible) value.
 */
export type SplitPosition<Split> = readonly Split[];

/** One parallel instance's reader. */
export interface SourceReader<T> {
  /** Emits at most `maxRecords` records into `out`. */
  poll(out: SourceOutput<T>, maxRecords: number): PollStatus | Promise<PollStatus>;
  /**
   * The reader's position, for checkpoints: any structured-clonable value; an array of
   * splits for a {@link Source.splittable} source.
   */
  snapshotPosition?(): unknown;
  /**
   * Moves the reader to a position returned by `snapshotPosition` before the first poll;
   * for a {@link Source.splittable} source, any array of splits of this source.
   */
  restorePosition?(position: unknown): void;
  close?(): void | Promise<void>;
}

/** A source of records (Flink's Source). */
export interface Source<T> {
  /** `'bounded'` sources end; `'unbounded'` ones run until canceled. */
  readonly boundedness: 'bounded' | 'unbounded';
  /** The highest parallelism the source supports (e.g. 1 for a collection). @default unlimited */
  readonly maxParallelism?: number;
  /**
   * `true` when the source's positions are lists of independent splits (in the spirit of
   * Flink's FLIP-27 source splits), so a restore may run it at another parallelism:
   *
   * - `snapshotPosition()` returns an array ({@link SplitPosition}) of the splits the
   *   reader still has to read, each with its own progress (a range and its next number,
   *   a file and its next offset). A split must not depend on the reader that holds it:
   *   any reader must be able to finish it.
   * - `restorePosition()` accepts any array of splits, in any number, also from several
   *   old readers. An empty array is valid: a bounded reader then ends at its first poll.
   *
   * On a restore at the same parallelism, subtask *i* gets the position of old subtask
   * *i* as today. At another parallelism the splits of all old subtasks are concatenated
   * in old-subtask order and cut into contiguous runs, the first `total % newP` subtasks
   * getting one split more (the even split of DESIGN §4.2). Splits are never cut smaller,
   * so some new subtasks may get none. A position that is not an array (written before
   * the source became splittable) is taken as a list of one split, so the source must
   * accept its former position as a split or reject it with a `RestoreError`. See
   * docs/RECOVERY.md, "Sources and rescaling".
   *
   * A source that is not splittable can only be restored at the parallelism its
   * checkpoint was taken with. @default false
   */
  readonly splittable?: boolean;
  createReader(ctx: SourceReaderContext): SourceReader<T>;
}
