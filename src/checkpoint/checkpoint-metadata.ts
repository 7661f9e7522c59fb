/**
 * What a completed checkpoint records: for every operator (by uid) and every parallel
 * subtask, where its state files are and, for keyed state, the key-group range and the
 * offset of each key group inside the file. This is the content of `_metadata`
 * (format in docs/CHECKPOINTS.md); the tasks produce the per-subtask parts and the
 * coordinator assembles them.
 */

/** A state file written by a task into a checkpoint directory. */
export interface StateFileHandle {
  /** File name, relative to the checkpoint directory (`chk-<n>/`), so a directory can be moved. */
  readonly file: string;
  /** Size in bytes. */
  readonly size: number;
  /** CRC-32 of the whole file, checked on every read. */
  readonly crc32: number;
}

/** Where one key group sits inside a keyed state file. */
export interface KeyGroupOffset {
  readonly keyGroup: number;
  readonly offset: number;
  readonly length: number;
}

/** Keyed state of one subtask of one operator. */
export interface KeyedStateHandle extends StateFileHandle {
  /** First and last key group (inclusive) the subtask owned. */
  readonly keyGroupRange: readonly [number, number];
  /** Offsets of the key groups that hold data (others are empty). */
  readonly keyGroups: readonly KeyGroupOffset[];
}

/** Everything one subtask of one operator snapshotted. */
export interface OperatorSubtaskState {
  readonly subtaskIndex: number;
  readonly keyed?: KeyedStateHandle;
  readonly operatorState?: StateFileHandle;
  /** A source reader's position (JSON-compatible value), for source operators. */
  readonly sourcePosition?: unknown;
}

/** One operator of the job in a checkpoint. */
export interface OperatorState {
  /** The operator's uid (or the uid derived from its position in the graph). */
  readonly uid: string;
  /** Its display name when the checkpoint was taken. */
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** One entry per subtask that had state (subtasks without any may be missing). */
  readonly subtasks: readonly OperatorSubtaskState[];
}

/** Per-task statistics of one checkpoint (DESIGN §5). */
export interface TaskCheckpointStats {
  readonly vertexId: number;
  readonly subtaskIndex: number;
  /** Duration of the synchronous part (ms). */
  readonly syncMs: number;
  /** Duration of the asynchronous part (ms). */
  readonly asyncMs: number;
  /** Time between the first and the last barrier of this checkpoint at this task (ms). */
  readonly alignmentMs: number;
  /** Bytes of state this task wrote. */
  readonly stateBytes: number;
}

/** The content of `_metadata`. */
export interface CheckpointMetadata {
  readonly format: 'eddy-checkpoint';
  /** Format version of this file. */
  readonly version: 1;
  readonly jobId: string;
  readonly checkpointId: number;
  readonly kind: 'checkpoint' | 'savepoint';
  /** Milliseconds since the epoch when the checkpoint was triggered. */
  readonly triggerTimestamp: number;
  /** Milliseconds since the epoch when it completed. */
  readonly completionTimestamp: number;
  readonly operators: readonly OperatorState[];
}

/** What a task sends the coordinator when its part of a checkpoint is done. */
export interface TaskCheckpointAck {
  readonly checkpointId: number;
  readonly vertexId: number;
  readonly subtaskIndex: number;
  /** One entry per operator of the task's chain that has any state (by uid). */
  readonly operators: readonly { readonly uid: string; readonly state: OperatorSubtaskState }[];
  readonly stats: TaskCheckpointStats;
}
