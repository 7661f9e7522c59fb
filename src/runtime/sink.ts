/**
 * The sink contract. A sink makes one writer per parallel instance. Writers are
 * synchronous on the record path (buffer, then write in bulk); `flush`, `prepareCommit`
 * and `close` may be asynchronous.
 *
 * An exactly-once sink is a {@link TwoPhaseCommittingSink}: its writer hands out
 * *committables* (e.g. finished but hidden files) on every checkpoint barrier, the
 * runtime stores them in the checkpoint, and a {@link Committer} makes them visible once
 * the checkpoint has completed (docs/SINKS.md).
 */

/** What a writer learns about its place in the job. */
export interface SinkWriterContext {
  /** The id of this run of the job (new for every `eddy run`, kept across restarts). */
  readonly jobId: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** 0 on the first run, then one more after each restart. */
  readonly attemptNumber: number;
  /** Sends records to the coordinator (used by the collecting sink). */
  readonly emitToCoordinator: (channel: string, records: unknown[]) => void;
}

/** One parallel instance's writer. */
export interface SinkWriter<T> {
  write(record: T): void;
  /** Called at the end of input (`endOfInput` true) and before snapshots. */
  flush?(endOfInput: boolean): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** A destination for records (Flink's Sink). */
export interface Sink<T> {
  /** Optional default name for the sink operator. */
  readonly name?: string;
  createWriter(ctx: SinkWriterContext): SinkWriter<T>;
}

/** The writer of a two-phase-commit sink. */
export interface CommittingSinkWriter<T, C> extends SinkWriter<T> {
  /**
   * First phase, called on every checkpoint barrier and once at the end of input: make
   * everything written since the last call durable but not yet visible, and return what
   * must be committed when checkpoint `checkpointId` completes. Committables are stored
   * in the checkpoint, so they must be plain data (JSON-compatible).
   */
  prepareCommit(checkpointId: number): readonly C[] | Promise<readonly C[]>;
}

/** What a committer learns about its place in the job. */
export interface CommitterContext {
  readonly jobId: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly attemptNumber: number;
  /** Sends data to the coordinator (the collecting sink commits this way). */
  readonly emitToCoordinator: (channel: string, payload: unknown[]) => void;
}

/** Second phase: makes committables visible. */
export interface Committer<C> {
  /**
   * Makes the committables visible. Must be idempotent: after a failure, committables of
   * the restored checkpoint are committed again, whether or not they already were.
   */
  commit(committables: readonly C[]): void | Promise<void>;
  /**
   * Called once per attempt start, on subtask 0: on a restore after the committables of
   * the restored checkpoint (`keep`) have been committed, on a fresh start with `[]`.
   * Remove what earlier attempts and crashed runs left behind and will never be
   * committed. Writers of the current attempt (`ctx.jobId`, `ctx.attemptNumber`) and of
   * other live processes must not be touched.
   */
  cleanup?(keep: readonly C[]): void | Promise<void>;
}

/** An exactly-once sink (Flink's TwoPhaseCommittingSink). */
export interface TwoPhaseCommittingSink<T, C> extends Sink<T> {
  createWriter(ctx: SinkWriterContext): CommittingSinkWriter<T, C>;
  createCommitter(ctx: CommitterContext): Committer<C>;
}

/** True when `sink` commits in two phases. */
export function isTwoPhaseCommittingSink<T>(sink: Sink<T>): sink is TwoPhaseCommittingSink<T, unknown> {
  return typeof (sink as TwoPhaseCommittingSink<T, unknown>).createCommitter === 'function';
}
