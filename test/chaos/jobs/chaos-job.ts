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
 * Parameters: the shape (see `shapeParameters`), `rate`, `holdAt`, `holdDir`, `faults`
 * (`formatJobFaults`), `faultSubtask`, `life` (0; 1 in the run resumed after a kill),
 * `faultLog` (file; each fault appends a {@link FiredFault} line before it fires), `out`.
 */
import {
  AggregatingStateDescriptor,
  defineJob,
  EventTimeSessionWindows,
  KeyedProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  ProcessWindowFunction,
  ReducingStateDescriptor,
  Sinks,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
} from 'eddy';
import type {
  AggregateFunction,
  AggregatingState,
  Collector,
  DataStream,
  KeyedContext,
  ListState,
  MapState,
  OnTimerContext,
  ProcessWindowContext,
  ReducingState,
  RuntimeContext,
  TimeWindow,
  ValueState,
} from 'eddy';
import { readShape } from './chaos-shape.js';
import type { ChaosEvent, ChaosShape } from './chaos-shape.js';
import { aggText, countRecord, summaryRecord, windowRecord } from './chaos-output.js';
import type { ChaosRecord } from './chaos-output.js';
import { parseJobFaults } from './chaos-faults.js';
import { ChaosSource, CheckpointGate } from './chaos-source.js';
import { FaultMap } from './fault-map.js';

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
    .fromSource(new ChaosSource(shape, Number(get('rate')), Number(get('holdAt')), get('holdDir')), 'chaos-input', strategy)
    .uid('chaos-input')
    .map(new CheckpointGate())
    .uid('checkpoint-gate');
  faults.forEach((fault, n) => {
    events = events.map(new FaultMap(fault, faultSubtask, get('faultLog'))).uid(`fault-${n}`);
  });
  pipeline(shape, events).uid('pipeline').sinkTo(Sinks.jsonl<ChaosRecord>(get('out'))).uid('sink');
});
