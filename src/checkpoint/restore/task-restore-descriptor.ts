/**
 * Which state files one task restores from, as plain data the coordinator sends to the
 * thread that runs the task. The coordinator picks the files (by uid and key-group
 * overlap); the task's thread reads them ({@link loadTaskRestore}).
 */
import type { KeyedStateHandle, StateFileHandle } from '../checkpoint-metadata.js';

/** What one operator of a task restores from. */
export interface OperatorRestoreDescriptor {
  readonly uid: string;
  /** The operator's parallelism when the checkpoint was taken. */
  readonly oldParallelism: number;
  /** The operator's maxParallelism when the checkpoint was taken (also now, if it has keyed state). */
  readonly maxParallelism: number;
  /**
   * Keyed state of the old subtasks whose key-group ranges overlap the new subtask's, full
   * or incremental; file names are relative to {@link TaskRestoreDescriptor.directory}.
   */
  readonly keyed: readonly KeyedStateHandle[];
  /** Operator state of every old subtask, by old subtask index (null where it had none). */
  readonly operatorState: readonly (StateFileHandle | null)[];
  /**
   * The position a source reader restores: the one of the same old subtask index, or,
   * for a splittable source whose parallelism changed, this subtask's share of all old
   * splits (an array, possibly empty).
   */
  readonly sourcePosition?: { readonly value: unknown };
}

/** What one task restores from. */
export interface TaskRestoreDescriptor {
  readonly checkpointId: number;
  /** The directory that holds the checkpoint's `_metadata`; file names are relative to it. */
  readonly directory: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly operators: readonly OperatorRestoreDescriptor[];
}
