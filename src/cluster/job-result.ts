/**
 * What a finished run returns: how long it took, how many records every vertex moved,
 * and what the collecting sinks received.
 */

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
  /** Records read by sources so far. */
  readonly sourceRecords: number;
  /** Records that reached sinks so far. */
  readonly sinkRecords: number;
}

/** The result of a finished job. */
export class JobResult {
  constructor(
    readonly jobId: string,
    readonly durationMs: number,
    readonly vertices: readonly VertexMetrics[],
    private readonly collected: ReadonlyMap<string, unknown[]>,
  ) {}

  /** What `Sinks.collect(name)` received, in arrival order (order across subtasks is not defined). */
  output<T>(name = 'collect'): T[] {
    return (this.collected.get(`collect:${name}`) ?? []) as T[];
  }
}
