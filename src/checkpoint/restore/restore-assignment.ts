/**
 * Decides which state files every task of a job restores from (DESIGN §3, §4.2, §6):
 * state is matched to operators by uid; a keyed subtask takes every old subtask whose
 * key-group range overlaps its own; operator state is handed over whole and redistributed
 * by the task; a source takes the position of the same subtask index, or, when a
 * splittable source changes its parallelism, its share of all old splits.
 */
import { RestoreError } from '../../core/errors.js';
import { keyGroupRangeForOperator } from '../../core/key-groups.js';
import { redistributeEvenSplit } from '../../state/operator/redistribution.js';
import type { CheckpointMetadata, OperatorState } from '../checkpoint-metadata.js';
import type { OperatorRestoreDescriptor, TaskRestoreDescriptor } from './task-restore-descriptor.js';

/** One operator of the job that is about to start. */
export interface RestoreTargetOperator {
  readonly uid: string;
  readonly name: string;
  readonly isSource: boolean;
  readonly keyed: boolean;
  /**
   * Whether the source's positions are lists of splits (`Source.splittable`), so it may
   * restore at another parallelism. @default false
   */
  readonly splittable?: boolean;
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
    // uid → the position of each new subtask, for splittable sources whose parallelism changed
    const dealt = new Map<string, unknown[][]>();
    for (const op of vertex.operators) {
      const old = byUid.get(op.uid);
      if (!old) continue;
      checkCompatible(old, op, vertex, directory);
      if (old.parallelism !== vertex.parallelism && hasPositions(old)) {
        dealt.set(op.uid, dealSplits(old, vertex.parallelism, directory));
      }
    }
    for (let subtask = 0; subtask < vertex.parallelism; subtask++) {
      const range = keyGroupRangeForOperator(vertex.maxParallelism, vertex.parallelism, subtask);
      const operators: OperatorRestoreDescriptor[] = [];
      for (const op of vertex.operators) {
        const old = byUid.get(op.uid);
        if (!old) continue;
        const states = new Map(old.subtasks.map((s) => [s.subtaskIndex, s]));
        // full and incremental handles alike: the backend keeps only its own key groups
        const keyed = old.subtasks.flatMap((s) =>
          s.keyed && s.keyed.keyGroupRange[0] <= range.endKeyGroup && s.keyed.keyGroupRange[1] >= range.startKeyGroup ? [s.keyed] : [],
        );
        const operatorState = Array.from({ length: old.parallelism }, (_, i) => states.get(i)?.operatorState ?? null);
        const splits = dealt.get(op.uid);
        const position = splits ? splits[subtask]! : states.get(subtask)?.sourcePosition;
        operators.push({
          uid: op.uid,
          oldParallelism: old.parallelism,
          maxParallelism: old.maxParallelism,
          keyed,
          operatorState,
          ...(position !== undefined ? { sourcePosition: { value: position } } : {}),
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
      `operator '${op.uid}': the checkpoint at ${directory} has keyed state with maxParallelism ${old.maxParallelism}, but the job runs with maxParallelism ${vertex.maxParallelism}; maxParallelism is fixed for the life of keyed state, so run with --max-parallelism ${old.maxParallelism} (or leave maxParallelism unset, in the job and on the command line, to take it from the checkpoint)`,
    );
  }
  if (hasKeyed && !op.keyed) {
    throw new RestoreError(`operator '${op.uid}': the checkpoint at ${directory} has keyed state for it, but it no longer runs on a keyed stream`);
  }
  if (hasPositions(old) && old.parallelism !== vertex.parallelism && !op.splittable) {
    throw new RestoreError(
      `source '${op.uid}': the checkpoint at ${directory} was taken at parallelism ${old.parallelism}, and this source cannot change its parallelism on restore because its positions are not splittable (it does not declare \`splittable\`); run it with parallelism ${old.parallelism}`,
    );
  }
}

function hasPositions(old: OperatorState): boolean {
  return old.subtasks.some((s) => s.sourcePosition !== undefined);
}

/**
 * The positions of a splittable source's new subtasks: the splits of every old subtask,
 * concatenated in old-subtask order, cut into contiguous runs with the even split of
 * DESIGN §4.2 (the first `total % newParallelism` subtasks get one split more). A
 * position that is not an array is taken as one split.
 *
 * @param positions - the position of each old subtask, by old subtask index
 * @returns one array of splits per new subtask (possibly empty)
 */
export function redistributeSplits(positions: readonly unknown[], newParallelism: number): unknown[][] {
  return redistributeEvenSplit(
    positions.map((p) => (Array.isArray(p) ? (p as unknown[]) : [p])),
    newParallelism,
  );
}

function dealSplits(old: OperatorState, newParallelism: number, directory: string): unknown[][] {
  const positions = Array.from({ length: old.parallelism }, (_, i) => old.subtasks.find((s) => s.subtaskIndex === i)?.sourcePosition);
  const missing = positions.flatMap((p, i) => (p === undefined ? [i] : []));
  if (missing.length > 0) {
    // the splits of those subtasks are unknown: dealing out the others would drop their records
    throw new RestoreError(
      `source '${old.uid}': the checkpoint at ${directory} has no position for subtask(s) ${missing.join(', ')} of ${old.parallelism}, so its splits cannot be redistributed to parallelism ${newParallelism} without losing their records; run it with parallelism ${old.parallelism}`,
    );
  }
  return redistributeSplits(positions, newParallelism);
}

/**
 * The maxParallelism the checkpoint recorded for each operator, by uid: what a restored
 * job uses for an operator when neither the job nor the run options set maxParallelism
 * (as Flink; `PlanOptions.restoredMaxParallelism`). Plain data, so it can be sent to
 * worker threads.
 */
export function restoredMaxParallelism(metadata: CheckpointMetadata): Readonly<Record<string, number>> {
  return Object.fromEntries(metadata.operators.map((op) => [op.uid, op.maxParallelism]));
}
