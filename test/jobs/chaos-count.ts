/**
 * Test job of the fault-tolerance suite: the keyed count over prefixes of prefix-count.ts
 * (same records, same output), with a source that can be throttled and any number of
 * injected failures, each a FailingMap in its own chained map, armed in one attempt.
 * Every failure that fires is first appended to a log file, so a test can tell which
 * ones fired (a failure armed in an attempt that never runs, or that ends first, does not).
 * Failures are placed by record counts and the `holdAt` gate, never by time.
 *
 * Parameters:
 * - `records` (100000), `prefixes` (40): the sequence 0..records-1, counted per `n % prefixes`
 * - `rate`: records per millisecond per source subtask (0 = as fast as possible)
 * - `failures`: `;`-separated `<attempt>:throw:<record>`, `<attempt>:exit-thread:<record>`
 *   or `<attempt>:restore` (fail while restoring state); records count on subtask 0
 * - `holdAt`: each source subtask emits the first `holdAt` records of its range, then
 *   waits until a checkpoint taken after them has completed; a failure at a later record
 *   thus always comes after a completed checkpoint that holds at least `holdAt` records
 *   of every subtask, whatever the scheduling (a reader restored at that point or past it
 *   never waits)
 * - `holdDir` (required with `holdAt`): where each subtask notes that it has reached its
 *   hold point in this attempt (`reached-<attempt>-<subtask>`) and passed it
 *   (`passed-<attempt>-<subtask>`). A hold opens only after a checkpoint taken once every
 *   subtask has reached its hold point (so that checkpoint holds at least `holdAt` records
 *   of each), and a subtask at the end of its range waits until every subtask has passed:
 *   once it ended, no checkpoint would complete for one still holding (checkpoints stop
 *   when a task ends its input)
 * - `holdCheckpoints` (1): how many checkpoints taken during the hold must complete before
 *   the sources go on (a huge number holds them until the job is canceled)
 * - `failureLog`: file to which each failure that fires appends one JSON line ({@link FiredFailure})
 * - `sink`: `collect` (default, as `counts`) or `jsonl` (into the directory `out`)
 */
import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * Where a source subtask holds (see `holdAt`). Source readers hear of no checkpoint, so the
 * {@link CheckpointGate} chained right behind the source (same task, same thread) opens it.
 */
interface Gate {
  /** The reader has emitted every record before the hold point and waits. */
  reached: boolean;
  /** Whether every subtask of the attempt has reached its hold point (or restored past it). */
  readonly allReached: () => boolean;
  /** The first checkpoint taken while the reader waited and every subtask had reached its hold point. */
  coveringCheckpoint: number | undefined;
  /** Checkpoints from `coveringCheckpoint` on that completed. */
  completed: number;
}

/**
 * The gates of this thread's source subtasks, by subtask index. A reader makes a fresh one
 * when it is created, so an entry of an earlier attempt or run is never used.
 */
const gates = new Map<number, Gate>();

/**
 * The integers 0..records-1 split as `fromSequence` splits them, at most `rate` per ms per
 * subtask, holding after the first `holdAt` of each subtask until the gate opens.
 */
class ThrottledSequence implements Source<number> {
  readonly boundedness = 'bounded' as const;

  constructor(
    private readonly records: number,
    private readonly rate: number,
    private readonly holdAt: number | undefined,
    private readonly holdCheckpoints: number,
    private readonly holdDir: string,
  ) {}

  createReader(ctx: SourceReaderContext): SourceReader<number> {
    const base = Math.floor(this.records / ctx.parallelism);
    const extra = this.records % ctx.parallelism;
    const i = ctx.subtaskIndex;
    const start = i * base + Math.min(i, extra);
    const end = start + base + (i < extra ? 1 : 0); // exclusive
    const rate = this.rate;
    const hold = this.holdAt === undefined ? undefined : Math.min(end, start + this.holdAt);
    const { holdDir } = this;
    // marker files, for the subtasks in other threads: `reached-<attempt>-<i>`, `passed-<attempt>-<i>`
    const note = (what: 'reached' | 'passed') => {
      mkdirSync(holdDir, { recursive: true });
      writeFileSync(join(holdDir, `${what}-${ctx.attemptNumber}-${i}`), '');
    };
    const everyone = (what: 'reached' | 'passed') =>
      hold === undefined || readdirSync(holdDir).filter((n) => n.startsWith(`${what}-${ctx.attemptNumber}-`)).length >= ctx.parallelism;
    const gate: Gate = { reached: false, allReached: () => everyone('reached'), coveringCheckpoint: undefined, completed: 0 };
    const needed = this.holdCheckpoints;
    gates.set(i, gate);
    let passed = hold === undefined;
    let next = start;
    let started: number | undefined;
    let emitted = 0;
    return {
      poll(out: SourceOutput<number>, maxRecords: number): PollStatus {
        if (!passed && next >= hold!) {
          if (!gate.reached) {
            gate.reached = true;
            note('reached');
          }
          if (gate.completed < needed) return 'idle';
          note('passed');
          passed = true;
        }
        // ending while another subtask still holds would stop the checkpoint that subtask waits for
        if (next >= end) return everyone('passed') ? 'end' : 'idle';
        let allowed = hold !== undefined && next < hold ? Math.min(maxRecords, hold - next) : maxRecords;
        if (rate > 0) {
          started ??= Date.now();
          allowed = Math.min(allowed, Math.floor((Date.now() - started + 1) * rate) - emitted);
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
        // restored at the hold point or past it: the checkpoint it restores from covers the
        // hold, and it does not wait again
        if (hold !== undefined && next >= hold) gate.completed = needed;
      },
    };
  }
}

/**
 * Opens its subtask's source {@link Gate}: notes the first checkpoint taken while the
 * source waits (chained, so the source's position in that checkpoint is the hold point)
 * and counts the completions of that checkpoint and later ones, which open the gate.
 */
class CheckpointGate extends RichMapFunction<number, number> implements CheckpointedFunction, CheckpointListener {
  private subtask = 0;

  initializeState(ctx: FunctionInitializationContext): void {
    this.subtask = ctx.getRuntimeContext().getIndexOfThisSubtask();
  }

  snapshotState(ctx: FunctionSnapshotContext): void {
    const gate = gates.get(this.subtask);
    if (gate?.reached && gate.coveringCheckpoint === undefined && gate.allReached()) gate.coveringCheckpoint = ctx.getCheckpointId();
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const gate = gates.get(this.subtask);
    if (gate?.coveringCheckpoint !== undefined && checkpointId >= gate.coveringCheckpoint) gate.completed++;
  }

  map(n: number): number {
    return n;
  }
}

/** A {@link FailingMap} that logs before it fires. */
class LoggedFailingMap extends RichMapFunction<number, number> implements CheckpointedFunction {
  private readonly inner: FailingMap<number>;
  private attempt = 0;
  private subtask = 0;
  private seen = 0;

  constructor(
    private readonly spec: FailureSpec,
    private readonly log: string | undefined,
  ) {
    super();
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

  override open(ctx: RuntimeContext): void {
    this.inner.open(ctx);
  }

  map(n: number): number {
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
  const holdAtParameter = env.getParameter('holdAt');
  const holdAt = holdAtParameter === undefined ? undefined : Number(holdAtParameter);
  const holdCheckpoints = Number(env.getParameter('holdCheckpoints', '1'));
  const holdDir = env.getParameter('holdDir', '');
  if (holdAt !== undefined && holdDir === '') throw new TypeError('chaos-count: holdAt needs holdDir, a directory for its marker files');
  const log = env.getParameter('failureLog');
  const sink = env.getParameter('sink', 'collect');

  let stream = env.fromSource(new ThrottledSequence(records, rate, holdAt, holdCheckpoints, holdDir), 'numbers').uid('numbers');
  if (holdAt !== undefined) stream = stream.map(new CheckpointGate()).uid('checkpoint-gate');
  failures.forEach((spec, i) => {
    stream = stream.map(new LoggedFailingMap(spec, log)).uid(`chaos-${i}`);
  });
  const counts = stream
    .keyBy((n) => `prefix-${n % prefixes}`)
    .process(new CountPerPrefix())
    .uid('count');
  if (sink === 'jsonl') counts.sinkTo(Sinks.jsonl<PrefixCount>(env.getParameter('out', 'out/chaos-count'))).uid('sink');
  else counts.sinkTo(Sinks.collect<PrefixCount>('counts')).uid('sink');
});
