/**
 * The sink contract. A sink makes one writer per parallel instance. Writers are
 * synchronous on the record path (buffer, then write in bulk); `flush` and `close` may
 * be asynchronous. Exactly-once sinks (two-phase commit) extend this in the checkpoint
 * layer.
 */

/** What a writer learns about its place in the job. */
export interface SinkWriterContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
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
