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

/** One parallel instance's reader. */
export interface SourceReader<T> {
  /** Emits at most `maxRecords` records into `out`. */
  poll(out: SourceOutput<T>, maxRecords: number): PollStatus | Promise<PollStatus>;
  /** The reader's position, for checkpoints: any structured-clonable value. */
  snapshotPosition?(): unknown;
  /** Moves the reader to a position returned by `snapshotPosition` before the first poll. */
  restorePosition?(position: unknown): void;
  close?(): void | Promise<void>;
}

/** A source of records (Flink's Source). */
export interface Source<T> {
  /** `'bounded'` sources end; `'unbounded'` ones run until canceled. */
  readonly boundedness: 'bounded' | 'unbounded';
  /** The highest parallelism the source supports (e.g. 1 for a collection). @default unlimited */
  readonly maxParallelism?: number;
  createReader(ctx: SourceReaderContext): SourceReader<T>;
}
