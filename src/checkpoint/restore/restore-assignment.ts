/**
 * Decides which state files every task of a job restores from (DESIGN §3, §4.2, §6):
 * state is matched to operators by uid; a keyed subtask takes every old subtask whose
 * key-group range overlaps its own; operator state is handed over whole and redistributed
 * by the task; a source takes the position of the same subtask index.
 */
import { RestoreError } from '../../core/errors.js';
import { keyGroupRangeForOperator } from '../../core/key-groups.js';
import type { CheckpointMetadata, OperatorState } from '../checkpoint-metadata.js';
import type { OperatorRestoreDescriptor, TaskRestoreDescriptor } from './task-restore-descriptor.js';

/** One operator of the job that is about to start. */
export interface RestoreTargetOperator {
  readonly uid: string;
  readonly name: string;
  readonly isSource: boolean;
  readonly keyed: boolean;
}

/** One vertex (chain) of the job that is about to start. */
export interface RestoreTargetVertex {
  readonly id: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly operators: readonly RestoreTargetOperator[];
}

/** Options of a restore. */
export interface RestoreOptions {
  /** Skip state of operators that are no longer in the job instead of failing. @default false */
  readonly allowNonRestoredState?: boolean;
}

/**
 * The restore descriptor of every task, by `${vertexId}:${subtaskIndex}`.
 * @throws {@link RestoreError} naming the operator when state cannot be mapped onto the job
 */
export function assignRestore(
  metadata: CheckpointMetadata,
  directory: string,
  vertices: readonly RestoreTargetVertex[],
  options: RestoreOptions = {},
): Map<string, TaskRestoreDescriptor> {
  const byUid = new Map(metadata.operators.map((op) => [op.uid, op]));
  const present = new Set(vertices.flatMap((v) => v.operators.map((o) => o.uid)));
  const missing = metadata.operators.filter((op) => !present.has(op.uid));
  if (missing.length > 0 && !options.allowNonRestoredState) {
    const names = missing.map((op) => `'${op.uid}'${op.name !== op.uid ? ` (${op.name})` : ''}`).join(', ');
    throw new RestoreError(
      `the checkpoint at ${directory} holds state of operator(s) ${names} that the job no longer has; give them back their uid, or pass --allow-non-restored-state to drop that state`,
    );
  }

  const result = new Map<string, TaskRestoreDescriptor>();
  for (const vertex of vertices) {
    for (const op of vertex.operators) {
      const old = byUid.get(op.uid);
      if (old) checkCompatible(old, op, vertex, directory);
    }
    for (let subtask = 0; subtask < vertex.parallelism; subtask++) {
      const range = keyGroupRangeForOperator(vertex.maxParallelism, vertex.parallelism, subtask);
      const operators: OperatorRestoreDescriptor[] = [];
      for (const op of vertex.operators) {
        const old = byUid.get(op.uid);
        if (!old) continue;
        const states = new Map(old.subtasks.map((s) => [s.subtaskIndex, s]));
        const keyed = old.subtasks.flatMap((s) =>
          s.keyed && s.keyed.keyGroupRange[0] <= range.endKeyGroup && s.keyed.keyGroupRange[1] >= range.startKeyGroup ? [s.keyed] : [],
        );
        const operatorState = Array.from({ length: old.parallelism }, (_, i) => states.get(i)?.operatorState ?? null);
        const position = states.get(subtask);
        operators.push({
          uid: op.uid,
          oldParallelism: old.parallelism,
          keyed,
          operatorState,
          ...(position && position.sourcePosition !== undefined ? { sourcePosition: { value: position.sourcePosition } } : {}),
        });
      }
      result.set(`${vertex.id}:${subtask}`, {
        checkpointId: metadata.checkpointId,
        directory,
        subtaskIndex: subtask,
        parallelism: vertex.parallelism,
        operators,
      });
    }
  }
  return result;
}

function checkCompatible(old: OperatorState, op: RestoreTargetOperator, vertex: RestoreTargetVertex, directory: string): void {
  const hasKeyed = old.subtasks.some((s) => s.keyed);
  if (hasKeyed && old.maxParallelism !== vertex.maxParallelism) {
    throw new RestoreError(
      `operator '${op.uid}': the checkpoint at ${directory} has keyed state with maxParallelism ${old.maxParallelism}, but the job runs with maxParallelism ${vertex.maxParallelism}; maxParallelism is fixed for the life of keyed state, so run with --max-parallelism ${old.maxParallelism}`,
    );
  }
  if (hasKeyed && !op.keyed) {
    throw new RestoreError(`operator '${op.uid}': the checkpoint at ${directory} has keyed state for it, but it no longer runs on a keyed stream`);
  }
  const hasPositions = old.subtasks.some((s) => s.sourcePosition !== undefined);
  if (hasPositions && old.parallelism !== vertex.parallelism) {
    throw new RestoreError(
      `source '${op.uid}': the checkpoint at ${directory} was taken at parallelism ${old.parallelism}; sources cannot change their parallelism yet, so run it with parallelism ${old.parallelism}`,
    );
  }
}
