/**
 * Reads the state files a task restores from and cuts them to the task: full keyed
 * snapshots as they are (the backend keeps only its key groups), incremental ones as the
 * absolute paths of their files (the RocksDB backend copies or links them itself; they
 * are never read into memory here), operator state redistributed from the old
 * parallelism to the new one and reduced to this subtask's share.
 */
import { resolve } from 'node:path';
import { RestoreError } from '../../core/errors.js';
import type { IncrementalKeyedStateSnapshot, KeyedStateSnapshot, SnapshotFile } from '../../state/keyed-state-backend.js';
import type { IncrementalKeyedStateHandle, StateFileHandle } from '../checkpoint-metadata.js';
import { decodeOperatorStateSnapshot, EMPTY_OPERATOR_STATE_SNAPSHOT } from '../../state/operator/operator-state-snapshot.js';
import { redistributeOperatorState } from '../../state/operator/redistribution.js';
import type { OperatorRestore, TaskRestoreState } from './task-restore-state.js';
import type { TaskRestoreDescriptor } from './task-restore-descriptor.js';

/** Reads one state file, checking its size and checksum. */
export type StateFileReader = (directory: string, handle: StateFileHandle) => Promise<Uint8Array>;

/** Reads and prepares everything one task restores. */
export async function loadTaskRestore(descriptor: TaskRestoreDescriptor, read: StateFileReader): Promise<TaskRestoreState> {
  const operators = new Map<string, OperatorRestore>();
  for (const op of descriptor.operators) {
    const keyed = await Promise.all(
      op.keyed.map(
        async (handle): Promise<KeyedStateSnapshot> =>
          handle.type === 'incremental'
            ? incrementalSnapshot(handle, descriptor.directory, descriptor.checkpointId, op.maxParallelism)
            : { type: 'full', checkpointId: descriptor.checkpointId, bytes: await read(descriptor.directory, handle) },
      ),
    );
    let operatorState;
    if (op.operatorState.some((h) => h !== null)) {
      const old = await Promise.all(
        op.operatorState.map(async (h) => (h ? decodeOperatorStateSnapshot(await read(descriptor.directory, h)) : EMPTY_OPERATOR_STATE_SNAPSHOT)),
      );
      operatorState = naming(op.uid, () => redistributeOperatorState(old, descriptor.parallelism))[descriptor.subtaskIndex];
    }
    operators.set(op.uid, { keyed, operatorState, sourcePosition: op.sourcePosition });
  }
  return { checkpointId: descriptor.checkpointId, operators };
}

/**
 * The snapshot a backend restores from an incremental handle of the checkpoint in
 * `directory`: the same files, with absolute paths.
 */
export function incrementalSnapshot(
  handle: IncrementalKeyedStateHandle,
  directory: string,
  checkpointId: number,
  maxParallelism: number,
): IncrementalKeyedStateSnapshot {
  const absolute = (f: SnapshotFile): SnapshotFile => ({ name: f.name, file: resolve(directory, f.file), size: f.size });
  return {
    type: 'incremental',
    checkpointId,
    backend: handle.backend,
    maxParallelism,
    keyGroupRange: [handle.keyGroupRange[0], handle.keyGroupRange[1]],
    states: handle.states.map((state) => ({ ...state })),
    sharedFiles: handle.sharedFiles.map(absolute),
    privateFiles: handle.privateFiles.map(absolute),
  };
}

/** Runs `f`; a RestoreError it throws is thrown again with the operator's uid in front. */
function naming<T>(uid: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof RestoreError) throw new RestoreError(`operator '${uid}': ${error.message}`, { cause: error });
    throw error;
  }
}
