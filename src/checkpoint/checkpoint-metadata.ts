/**
 * What a completed checkpoint records: for every operator (by uid) and every parallel
 * subtask, where its state files are and, for keyed state, the key-group range and the
 * offset of each key group inside the file. This is the content of `_metadata`
 * (format in docs/CHECKPOINTS.md); the tasks produce the per-subtask parts and the
 * coordinator assembles them.
 */
import type { SnapshotFile } from '../state/keyed-state-backend.js';
import type { KeyedSnapshotStateMeta } from '../state/keyed-snapshot/keyed-snapshot-format.js';

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

/**
 * Keyed state of one subtask of one operator: one file in the canonical format
 * ({@link FullKeyedStateHandle}), or the files of a native RocksDB checkpoint
 * ({@link IncrementalKeyedStateHandle}).
 */
export type KeyedStateHandle = FullKeyedStateHandle | IncrementalKeyedStateHandle;

/**
 * Keyed state in one file of the canonical keyed snapshot format (docs/STATE.md), which
 * every backend reads. `_metadata` files written before incremental checkpoints existed
 * have no `type`: a handle without one is a full handle.
 */
export interface FullKeyedStateHandle extends StateFileHandle {
  readonly type?: 'full';
  /** First and last key group (inclusive) the subtask owned. */
  readonly keyGroupRange: readonly [number, number];
  /** Offsets of the key groups that hold data (others are empty). */
  readonly keyGroups: readonly KeyGroupOffset[];
}

/**
 * Keyed state as the files of a native RocksDB checkpoint (DESIGN §4.3): SST files in the
 * job's `shared/` directory, which later checkpoints refer to instead of storing them
 * again, and the instance's other files (MANIFEST, CURRENT, OPTIONS) in the checkpoint's
 * own directory. Only the RocksDB backend restores it. Every `file` is relative to the
 * checkpoint's directory: `../shared/<name>` for shared files, a plain name for private
 * ones. No checksum is recorded: RocksDB checksums its blocks itself.
 */
export interface IncrementalKeyedStateHandle {
  readonly type: 'incremental';
  /** The backend that wrote it; only it can restore it. */
  readonly backend: 'rocksdb';
  /** First and last key group (inclusive) the subtask owned. */
  readonly keyGroupRange: readonly [number, number];
  /** Every state of the instance (one column family each). */
  readonly states: readonly KeyedSnapshotStateMeta[];
  /** SST files, in `../shared/`; shared with the checkpoints before and after this one. */
  readonly sharedFiles: readonly SnapshotFile[];
  /** The instance's other files, in this checkpoint's directory. */
  readonly privateFiles: readonly SnapshotFile[];
}

/** Whether `handle` is an {@link IncrementalKeyedStateHandle} (anything else is full). */
export function isIncrementalKeyedStateHandle(handle: KeyedStateHandle): handle is IncrementalKeyedStateHandle {
  return handle.type === 'incremental';
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
  /**
   * Bytes of state this task wrote for this checkpoint: its state files, and of an
   * incremental keyed snapshot the shared files it uploaded and its private files.
   */
  readonly stateBytes: number;
  /**
   * Bytes of state this task's part of the checkpoint holds: {@link stateBytes} plus the
   * shared files of incremental snapshots that earlier checkpoints stored and this one
   * refers to. @default stateBytes
   */
  readonly fullStateBytes?: number;
}

/** The content of `_metadata`. */
export interface CheckpointMetadata {
  readonly format: 'eddy-checkpoint';
  /** Format version of this file. */
  readonly version: 1;
  readonly jobId: string;
  /**
   * The name of the job that took it (`_job.json`'s name), so a run restored from it can
   * tell that its sources resume at positions another job saved. Absent in files written
   * before job names were recorded (an optional addition: still version 1).
   */
  readonly jobName?: string;
  readonly checkpointId: number;
  readonly kind: 'checkpoint' | 'savepoint';
  /** Milliseconds since the epoch when the checkpoint was triggered. */
  readonly triggerTimestamp: number;
  /** Milliseconds since the epoch when it completed. */
  readonly completionTimestamp: number;
  readonly operators: readonly OperatorState[];
}

/**
 * `metadata` with the job's name recorded right after its id (the field order of the
 * readable `_metadata`).
 */
export function withJobName(metadata: CheckpointMetadata, jobName: string): CheckpointMetadata {
  const { format, version, jobId, jobName: _previous, ...rest } = metadata;
  return { format, version, jobId, jobName, ...rest };
}

/** What a task sends the coordinator when its part of a checkpoint is done. */
export interface TaskCheckpointAck {
  readonly checkpointId: number;
  readonly vertexId: number;
  readonly subtaskIndex: number;
  /** One entry per operator of the task's chain that has any state (by uid). */
  readonly operators: readonly { readonly uid: string; readonly state: OperatorSubtaskState }[];
  /**
   * The shared files of the incremental keyed snapshots in {@link operators} that this
   * task stored for this checkpoint (their `file`, relative to the checkpoint's
   * directory). The other shared files in its handles refer to files earlier checkpoints
   * stored, which the coordinator checks are still held. @default none
   */
  readonly uploadedSharedFiles?: readonly string[];
  readonly stats: TaskCheckpointStats;
}
