/**
 * The operator contract the runtime drives. A task owns a chain of operators; the head
 * receives records from the task's inputs (or reads its source), every operator hands
 * its output to an {@link Output}, which is either the next operator of the chain or the
 * task's record writers. All lifecycle hooks but `processElement` are optional.
 */
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import type { OperatorStateStore } from '../../state/operator/operator-state-store.js';
import type { ProcessingTimeService } from '../time/processing-time-service.js';
import type { WatermarkStatus } from '../time/watermark.js';

/** Where an operator sends its records. */
export interface Output<T> {
  /**
   * Emits a record. Without `timestamp` it carries the timestamp of the record being
   * processed (or of the timer firing), if any.
   */
  collect(record: T, timestamp?: number): void;
  /** Emits a watermark downstream (operators that hold records back emit them first). */
  emitWatermark(watermark: number): void;
  /**
   * Emits a record to the side output with tag id `tag` (dropped when no stream reads
   * it). Without `timestamp` it carries the current record's or timer's timestamp.
   */
  emitSide?(tag: string, record: unknown, timestamp?: number): void;
  /**
   * Marks the output idle or active again (docs/TIME.md). The chain's outputs have it;
   * only operators that make their own watermarks (timestamps-and-watermarks) call it.
   */
  emitWatermarkStatus?(status: WatermarkStatus): void;
}

/** What the runtime tells an operator about its place in the job. */
export interface OperatorInfo {
  /** The id of this run of the job (kept across restarts). */
  readonly jobId: string;
  /** The operator's display name: its uid if set, else its name. */
  readonly operatorName: string;
  readonly uid: string;
  readonly taskName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly attemptNumber: number;
  /** Job parameters given with `--set key=value`. */
  readonly parameters: ReadonlyMap<string, string>;
}

/** What an operator gets before it opens. */
export interface OperatorSetup<OUT> {
  readonly info: OperatorInfo;
  readonly output: Output<OUT>;
  /** Present for operators applied to a keyed stream. */
  readonly keyedBackend: KeyedStateBackend | undefined;
  readonly operatorStateStore: OperatorStateStore;
  /** Sends records to the coordinator (the collecting sink uses it). */
  readonly emitToCoordinator: (channel: string, records: unknown[]) => void;
  /** The task's processing time. */
  readonly processingTimeService: ProcessingTimeService;
  /** The timestamp of the record being processed (or of the timer firing); undefined when it has none. */
  readonly currentTimestamp: () => number | undefined;
}

/** One operator of a chain, with Flink's lifecycle: setup → initializeState → open → process… → finish → close. */
export interface StreamOperator<IN, OUT> {
  setup(setup: OperatorSetup<OUT>): void;
  /** Operator state is available here (restored when the task restores). */
  initializeState?(): void | Promise<void>;
  open?(): void | Promise<void>;
  processElement(record: IN): void;
  /**
   * The task's watermark advanced to `watermark`. An operator without this method
   * forwards the watermark; one with it must emit it itself (`output.emitWatermark`),
   * after whatever the watermark lets it emit (e.g. fired timers and windows).
   */
  processWatermark?(watermark: number): void;
  /**
   * The task's input became idle or active again. An operator without this method
   * forwards the status; the timestamps-and-watermarks operator drops it (its own
   * strategy decides).
   */
  processWatermarkStatus?(status: WatermarkStatus): void;
  /** End of input: emit anything held back. */
  finish?(): void | Promise<void>;
  close?(): void | Promise<void>;
  /**
   * True for operators that commit in two phases (sinks): their `snapshotState` also runs
   * for the final commit of a job without checkpointing.
   */
  readonly commitsOnCheckpoint?: boolean;
  /**
   * True when the operator keeps operator state of its own (checkpointed functions,
   * two-phase-commit sinks), so its state outlives a job change only with a uid.
   * Keyed operators and sources are known to keep state without it.
   */
  readonly keepsState?: boolean;
  /** Called before a snapshot is taken, so functions can write their operator state. */
  snapshotState?(checkpointId: number): void | Promise<void>;
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void;
}

/** Makes a fresh operator instance for one parallel subtask. */
export type OperatorFactory<IN = unknown, OUT = unknown> = () => StreamOperator<IN, OUT>;
