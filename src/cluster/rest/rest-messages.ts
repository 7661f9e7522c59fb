/**
 * The JSON bodies of the REST API (docs/REST.md), typed once for the server and for the
 * CLI that reads them. Field names follow Flink's REST API where Flink has the field.
 */
import type { ExceptionHistoryEntry } from '../exception-history.js';

/** A job's state as the REST API spells it: Eddy's `JobStatus` in upper case, as in Flink. */
export type RestJobState = 'CREATED' | 'RUNNING' | 'RESTARTING' | 'FINISHED' | 'FAILED' | 'CANCELED';

/** `GET /jobs` */
export interface JobIdsResponse {
  readonly jobs: readonly { readonly id: string; readonly status: RestJobState }[];
}

/** One job in `GET /jobs/overview`. */
export interface JobOverview {
  readonly jid: string;
  readonly name: string;
  readonly state: RestJobState;
  /** Milliseconds since the epoch. */
  readonly 'start-time': number;
  /** Milliseconds since the epoch; -1 while the job runs. */
  readonly 'end-time': number;
  /** Milliseconds, up to now while the job runs. */
  readonly duration: number;
  /** Restarts after failures so far. */
  readonly restarts: number;
}

/** `GET /jobs/overview` */
export interface JobsOverviewResponse {
  readonly jobs: readonly JobOverview[];
}

/** One vertex (operator chain) in `GET /jobs/:id`. */
export interface VertexInfo {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** uids of the chained operators, head first. */
  readonly 'operator-uids': readonly string[];
  readonly 'is-source': boolean;
  /** Summed over subtasks, in the current attempt. For a source, `read-records` are the records it read. */
  readonly metrics: { readonly 'read-records': number; readonly 'write-records': number };
}

/** `GET /jobs/:id` */
export interface JobDetailsResponse extends JobOverview {
  /** Milliseconds since the epoch when this answer was made. */
  readonly now: number;
  /** Where the job's keyed state lives: `hashmap` or `rocksdb` (`--state-backend`). */
  readonly 'state-backend': string;
  readonly vertices: readonly VertexInfo[];
}

/** A checkpoint's status as the REST API spells it (Flink's): pending, completed, aborted. */
export type RestCheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** One checkpoint or savepoint in `GET /jobs/:id/checkpoints`. */
export interface CheckpointInfo {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly status: RestCheckpointStatus;
  readonly is_savepoint: boolean;
  readonly checkpoint_type: 'CHECKPOINT' | 'SAVEPOINT';
  /** True for the checkpoint taken after every task ended its input. */
  readonly is_final: boolean;
  /** Milliseconds since the epoch. */
  readonly trigger_timestamp: number;
  /** From trigger to completion or failure (ms). */
  readonly end_to_end_duration: number;
  /** Bytes of state written by all tasks. */
  readonly state_size: number;
  readonly checkpointed_size: number;
  /** Bytes of in-flight data persisted (unaligned checkpoints). */
  readonly persisted_data: number;
  readonly num_acknowledged_subtasks: number;
  /** The directory of its `_metadata`, once completed; otherwise null. */
  readonly external_path: string | null;
  /** Why it failed; only on failed ones. */
  readonly failure_message?: string;
}

/** `GET /jobs/:id/checkpoints` */
export interface CheckpointingStatisticsResponse {
  readonly counts: { readonly total: number; readonly in_progress: number; readonly completed: number; readonly failed: number };
  readonly latest: {
    /** The latest completed checkpoint or savepoint. */
    readonly completed: CheckpointInfo | null;
    readonly savepoint: CheckpointInfo | null;
    readonly failed: CheckpointInfo | null;
  };
  /** Recent checkpoints and savepoints, newest first. */
  readonly history: readonly CheckpointInfo[];
}

/** One subtask's part of a checkpoint, in `GET /jobs/:id/checkpoints/details/:checkpointId`. */
export interface SubtaskCheckpointInfo {
  readonly vertex_id: number;
  /** Subtask index, from 0. */
  readonly index: number;
  readonly state_size: number;
  readonly checkpointed_size: number;
  /** Durations (ms, to the microsecond) of the synchronous and asynchronous parts of its snapshot. */
  readonly checkpoint: { readonly sync: number; readonly async: number };
  /** Time between its first and last barrier (ms). */
  readonly alignment: { readonly duration: number };
}

/** `GET /jobs/:id/checkpoints/details/:checkpointId` */
export interface CheckpointDetailsResponse extends CheckpointInfo {
  readonly tasks: readonly SubtaskCheckpointInfo[];
}

/** `POST /jobs/:id/savepoints` and `POST /jobs/:id/stop` (status 202). */
export interface TriggerResponse {
  readonly 'request-id': string;
}

/** `GET /jobs/:id/savepoints/:triggerId` */
export interface SavepointStatusResponse {
  readonly status: { readonly id: 'IN_PROGRESS' | 'COMPLETED' };
  /** Present once completed: the savepoint's path, or why it failed. */
  readonly operation?:
    | { readonly location: string }
    | { readonly 'failure-cause': { readonly class: string; readonly message: string } };
}

/** Every error answer (4xx, 5xx). */
export interface ErrorResponse {
  readonly message: string;
}

/** `GET /jobs/:id/exceptions` (Flink 2's `JobExceptionsInfoWithHistory`). */
export interface JobExceptionsResponse {
  readonly exceptionHistory: {
    /** Newest first; each entry also carries Eddy's `operator`, `subtask` and `attempt`. */
    readonly entries: readonly ExceptionHistoryEntry[];
    /** True when older failures are not in `entries`. */
    readonly truncated: boolean;
  };
}
