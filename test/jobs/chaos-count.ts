/**
 * Test job of the fault-tolerance suite: the keyed count over prefixes of prefix-count.ts
 * (same records, same output), with a source that can be throttled and any number of
 * injected failures, each a FailingMap in its own chained map, armed in one attempt.
 * Every failure that fires is first appended to a log file, so a test can tell which
 * ones fired (a failure armed in an attempt that never runs, or that ends first, does not).
 *
 * Parameters:
 * - `records` (100000), `prefixes` (40): the sequence 0..records-1, counted per `n % prefixes`
 * - `rate`: records per millisecond per source subtask (0 = as fast as possible)
 * - `failures`: `;`-separated `<attempt>:throw:<record>`, `<attempt>:exit-thread:<record>`
 *   or `<attempt>:restore` (fail while restoring state); records count on subtask 0
 * - `armAfterCheckpoint` (`false`): count records towards a failure only after the first
 *   checkpoint of the attempt completed, so that the next attempt surely restores
 * - `failureLog`: file to which each failure that fires appends one JSON line ({@link FiredFailure})
 * - `sink`: `collect` (default, as `counts`) or `jsonl` (into the directory `out`)
 */
import { appendFileSync } from 'node:fs';
import { defineJob, RichMapFunction, Sinks } from 'eddy';
import type {
  CheckpointedFunction,
  CheckpointListener,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  PollStatus,
  RuntimeContext,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
} from 'eddy';
import { FailingMap } from 'eddy/testing';
import { CountPerPrefix } from './lib/count-per-prefix.js';
import type { PrefixCount } from './lib/count-per-prefix.js';
export type { PrefixCount } from './lib/count-per-prefix.js';

/** One injected failure, as the `failures` parameter gives it. */
export type FailureSpec =
  | { readonly attempt: number; readonly how: 'throw' | 'exit-thread'; readonly record: number }
  | { readonly attempt: number; readonly how: 'restore' };

/** A line of the failure log: a failure that fired. */
export interface FiredFailure {
  readonly attempt: number;
  readonly how: FailureSpec['how'];
  readonly subtask: number;
  /** The record (of this map instance, counted as the spec counts) at which it fired. */
  readonly record?: number;
}

/** Reads the `failures` parameter. */
export function parseFailures(text: string): FailureSpec[] {
  return text
    .split(';')
    .filter((s) => s.trim() !== '')
    .map((s) => {
      const [attempt, how, record] = s.trim().split(':');
      if (how === 'restore') return { attempt: Number(attempt), how };
      if (how !== 'throw' && how !== 'exit-thread') throw new TypeError(`chaos-count: bad failure '${s}'`);
      return { attempt: Number(attempt), how, record: Number(record) };
    });
}

/** Writes `failures` for {@link parseFailures}. */
export function formatFailures(specs: readonly FailureSpec[]): string {
  return specs.map((f) => (f.how === 'restore' ? `${f.attempt}:restore` : `${f.attempt}:${f.how}:${f.record}`)).join(';');
}

/** The integers 0..records-1 split as `fromSequence` splits them, at most `rate` per ms per subtask. */
class ThrottledSequence implements Source<number> {
  readonly boundedness = 'bounded' as const;

  constructor(
    private readonly records: number,
    private readonly rate: number,
  ) {}

  createReader(ctx: SourceReaderContext): SourceReader<number> {
    const base = Math.floor(this.records / ctx.parallelism);
    const extra = this.records % ctx.parallelism;
    const i = ctx.subtaskIndex;
    const start = i * base + Math.min(i, extra);
    const end = start + base + (i < extra ? 1 : 0); // exclusive
    const rate = this.rate;
    let next = start;
    let started: number | undefined;
    let emitted = 0;
    return {
      poll(out: SourceOutput<number>, maxRecords: number): PollStatus {
        if (next >= end) return 'end';
        let allowed = maxRecords;
        if (rate > 0) {
          started ??= Date.now();
          allowed = Math.min(maxRecords, Math.floor((Date.now() - started + 1) * rate) - emitted);
          if (allowed <= 0) return 'idle';
        }
        const from = next;
        const stop = Math.min(end, next + allowed);
        for (; next < stop; next++) out.collect(next);
        emitted += next - from;
        return next >= end ? 'end' : 'more';
      },
      snapshotPosition: () => next,
      restorePosition(position: unknown) {
        next = position as number;
      },
    };
  }
}

/**
 * A {@link FailingMap} that logs before it fires, and (with `armAfterCheckpoint`) passes
 * records to it only once a checkpoint of this attempt has completed.
 */
class LoggedFailingMap extends RichMapFunction<number, number> implements CheckpointedFunction, CheckpointListener {
  private readonly inner: FailingMap<number>;
  private attempt = 0;
  private subtask = 0;
  private counting: boolean;
  private seen = 0;

  constructor(
    private readonly spec: FailureSpec,
    private readonly log: string | undefined,
    armAfterCheckpoint: boolean,
  ) {
    super();
    this.counting = !armAfterCheckpoint;
    this.inner = new FailingMap<number>(
      spec.how === 'restore' ? { failOnRestore: true, attempts: [spec.attempt] } : { failAtRecord: spec.record, attempts: [spec.attempt], how: spec.how },
    );
  }

  initializeState(ctx: FunctionInitializationContext): void {
    this.attempt = ctx.getRuntimeContext().getAttemptNumber();
    this.subtask = ctx.getRuntimeContext().getIndexOfThisSubtask();
    if (this.spec.how === 'restore' && this.armed() && ctx.isRestored()) this.record({ attempt: this.attempt, how: 'restore', subtask: this.subtask });
    this.inner.initializeState(ctx);
  }

  snapshotState(ctx: FunctionSnapshotContext): void {
    this.inner.snapshotState(ctx);
  }

  notifyCheckpointComplete(): void {
    this.counting = true;
  }

  override open(ctx: RuntimeContext): void {
    this.inner.open(ctx);
  }

  map(n: number): number {
    if (!this.counting) return n;
    const spec = this.spec;
    if (spec.how !== 'restore' && this.armed() && ++this.seen === spec.record) {
      this.record({ attempt: this.attempt, how: spec.how, subtask: this.subtask, record: this.seen });
    }
    return this.inner.map(n);
  }

  private armed(): boolean {
    return this.subtask === 0 && this.attempt === this.spec.attempt;
  }

  private record(fired: FiredFailure): void {
    if (this.log) appendFileSync(this.log, JSON.stringify(fired) + '\n');
  }
}


export default defineJob((env) => {
  const records = Number(env.getParameter('records', '100000'));
  const prefixes = Number(env.getParameter('prefixes', '40'));
  const rate = Number(env.getParameter('rate', '0'));
  const failures = parseFailures(env.getParameter('failures', ''));
  const armAfterCheckpoint = env.getParameter('armAfterCheckpoint', 'false') === 'true';
  const log = env.getParameter('failureLog');
  const sink = env.getParameter('sink', 'collect');

  let stream = env.fromSource(new ThrottledSequence(records, rate), 'numbers').uid('numbers');
  failures.forEach((spec, i) => {
    stream = stream.map(new LoggedFailingMap(spec, log, armAfterCheckpoint)).uid(`chaos-${i}`);
  });
  const counts = stream
    .keyBy((n) => `prefix-${n % prefixes}`)
    .process(new CountPerPrefix())
    .uid('count');
  if (sink === 'jsonl') counts.sinkTo(Sinks.jsonl<PrefixCount>(env.getParameter('out', 'out/chaos-count'))).uid('sink');
  else counts.sinkTo(Sinks.collect<PrefixCount>('counts')).uid('sink');
});
