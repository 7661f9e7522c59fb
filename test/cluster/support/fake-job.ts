/**
 * Test doubles for the REST API: a job whose status, checkpoints and savepoints the test
 * controls, and a deferred promise.
 */
import type { CheckpointCounts, CheckpointStats } from '../../../src/checkpoint/checkpoint-stats.js';
import { checkSavepointTarget } from '../../../src/checkpoint/storage/savepoint-target.js';
import { ConfigError } from '../../../src/core/errors.js';
import { ExceptionHistory } from '../../../src/cluster/exception-history.js';
import type { ExceptionHistorySnapshot } from '../../../src/cluster/exception-history.js';
import type { JobStatus } from '../../../src/cluster/job-master.js';
import { JobResult } from '../../../src/cluster/job-result.js';
import type { JobClient, JobDetails, StopOptions } from '../../../src/cluster/run-job.js';

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A job whose answers the test sets; records the savepoints, stops and cancels asked of it. */
export class FakeJob implements JobClient {
  state: JobStatus = 'running';
  history: CheckpointStats[] = [];
  counts: CheckpointCounts = { triggered: 0, completed: 0, aborted: 0 };
  readonly savepoints: { directory: string | undefined; done: Deferred<string> }[] = [];
  readonly stops: { directory: string | undefined; options: StopOptions | undefined; done: Deferred<string> }[] = [];
  cancels = 0;
  failDetails = false;
  /** The job's default savepoint directory (`--savepoint-dir`). */
  savepointDirectory: string | undefined;
  /** Directories savepoints must lie in; empty: anywhere allowed. */
  savepointRoots: string[] = [];
  readonly checkpointDirectory = undefined;
  readonly resumed = undefined;
  readonly result: Promise<JobResult>;
  private readonly ended = deferred<JobResult>();

  constructor(
    readonly jobId: string,
    readonly name = 'fake-job',
    readonly startTime = 1_700_000_000_000,
  ) {
    this.result = this.ended.promise;
  }

  status(): JobStatus {
    return this.state;
  }

  details(): JobDetails {
    if (this.failDetails) throw new TypeError('details exploded\nsecond line');
    const ended = this.state === 'finished' || this.state === 'failed' || this.state === 'canceled';
    return {
      jobId: this.jobId,
      name: this.name,
      status: this.state,
      startTime: this.startTime,
      endTime: ended ? this.startTime + 5000 : undefined,
      restarts: 2,
      stateBackend: 'rocksdb',
      vertices: [
        { id: 0, name: 'Source: numbers -> map', parallelism: 2, maxParallelism: 128, isSource: true, recordsIn: 1000, recordsOut: 990, operatorUids: ['numbers', 'double'] },
        { id: 1, name: 'count -> Sink: out', parallelism: 4, maxParallelism: 128, isSource: false, recordsIn: 990, recordsOut: 990, operatorUids: ['count', 'out'] },
      ],
    };
  }

  checkpoints(): readonly CheckpointStats[] {
    return this.history;
  }

  checkpointCounts(): CheckpointCounts {
    return this.counts;
  }

  failures = new ExceptionHistory(2);

  exceptions(): ExceptionHistorySnapshot {
    return this.failures.snapshot();
  }

  triggerCheckpoint(): number | undefined {
    return undefined;
  }

  /** As the real job: the default directory, checked with the engine's own rules. */
  async savepointTarget(directory?: string, action = 'take a savepoint'): Promise<string> {
    const chosen = directory ?? this.savepointDirectory;
    if (chosen === undefined) throw new ConfigError(`cannot ${action}: no savepoint directory; give one, or start the job with --savepoint-dir`);
    return checkSavepointTarget(chosen, this.savepointRoots);
  }

  triggerSavepoint(directory?: string): Promise<string> {
    const done = deferred<string>();
    this.savepoints.push({ directory, done });
    return done.promise;
  }

  stopWithSavepoint(directory?: string, options?: StopOptions): Promise<string> {
    const done = deferred<string>();
    this.stops.push({ directory, options, done });
    return done.promise;
  }

  cancel(): Promise<JobResult> {
    this.cancels++;
    this.state = 'canceled';
    this.ended.resolve(new JobResult(this.jobId, 'canceled', 5000, [], new Map()));
    return this.result;
  }
}

export function checkpoint(id: number, over: Partial<CheckpointStats> = {}): CheckpointStats {
  return {
    checkpointId: id,
    kind: 'checkpoint',
    isFinal: false,
    status: 'completed',
    triggerTimestamp: 1_700_000_001_000 + id * 1000,
    durationMs: 40 + id,
    stateBytes: 1000 * id,
    persistedInFlightBytes: 0,
    directory: `/tmp/chk/job/chk-${id}`,
    tasks: [
      { vertexId: 0, subtaskIndex: 0, syncMs: 1, asyncMs: 5, alignmentMs: 0, stateBytes: 300 * id },
      { vertexId: 1, subtaskIndex: 1, syncMs: 2, asyncMs: 7, alignmentMs: 3, stateBytes: 700 * id },
    ],
    ...over,
  };
}

/** Until `predicate` holds; polls, with a generous overall deadline. */
export async function eventually(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
