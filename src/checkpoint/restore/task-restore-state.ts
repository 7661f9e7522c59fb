/**
 * The state a task starts from after a failure or from a retained checkpoint, already
 * read from storage and cut to this subtask: keyed snapshots whose key-group ranges
 * overlap this subtask's, operator state redistributed to this subtask, and the source
 * position of the same subtask index.
 */
import type { KeyedStateSnapshot } from '../../state/keyed-state-backend.js';
import type { OperatorStateSnapshot } from '../../state/operator/operator-state-snapshot.js';

/** What one operator of the chain restores. */
export interface OperatorRestore {
  /** Keyed snapshots overlapping this subtask's key groups (any number of old subtasks). */
  readonly keyed: readonly KeyedStateSnapshot[];
  /** This subtask's share of the operator state, when there is any. */
  readonly operatorState: OperatorStateSnapshot | undefined;
  /** The source position of the same subtask index, when the operator is a source. */
  readonly sourcePosition?: { readonly value: unknown };
}

/** What a task restores, per operator uid. */
export interface TaskRestoreState {
  readonly checkpointId: number;
  readonly operators: ReadonlyMap<string, OperatorRestore>;
}
