/**
 * The job of the chaos campaign (docs/RELIABILITY.md): one of the pipelines of
 * {@link PIPELINES} over a deterministic input, written through the exactly-once jsonl
 * sink, injecting into itself the faults of its `faults` parameter.
 *
 * - `keyed-state`: per key, a value state (running count, emitted per record), a list
 *   state, a map state, a reducing and an aggregating state, summarized by an event-time
 *   timer when the input ends
 * - `timers`: per key, buckets of event time in a map state, each closed by its timer
 * - `tumbling` / `sliding` / `session`: event-time windows summing the record indices,
 *   with a reduce, aggregate or process window function
 *
 * The source subtasks read contiguous index ranges at `rate` records per ms each, and hold
 * after `holdAt` records of their range until a checkpoint taken there completes, so the
 * first fault always comes after a restorable checkpoint.
 *
 * Parameters: the shape (see `shapeParameters`), `rate`, `holdAt`, `faults`
 * (`formatJobFaults`), `faultSubtask`, `life` (0; 1 in the run resumed after a kill),
 * `faultLog` (file; each fault appends a {@link FiredFault} line before it fires), `out`.
 */
import { appendFileSync } from 'node:fs';
import {
  AggregatingStateDescriptor,
  defineJob,
  EventTimeSessionWindows,
  KeyedProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  ProcessWindowFunction,
  ReducingStateDescriptor,
  RichMapFunction,
  Sinks,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
} from 'eddy';
import type {
  AggregateFunction,
  AggregatingState,
  CheckpointedFunction,
  CheckpointListener,
  Collector,
  DataStream,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  KeyedContext,
  ListState,
  MapState,
  OnTimerContext,
  PollStatus,
  ProcessWindowContext,
  ReducingState,
  RuntimeContext,
  Source,
  SourceOutput,
  SourceReader,
  SourceReaderContext,
  TimeWindow,
  ValueState,
} from 'eddy';
import { FailingMap } from 'eddy/testing';
import { chaosEvent, readShape, subtaskRange } from './chaos-shape.js';
import type { ChaosEvent, ChaosShape } from './chaos-shape.js';
import { aggText, countRecord, summaryRecord, windowRecord } from './chaos-output.js';
import type { ChaosRecord } from './chaos-output.js';
import { parseJobFaults } from './chaos-faults.js';
import type { FiredFault, JobFault } from './chaos-faults.js';

/** Where a source subtask holds; the {@link CheckpointGate} chained behind it opens it (readers hear of no checkpoint). */
interface Gate {
  reached: boolean;
  coveringCheckpoint: number | undefined;
  open: boolean;
}

/** This thread's gates by subtask; each reader makes a fresh one, so no earlier attempt's is used. */
const gates = new Map<number, Gate>();

/** The input of a shape, split in contiguous ranges, throttled, holding at `holdAt`. */
class ChaosSource implements Source<ChaosEvent> {
  readonly boundedness = 'bounded' as const;

  constructor(
    private readonly shape: ChaosShape,
    private readonly rate: number,
    private readonly holdAt: number,
  ) {}

  createReader(ctx: SourceReaderContext): SourceReader<ChaosEvent> {
    const { shape, rate } = this;
    const [start, end] = subtaskRange(shape.records, ctx.parallelism, ctx.subtaskIndex);
    const hold = Math.min(end, start + this.holdAt);
    const gate: Gate = { reached: false, coveringCheckpoint: undefined, open: false };
    gates.set(ctx.subtaskIndex, gate);
    let next = start;
    let started: number | undefined;
    let emitted = 0;
    return {
      poll(out: SourceOutput<ChaosEvent>, maxRecords: number): PollStatus {
        if (next >= end) return 'end';
        if (next === hold && !gate.open) {
          gate.reached = true;
          return 'idle';
        }
        let allowed = next < hold ? Math.min(maxRecords, hold - next) : maxRecords;
        if (rate > 0) {
          started ??= Date.now();
          allowed = Math.min(allowed, Math.floor((Date.now() - started + 1) * rate) - emitted);
          if (allowed <= 0) return 'idle';
        }
        const stop = Math.min(end, next + allowed);
        emitted += stop - next;
        for (; next < stop; next++) out.collect(chaosEvent(shape, next), next);
        return next >= end ? 'end' : 'more';
      },
      snapshotPosition: () => next,
      restorePosition(position: unknown) {
        next = position as number;
      },
    };
  }
}

/** Opens its subtask's {@link Gate} when a checkpoint taken while the source held completes. */
class CheckpointGate extends RichMapFunction<ChaosEvent, ChaosEvent> implements CheckpointedFunction, CheckpointListener {
  private subtask = 0;

  initializeState(ctx: FunctionInitializationContext): void {
    this.subtask = ctx.getRuntimeContext().getIndexOfThisSubtask();
  }

  snapshotState(ctx: FunctionSnapshotContext): void {
    const gate = gates.get(this.subtask);
    if (gate?.reached && gate.coveringCheckpoint === undefined) gate.coveringCheckpoint = ctx.getCheckpointId();
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const gate = gates.get(this.subtask);
    if (gate?.coveringCheckpoint !== undefined && checkpointId >= gate.coveringCheckpoint) gate.open = true;
  }

  map(e: ChaosEvent): ChaosEvent {
    return e;
  }
}

/**
 * Injects one {@link JobFault}: logs it, then fires it through a {@link FailingMap}
 * (throw, exit-thread, restore) or SIGKILLs the process (kill).
 */
class FaultMap extends RichMapFunction<ChaosEvent, ChaosEvent> implements CheckpointedFunction {
  private readonly inner: FailingMap<ChaosEvent> | undefined;
  private attempt = 0;
  private subtask = 0;

  constructor(
    private readonly fault: JobFault,
    private readonly faultSubtask: number,
    private readonly log: string,
  ) {
    super();
    const { how } = fault;
    this.inner =
      how === 'kill'
        ? undefined
        : new FailingMap<ChaosEvent>(
            how === 'restore'
              ? { failOnRestore: true, attempts: [fault.attempt], subtaskIndex: faultSubtask }
              : { failAtRecord: 1, attempts: [fault.attempt], subtaskIndex: faultSubtask, how },
          );
  }

  initializeState(ctx: FunctionInitializationContext): void {
    this.attempt = ctx.getRuntimeContext().getAttemptNumber();
    this.subtask = ctx.getRuntimeContext().getIndexOfThisSubtask();
    if (this.fault.how === 'restore' && this.armed() && ctx.isRestored()) this.fired();
    this.inner?.initializeState(ctx);
  }

  snapshotState(ctx: FunctionSnapshotContext): void {
    this.inner?.snapshotState(ctx);
  }

  override open(ctx: RuntimeContext): void {
    this.inner?.open(ctx);
  }

  map(e: ChaosEvent): ChaosEvent {
    if (this.fault.how === 'restore' || e.i !== this.fault.record || !this.armed()) return e;
    this.fired();
    // SIGKILL, as `kill -9` from outside: no handler, no clean-up, the whole process ends
    if (this.fault.how === 'kill') process.kill(process.pid, 'SIGKILL');
    // FailingMap counts records: with failAtRecord 1 the record given here is the one it fails at
    return this.inner!.map(e);
  }

  private armed(): boolean {
    return this.subtask === this.faultSubtask && this.attempt === this.fault.attempt;
  }

  private fired(): void {
    const line: FiredFault = { life: this.fault.life, attempt: this.attempt, how: this.fault.how, subtask: this.subtask, ...(this.fault.record === undefined ? {} : { record: this.fault.record }) };
    appendFileSync(this.log, JSON.stringify(line) + '\n');
  }
}

const minMaxCount: AggregateFunction<number, [number, number, number], string> = {
  createAccumulator: () => [Infinity, -Infinity, 0],
  add: (v, [min, max, n]) => [Math.min(min, v), Math.max(max, v), n + 1],
  getResult: aggText,
  merge: (a, b) => [Math.min(a[0], b[0]), Math.max(a[1], b[1]), a[2] + b[2]],
};

/** Every kind of keyed state; a running count per record, a summary at the end of the input. */
class EveryStateKind extends KeyedProcessFunction<string, ChaosEvent, ChaosRecord> {
  private count!: ValueState<number>;
  private values!: ListState<number>;
  private residues!: MapState<number, number>;
  private sum!: ReducingState<number>;
  private minMax!: AggregatingState<number, string>;

  constructor(private readonly endTime: number) {
    super();
  }

  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
    this.values = ctx.getListState(new ListStateDescriptor<number>('values'));
    this.residues = ctx.getMapState(new MapStateDescriptor<number, number>('residues'));
    this.sum = ctx.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
    this.minMax = ctx.getAggregatingState(new AggregatingStateDescriptor('min-max', minMaxCount));
  }

  processElement(e: ChaosEvent, ctx: KeyedContext<string>, out: Collector<ChaosRecord>): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    this.values.add(e.value);
    this.residues.put(e.value % 7, (this.residues.get(e.value % 7) ?? 0) + 1);
    this.sum.add(e.value);
    this.minMax.add(e.value);
    ctx.timerService().registerEventTimeTimer(this.endTime);
    out.collect(countRecord(e.key, n));
  }

  override onTimer(_timestamp: number, ctx: OnTimerContext<string>, out: Collector<ChaosRecord>): void {
    out.collect(summaryRecord(ctx.getCurrentKey(), this.values.get(), this.residues.entries(), this.sum.get() ?? 0, this.minMax.get() ?? ''));
  }
}

/** Buckets of event time per key (map state by bucket end), each closed by an event-time timer. */
class TimerBuckets extends KeyedProcessFunction<string, ChaosEvent, ChaosRecord> {
  private buckets!: MapState<number, [number, number]>;

  constructor(private readonly size: number) {
    super();
  }

  override open(ctx: RuntimeContext): void {
    this.buckets = ctx.getMapState(new MapStateDescriptor<number, [number, number]>('buckets'));
  }

  processElement(e: ChaosEvent, ctx: KeyedContext<string>, _out: Collector<ChaosRecord>): void {
    const end = Math.floor(e.i / this.size) * this.size + this.size - 1;
    const [count, sum] = this.buckets.get(end) ?? [0, 0];
    this.buckets.put(end, [count + 1, sum + e.i]);
    ctx.timerService().registerEventTimeTimer(end);
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<ChaosRecord>): void {
    const content = this.buckets.get(timestamp);
    if (content === undefined) throw new Error(`chaos job: the timer of bucket ${timestamp} of key ${ctx.getCurrentKey()} fired, but the bucket is empty`);
    this.buckets.remove(timestamp);
    out.collect(windowRecord(ctx.getCurrentKey(), timestamp - this.size + 1, timestamp + 1, content[1], content[0]));
  }
}

/** `[sum of indices, count]` of a window. */
type Tally = [number, number];

const tallyAggregate: AggregateFunction<ChaosEvent, Tally, Tally> = {
  createAccumulator: () => [0, 0],
  add: (e, [sum, count]) => [sum + e.i, count + 1],
  getResult: (t) => t,
  merge: (a, b) => [a[0] + b[0], a[1] + b[1]],
};

/** Emits a pre-aggregated tally with its key and window. */
class EmitTally extends ProcessWindowFunction<Tally, ChaosRecord, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, tallies: Iterable<Tally>, out: Collector<ChaosRecord>): void {
    const w = ctx.window();
    for (const [sum, count] of tallies) out.collect(windowRecord(key, w.start, w.end, sum, count));
  }
}

/** `[key, sum of indices, count]`: what the reduce pipeline reduces. */
type KeyedTally = [string, number, number];

/** Emits a reduced tally with its key and window. */
class EmitKeyedTally extends ProcessWindowFunction<KeyedTally, ChaosRecord, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, tallies: Iterable<KeyedTally>, out: Collector<ChaosRecord>): void {
    const w = ctx.window();
    for (const [, sum, count] of tallies) out.collect(windowRecord(key, w.start, w.end, sum, count));
  }
}

/** Sums every element of the window itself. */
class SumElements extends ProcessWindowFunction<ChaosEvent, ChaosRecord, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<ChaosEvent>, out: Collector<ChaosRecord>): void {
    let sum = 0;
    let count = 0;
    for (const e of elements) {
      sum += e.i;
      count++;
    }
    const w = ctx.window();
    out.collect(windowRecord(key, w.start, w.end, sum, count));
  }
}

function pipeline(shape: ChaosShape, events: DataStream<ChaosEvent>): DataStream<ChaosRecord> {
  const keyed = events.keyBy((e) => e.key);
  if (shape.pipeline === 'keyed-state') return keyed.process(new EveryStateKind(shape.records + 1000));
  if (shape.pipeline === 'timers') return keyed.process(new TimerBuckets(shape.size));
  const assigner =
    shape.pipeline === 'tumbling'
      ? TumblingEventTimeWindows.of(shape.size)
      : shape.pipeline === 'sliding'
        ? SlidingEventTimeWindows.of(shape.size, shape.slide)
        : EventTimeSessionWindows.withGap(shape.gap);
  if (shape.windowFunction === 'reduce') {
    // reduce keeps its input type: events become tallies first (a map keeps their timestamps)
    return events
      .map((e): KeyedTally => [e.key, e.i, 1])
      .uid('to-tally')
      .keyBy((t) => t[0])
      .window(assigner)
      .reduce((a: KeyedTally, b: KeyedTally): KeyedTally => [a[0], a[1] + b[1], a[2] + b[2]], new EmitKeyedTally());
  }
  const windowed = keyed.window(assigner);
  if (shape.windowFunction === 'process') return windowed.process(new SumElements());
  return windowed.aggregate(tallyAggregate, new EmitTally());
}

export default defineJob((env) => {
  const get = (name: string): string => {
    const value = env.getParameter(name);
    if (value === undefined) throw new TypeError(`chaos job: parameter '${name}' missing`);
    return value;
  };
  const shape = readShape(get);
  const life = Number(env.getParameter('life', '0'));
  const faultSubtask = Number(env.getParameter('faultSubtask', '0'));
  const faults = parseJobFaults(env.getParameter('faults', '')).filter((f) => f.life === life);
  env.setAutoWatermarkInterval(20);

  const strategy = WatermarkStrategy.forMonotonousTimestamps<ChaosEvent>().withTimestampAssigner((e) => e.i);
  let events = env
    .fromSource(new ChaosSource(shape, Number(get('rate')), Number(get('holdAt'))), 'chaos-input', strategy)
    .uid('chaos-input')
    .map(new CheckpointGate())
    .uid('checkpoint-gate');
  faults.forEach((fault, n) => {
    events = events.map(new FaultMap(fault, faultSubtask, get('faultLog'))).uid(`fault-${n}`);
  });
  pipeline(shape, events).uid('pipeline').sinkTo(Sinks.jsonl<ChaosRecord>(get('out'))).uid('sink');
});
