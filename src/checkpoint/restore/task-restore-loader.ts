/**
 * Reads the state files a task restores from and cuts them to the task: keyed snapshots
 * as they are (the backend keeps only its key groups), operator state redistributed from
 * the old parallelism to the new one and reduced to this subtask's share.
 */
import { RestoreError } from '../../core/errors.js';
import type { StateFileHandle } from '../checkpoint-metadata.js';
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
      op.keyed.map(async (handle) => ({
        type: 'full' as const,
        checkpointId: descriptor.checkpointId,
        bytes: await read(descriptor.directory, handle),
      })),
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

/** Runs `f`; a RestoreError it throws is thrown again with the operator's uid in front. */
function naming<T>(uid: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof RestoreError) throw new RestoreError(`operator '${uid}': ${error.message}`, { cause: error });
    throw error;
  }
}
