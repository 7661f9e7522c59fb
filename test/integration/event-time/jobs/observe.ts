/**
 * Test helpers for event time: an operator that reports what reaches it (records with
 * their timestamps, watermarks, statuses, its finish) as records of its own and, when
 * asked, to a callback or a JSON-lines file (so a test can watch a job that runs on worker
 * threads), and sources that emit timestamped records.
 */
import { appendFileSync } from 'node:fs';
import type { DataStream } from 'eddy';
import type { DataStream as EngineDataStream } from '../../../../src/api/data-stream.js';
import type { OperatorSetup, Output, StreamOperator } from '../../../../src/runtime/operators/stream-operator.js';
import type { PollStatus, Source, SourceOutput, SourceReader } from '../../../../src/runtime/source.js';
import type { WatermarkStatus } from '../../../../src/runtime/time/watermark.js';

/** What the observing operator saw, in order. Watermarks are strings so ±Infinity survives JSON. */
export type Observation =
  | { readonly kind: 'record'; readonly subtask: number; readonly value: unknown; readonly timestamp: number | null }
  | { readonly kind: 'watermark'; readonly subtask: number; readonly watermark: string }
  | { readonly kind: 'status'; readonly subtask: number; readonly status: WatermarkStatus }
  | { readonly kind: 'finish'; readonly subtask: number };

/** Where observations go besides the operator's output. */
export interface ObserveOptions {
  /** Called with each observation (single-thread tests: the test's own array). */
  readonly onObservation?: (o: Observation) => void;
  /** Appends each observation as a JSON line (tests of jobs on worker threads). */
  readonly file?: string;
  /** Leave records out of the callback and the file (they still go to the output). */
  readonly recordsToOutputOnly?: boolean;
}

/** Reports everything it receives, and forwards watermarks and statuses. */
export class ObserveOperator implements StreamOperator<unknown, Observation> {
  private output!: Output<Observation>;
  private subtask = 0;
  private currentTimestamp!: () => number | undefined;

  constructor(private readonly options: ObserveOptions = {}) {}

  setup(setup: OperatorSetup<Observation>): void {
    this.output = setup.output;
    this.subtask = setup.info.subtaskIndex;
    this.currentTimestamp = setup.currentTimestamp;
  }

  processElement(value: unknown): void {
    const timestamp = this.currentTimestamp() ?? null;
    const o: Observation = { kind: 'record', subtask: this.subtask, value, timestamp };
    if (!this.options.recordsToOutputOnly) this.report(o);
    this.output.collect(o);
  }

  processWatermark(watermark: number): void {
    this.observe({ kind: 'watermark', subtask: this.subtask, watermark: String(watermark) });
    this.output.emitWatermark(watermark);
  }

  processWatermarkStatus(status: WatermarkStatus): void {
    this.observe({ kind: 'status', subtask: this.subtask, status });
    this.output.emitWatermarkStatus?.(status);
  }

  finish(): void {
    this.observe({ kind: 'finish', subtask: this.subtask });
  }

  private observe(o: Observation): void {
    this.report(o);
    this.output.collect(o);
  }

  private report(o: Observation): void {
    this.options.onObservation?.(o);
    if (this.options.file) appendFileSync(this.options.file, JSON.stringify(o) + '\n');
  }
}

/** An operator factory as `DataStream.transform` takes it. */
export type TransformFactory = Parameters<EngineDataStream<unknown>['transform']>[1];

/**
 * `stream.transform(name, factory)`: the method is internal, so the published types of
 * `eddy` leave it out; it is reached through the source's types (the object is the same).
 */
export function transform<R>(stream: DataStream<any>, name: string, factory: TransformFactory): DataStream<R> {
  return (stream as unknown as EngineDataStream<unknown>).transform<R>(name, factory) as unknown as DataStream<R>;
}

/** Adds an {@link ObserveOperator} after `stream`. */
export function observe<T>(stream: DataStream<T>, options: ObserveOptions = {}): DataStream<Observation> {
  return transform<Observation>(stream, 'Observe', (() => new ObserveOperator(options)) as unknown as TransformFactory);
}

/**
 * Re-stamps every record with its current timestamp + `shift`, explicitly, so the
 * operators after it see the new timestamp while the one before keeps its own.
 */
export class RestampOperator implements StreamOperator<unknown, unknown> {
  private output!: Output<unknown>;
  private currentTimestamp!: () => number | undefined;
  constructor(private readonly shift: number) {}
  setup(setup: OperatorSetup<unknown>): void {
    this.output = setup.output;
    this.currentTimestamp = setup.currentTimestamp;
  }
  processElement(record: unknown): void {
    this.output.collect(record, (this.currentTimestamp() ?? 0) + this.shift);
  }
}

/** One record a {@link ScriptedSource} emits: a value and, optionally, the timestamp the source gives it. */
export interface Scripted<T> {
  readonly value: T;
  readonly timestamp?: number;
}

/**
 * A non-parallel source whose records a single-thread test hands it while the job runs:
 * `push` queues records, `end` lets it end once they are out. Until then it polls idle.
 */
export class ScriptedSource<T> implements Source<T> {
  readonly boundedness = 'bounded' as const;
  readonly maxParallelism = 1;
  private readonly queue: Scripted<T>[] = [];
  private ended = false;

  push(...records: Scripted<T>[]): void {
    this.queue.push(...records);
  }

  end(): void {
    this.ended = true;
  }

  createReader(): SourceReader<T> {
    return {
      poll: (out: SourceOutput<T>, maxRecords: number): PollStatus => {
        let n = 0;
        while (n < maxRecords && this.queue.length > 0) {
          const r = this.queue.shift()!;
          out.collect(r.value, r.timestamp);
          n++;
        }
        if (this.queue.length === 0 && this.ended) return 'end';
        return n > 0 ? 'more' : 'idle';
      },
      snapshotPosition: () => 0,
      restorePosition: () => {},
    };
  }
}

/**
 * Emits `{ i }` for i = 0, 1, 2… with timestamp `i * step`, one record per poll every
 * `everyMs` of wall time (0: as fast as polled); ends after `count` records (unbounded
 * when `count` is undefined). Its position is the next i.
 */
export class TimestampedCounter implements Source<{ i: number }> {
  readonly maxParallelism = 1;
  readonly boundedness: 'bounded' | 'unbounded';
  constructor(
    private readonly count: number | undefined,
    private readonly step: number,
    private readonly everyMs = 0,
  ) {
    this.boundedness = count === undefined ? 'unbounded' : 'bounded';
  }

  createReader(): SourceReader<{ i: number }> {
    let next = 0;
    let last = 0;
    return {
      poll: (out, maxRecords) => {
        if (this.count !== undefined && next >= this.count) return 'end';
        if (this.everyMs > 0) {
          const now = Date.now();
          if (now - last < this.everyMs) return 'idle';
          last = now;
          maxRecords = 1;
        }
        for (let n = 0; n < maxRecords && (this.count === undefined || next < this.count); n++, next++) out.collect({ i: next }, next * this.step);
        return 'more';
      },
      snapshotPosition: () => next,
      restorePosition: (p) => {
        next = p as number;
      },
    };
  }
}

/** An unbounded source that never emits anything. */
export class SilentSource implements Source<{ i: number }> {
  readonly boundedness = 'unbounded' as const;
  readonly maxParallelism = 1;
  createReader(): SourceReader<{ i: number }> {
    return { poll: () => 'idle', snapshotPosition: () => 0, restorePosition: () => {} };
  }
}
