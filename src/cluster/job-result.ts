/**
 * What a finished (or canceled) run returns: how long it took, how many records every
 * vertex moved in the last attempt, its checkpoints, and what the collecting sinks
 * received.
 */
import type { CheckpointCounts, CheckpointStats } from '../checkpoint/checkpoint-stats.js';
import type { ExceptionHistoryEntry } from './exception-history.js';
import type { JobStatus } from './job-master.js';

/** Counters of one job vertex (a chain of operators), summed over its subtasks. */
export interface VertexMetrics {
  readonly name: string;
  readonly parallelism: number;
  /** True for a vertex whose head is a source (its `recordsIn` are records read). */
  readonly isSource: boolean;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

/** A progress report while a job runs. */
export interface JobProgress {
  readonly elapsedMs: number;
  /** Records read by sources so far (in the current attempt). */
  readonly sourceRecords: number;
  /** Records that reached sinks so far (in the current attempt). */
  readonly sinkRecords: number;
  /** The job's status now (`'restarting'` while it waits to restart after a failure). */
  readonly status: JobStatus;
  /** 0-based number of the latest attempt started (0 until the first restart). */
  readonly attempt: number;
}

/** The result of a job that ended without failing. */
export class JobResult {
  constructor(
    readonly jobId: string,
    /** `'canceled'` when the job was canceled (e.g. `JobClient.cancel()`). */
    readonly status: 'finished' | 'canceled',
    readonly durationMs: number,
    /** Counters of the last attempt. */
    readonly vertices: readonly VertexMetrics[],
    private readonly collected: ReadonlyMap<string, unknown[]>,
    /** Recent checkpoints, oldest first. */
    readonly checkpoints: readonly CheckpointStats[] = [],
    readonly checkpointCounts: CheckpointCounts = { triggered: 0, completed: 0, aborted: 0 },
    /** How many times the job restarted after a failure. */
    readonly restarts = 0,
    /** The failures the job recovered from, newest first (as `GET /jobs/:id/exceptions`, at most 16). */
    readonly exceptions: readonly ExceptionHistoryEntry[] = [],
  ) {}

  /** What `Sinks.collect(name)` received (order across subtasks is not defined). */
  output<T>(name = 'collect'): T[] {
    return (this.collected.get(`collect:${name}`) ?? []) as T[];
  }
}
