/**
 * A checkpoint that has been triggered and waits for the acknowledgements of every task,
 * with its lifecycle `pending → completed | aborted` (the one place that changes it), and
 * what it becomes: the `_metadata` assembled from the acknowledgements, and its statistics.
 */
import { CheckpointError } from '../core/errors.js';
import type { CheckpointBarrier } from './barrier/checkpoint-barrier.js';
import type { CheckpointMetadata, OperatorState, OperatorSubtaskState, TaskCheckpointAck } from './checkpoint-metadata.js';
import type { ScheduledTask } from './checkpoint-scheduler.js';
import type { CheckpointStats, CheckpointStatus } from './checkpoint-stats.js';

/** The legal moves of the lifecycle: a checkpoint ends once, completed or aborted. */
const NEXT: Readonly<Record<CheckpointStatus, readonly CheckpointStatus[]>> = {
  pending: ['completed', 'aborted'],
  completed: [],
  aborted: [],
};

/**
 * A checkpoint or savepoint in flight. It stays `pending` while every task acknowledges
 * and while its `_metadata` is written (it is *fully acknowledged* then), and ends
 * `completed` or `aborted`; its timeout runs until it ends.
 */
export class PendingCheckpoint {
  private current: CheckpointStatus = 'pending';
  /** By `${vertexId}:${subtaskIndex}`. */
  readonly acks = new Map<string, TaskCheckpointAck>();

  constructor(
    readonly id: number,
    readonly barrier: CheckpointBarrier,
    readonly isFinal: boolean,
    /**
     * The last completed checkpoint the tasks had been told of (or had restored) when this
     * one was triggered, if any: the tasks' incremental snapshots may refer to the shared
     * files of that checkpoint or of any later completed one. Undefined for savepoints.
     */
    readonly referenceFloor: number | undefined,
    /** For savepoints: who waits for it. */
    readonly savepoint: SavepointRequest | undefined,
    private readonly expectedAcks: number,
    /** Aborts it when it takes too long; canceled when it ends. */
    private readonly timeout: ScheduledTask,
  ) {}

  get status(): CheckpointStatus {
    return this.current;
  }

  /** Every task acknowledged: what is left is writing its `_metadata`. */
  get fullyAcknowledged(): boolean {
    return this.acks.size === this.expectedAcks;
  }

  /**
   * Whether it counts against `maxConcurrent`. A savepoint stops counting once every task
   * acknowledged it: its barriers are through, and a `_metadata` write that is slow (or
   * never ends) must not hold periodic checkpoints back. A checkpoint counts until it ends.
   */
  get holdsSlot(): boolean {
    return this.current === 'pending' && !(this.savepoint && this.fullyAcknowledged);
  }

  /**
   * Records `ack` (a repeated one replaces the first).
   *
   * @returns true when this acknowledgement was the last one missing
   */
  acknowledge(ack: TaskCheckpointAck): boolean {
    this.requirePending('be acknowledged');
    const wasFull = this.fullyAcknowledged;
    this.acks.set(`${ack.vertexId}:${ack.subtaskIndex}`, ack);
    return !wasFull && this.fullyAcknowledged;
  }

  /** Its `_metadata` is durable. */
  markCompleted(): void {
    this.moveTo('completed');
  }

  /** It failed, expired or was subsumed or canceled. */
  markAborted(): void {
    this.moveTo('aborted');
  }

  private moveTo(next: CheckpointStatus): void {
    if (!NEXT[this.current].includes(next)) {
      throw new CheckpointError(`checkpoint ${this.id} cannot become ${next}: it is ${this.current} already (a bug in the checkpoint coordinator)`);
    }
    this.current = next;
    this.timeout.cancel();
  }

  private requirePending(what: string): void {
    if (this.current !== 'pending') {
      throw new CheckpointError(`checkpoint ${this.id} cannot ${what}: it is ${this.current} already (a bug in the checkpoint coordinator)`);
    }
  }
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

/** The statistics of `p` once it ended (`now`), from the acknowledgements it received. */
export function pendingCheckpointStats(
  p: PendingCheckpoint,
  reason: string | undefined,
  directory: string | undefined,
  now: number,
): CheckpointStats {
  const tasks = [...p.acks.values()].map((a) => a.stats);
  return {
    checkpointId: p.id,
    kind: p.barrier.options.kind,
    isFinal: p.isFinal,
    status: p.status,
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
