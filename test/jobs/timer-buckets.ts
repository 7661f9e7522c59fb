/**
 * Test job of the timer suite: per-key buckets of event time, closed by event-time timers.
 *
 * Record n has key `n % keys` and event timestamp n (monotonous per source subtask). The
 * keyed function adds n to its key's bucket `[b·bucket, b·bucket + bucket - 1]` (map
 * state by bucket end) and registers an event-time timer at the bucket's end, once per
 * (key, bucket) thanks to deduplication. When the timer fires it emits the bucket
 * ({@link BucketFired}) and clears it. So every (key, bucket) is emitted exactly once, with
 * `bucket / keys` records, however the job is stopped, restored or rescaled.
 *
 * With `procTimerAt` > 0, every key also registers one processing-time timer at that time
 * and emits a {@link ProcessingFired} when it fires.
 *
 * Phase 1 reads [0, records) from source `numbers-1`; phase 2 (`phase=2`) restores it (its
 * splits are done) and reads [records, records + more) from `numbers-2`. Every emitted
 * record carries its run's phase: a run resumed from a savepoint also returns, from its
 * collect sink, the records the savepoint committed (docs/SINKS.md).
 *
 * Parameters: phase (1), keys (10), bucket (100), records (2000), more (1000), idleAtEnd
 * (true: phase 1's source waits after its last record instead of ending, so the job can
 * be stopped with a savepoint), moreIdleAtEnd (false: the same for `numbers-2`),
 * watermarkInterval (10 ms), procTimerAt (0 = none).
 */
import { defineJob, KeyedProcessFunction, MapStateDescriptor, Sinks, WatermarkStrategy } from 'eddy';
import type {
  Collector,
  KeyedContext,
  MapState,
  OnTimerContext,
  RuntimeContext,
} from 'eddy';
import { NumbersSource } from './lib/numbers-source.js';

/** Where a timer fired. */
export interface FiredWhere {
  readonly key: number;
  readonly subtask: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The run's `phase` parameter (a resumed run's collect sink also replays the savepoint's records). */
  readonly phase: number;
}

/** A bucket closed by its event-time timer. */
export interface BucketFired extends FiredWhere {
  readonly kind: 'bucket';
  /** The bucket's last timestamp: the timer's time. */
  readonly end: number;
  readonly count: number;
  readonly sum: number;
}

/** A key's processing-time timer fired. */
export interface ProcessingFired extends FiredWhere {
  readonly kind: 'processing';
  readonly at: number;
  /** Processing time when it fired. */
  readonly now: number;
}

export type Fired = BucketFired | ProcessingFired;

class Buckets extends KeyedProcessFunction<number, number, Fired> {
  /** Bucket end → [count, sum]. */
  private buckets!: MapState<number, [number, number]>;
  private rc!: RuntimeContext;

  constructor(
    private readonly bucket: number,
    private readonly procTimerAt: number,
    private readonly phase: number,
  ) {
    super();
  }

  override open(ctx: RuntimeContext): void {
    this.rc = ctx;
    this.buckets = ctx.getMapState(new MapStateDescriptor<number, [number, number]>('buckets'));
  }

  processElement(n: number, ctx: KeyedContext<number>, _out: Collector<Fired>): void {
    if (ctx.timestamp() !== n) throw new Error(`record ${n} has timestamp ${ctx.timestamp()}`);
    const end = Math.floor(n / this.bucket) * this.bucket + this.bucket - 1;
    const [count, sum] = this.buckets.get(end) ?? [0, 0];
    this.buckets.put(end, [count + 1, sum + n]);
    const timers = ctx.timerService();
    timers.registerEventTimeTimer(end);
    if (this.procTimerAt > 0) timers.registerProcessingTimeTimer(this.procTimerAt);
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<number>, out: Collector<Fired>): void {
    const where: FiredWhere = {
      key: ctx.getCurrentKey(),
      subtask: this.rc.getIndexOfThisSubtask(),
      parallelism: this.rc.getNumberOfParallelSubtasks(),
      maxParallelism: this.rc.getMaxNumberOfParallelSubtasks(),
      phase: this.phase,
    };
    if (ctx.timeDomain() === 'processing-time') {
      out.collect({ kind: 'processing', at: timestamp, now: ctx.timerService().currentProcessingTime(), ...where });
      return;
    }
    const content = this.buckets.get(timestamp);
    if (content === undefined) throw new Error(`key ${where.key}: the timer of bucket ${timestamp} fired, but the bucket is empty`);
    this.buckets.remove(timestamp);
    out.collect({ kind: 'bucket', end: timestamp, count: content[0], sum: content[1], ...where });
  }
}

export default defineJob((env) => {
  const phase = Number(env.getParameter('phase', '1'));
  const keys = Number(env.getParameter('keys', '10'));
  const bucket = Number(env.getParameter('bucket', '100'));
  const records = Number(env.getParameter('records', '2000'));
  const more = Number(env.getParameter('more', '1000'));
  const idleAtEnd = env.getParameter('idleAtEnd', 'true') === 'true';
  env.setAutoWatermarkInterval(Number(env.getParameter('watermarkInterval', '10')));

  const strategy = WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((n) => n);
  let numbers = env.fromSource(new NumbersSource(0, records, 50, phase === 1 && idleAtEnd), 'numbers-1', strategy).uid('numbers-1');
  if (phase === 2) {
    const moreIdle = env.getParameter('moreIdleAtEnd', 'false') === 'true';
    const added = env.fromSource(new NumbersSource(records, records + more, 50, moreIdle), 'numbers-2', strategy).uid('numbers-2');
    numbers = numbers.union(added);
  }
  numbers
    .keyBy((n) => n % keys)
    .process(new Buckets(bucket, Number(env.getParameter('procTimerAt', '0')), phase))
    .uid('buckets')
    .sinkTo(Sinks.collect<Fired>('fired'))
    .uid('sink')
    .setParallelism(1); // a vertex of its own, so its records-in count fired timers
});
