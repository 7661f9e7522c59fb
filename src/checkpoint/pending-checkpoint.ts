/**
 * A checkpoint that has been triggered and waits for the acknowledgements of every task
 * (pending → completed | aborted, owned by the coordinator), and what it becomes: the
 * `_metadata` assembled from the acknowledgements, and its statistics.
 */
import type { CheckpointError } from '../core/errors.js';
import type { CheckpointBarrier } from '../runtime/io/channel-event.js';
import type { CheckpointMetadata, OperatorState, OperatorSubtaskState, TaskCheckpointAck } from './checkpoint-metadata.js';
import type { CheckpointStats } from './checkpoint-stats.js';

/** A checkpoint or savepoint in flight. */
export interface PendingCheckpoint {
  readonly id: number;
  readonly barrier: CheckpointBarrier;
  readonly isFinal: boolean;
  /** By `${vertexId}:${subtaskIndex}`. */
  readonly acks: Map<string, TaskCheckpointAck>;
  readonly timer: NodeJS.Timeout;
  /** For savepoints: who waits for it. */
  readonly savepoint?: SavepointRequest;
  /**
   * The last completed checkpoint the tasks had been told of (or had restored) when this
   * one was triggered, if any: the tasks' incremental snapshots may refer to the shared
   * files of that checkpoint or of any later completed one. Undefined for savepoints.
   */
  readonly referenceFloor: number | undefined;
}

/** Someone waiting for a savepoint. */
export interface SavepointRequest {
  readonly directory: string;
  resolve(directory: string): void;
  reject(error: CheckpointError): void;
}

/** An operator of the job as the metadata names it. */
export type MetadataOperator = Pick<OperatorState, 'uid' | 'name' | 'parallelism' | 'maxParallelism'>;

/**
 * The `_metadata` of `p` from its acknowledgements: the operators of the job that have
 * state, in job order, each with its subtasks by index.
 */
export function pendingCheckpointMetadata(
  p: PendingCheckpoint,
  jobId: string,
  jobOperators: readonly MetadataOperator[],
  completionTimestamp: number,
): CheckpointMetadata {
  const byUid = new Map<string, OperatorSubtaskState[]>();
  for (const ack of p.acks.values()) {
    for (const { uid, state } of ack.operators) {
      const list = byUid.get(uid) ?? [];
      list.push(state);
      byUid.set(uid, list);
    }
  }
  const operators: OperatorState[] = jobOperators
    .filter((op) => byUid.has(op.uid))
    .map((op) => ({
      uid: op.uid,
      name: op.name,
      parallelism: op.parallelism,
      maxParallelism: op.maxParallelism,
      subtasks: byUid.get(op.uid)!.sort((a, b) => a.subtaskIndex - b.subtaskIndex),
    }));
  return {
    format: 'eddy-checkpoint',
    version: 1,
    jobId,
    checkpointId: p.id,
    kind: p.barrier.options.kind,
    triggerTimestamp: p.barrier.timestamp,
    completionTimestamp,
    operators,
  };
}

/** The statistics of `p` as it ends (`now`), from the acknowledgements it received. */
export function pendingCheckpointStats(
  p: PendingCheckpoint,
  status: 'completed' | 'aborted',
  reason: string | undefined,
  directory: string | undefined,
  now: number,
): CheckpointStats {
  const tasks = [...p.acks.values()].map((a) => a.stats);
  return {
    checkpointId: p.id,
    kind: p.barrier.options.kind,
    isFinal: p.isFinal,
    status,
    triggerTimestamp: p.barrier.timestamp,
    durationMs: now - p.barrier.timestamp,
    stateBytes: tasks.reduce((n, t) => n + t.stateBytes, 0),
    fullStateBytes: tasks.reduce((n, t) => n + (t.fullStateBytes ?? t.stateBytes), 0),
    persistedInFlightBytes: 0,
    ...(reason !== undefined ? { failureReason: reason } : {}),
    ...(directory !== undefined ? { directory } : {}),
    tasks,
  };
}
