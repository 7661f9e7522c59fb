/**
 * Test job of `eddy inspect`: a fixed list of page views goes through a keyed function
 * with value, map and list state, keyed by user ids that are strings, tuples and bigints.
 * The source emits every view, then idles (it never ends, so checkpoints go on). Its
 * chained map keeps operator state (list, union list, broadcast) and, once a checkpoint
 * that covers every view has completed, fails the job: with restarts off, a failed job
 * keeps its checkpoints, so the test can inspect one whose content is known exactly.
 *
 * With `--set failWhenDone=false` it never fails (for savepoints taken while it runs).
 *
 * Run with checkpointing on and no restarts, e.g.
 * `eddy run test/jobs/inspect-sessions.ts -p 2 --checkpoint-interval 20 --checkpoint-dir DIR --restart-attempts 0`.
 */
import { defineJob, KeyedProcessFunction, ListStateDescriptor, MapStateDescriptor, RichMapFunction, Sinks, ValueStateDescriptor } from 'eddy';
import type {
  BroadcastState,
  CheckpointedFunction,
  CheckpointListener,
  Collector,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  Key,
  KeyedContext,
  ListState,
  MapState,
  PollStatus,
  RuntimeContext,
  Source,
  SourceOutput,
  SourceReader,
  ValueState,
} from 'eddy';

/** One page view. */
export interface View {
  /** The user: a name, a `[tenant, id]` tuple or a numeric id too large for a number. */
  readonly user: string | readonly [string, number] | bigint;
  readonly page: string;
  readonly at: number;
}

/** Every view the source emits, in order. */
export const VIEWS: readonly View[] = [
  { user: 'alice', page: 'home', at: 1 },
  { user: ['acme', 42], page: 'home', at: 2 },
  { user: 'alice', page: 'cart', at: 3 },
  { user: 12345678901234567890n, page: 'home', at: 4 },
  { user: 'alice', page: 'home', at: 5 },
  { user: ['acme', 42], page: 'pay', at: 6 },
];

/** The message the job fails with once the views are in a completed checkpoint. */
export const DONE = 'inspect-sessions: every view is in a completed checkpoint';

/** Emits {@link VIEWS} from its position on, then reports idle for ever. */
class ViewSource implements Source<View> {
  readonly boundedness = 'unbounded' as const;
  readonly maxParallelism = 1;

  createReader(): SourceReader<View> {
    let next = 0;
    return {
      poll(out: SourceOutput<View>, maxRecords: number): PollStatus {
        const stop = Math.min(VIEWS.length, next + maxRecords);
        for (; next < stop; next++) out.collect(VIEWS[next]!);
        return 'idle';
      },
      snapshotPosition: () => ({ next }),
      restorePosition(position: unknown) {
        next = (position as { next: number }).next;
      },
    };
  }
}

/**
 * Passes views on and keeps operator state: the number seen (list state), the attempt
 * (union list state) and a setting (broadcast state). Fails the job when a checkpoint
 * taken after the last view completes, unless `failWhenDone` is `false`.
 */
class Tripwire extends RichMapFunction<View, View> implements CheckpointedFunction, CheckpointListener {
  private seen = 0;
  private failWhenDone = true;
  private seenState!: ListState<number>;
  private attempts!: ListState<string>;
  private settings!: BroadcastState<string, unknown>;
  private readonly seenAt = new Map<number, number>();

  initializeState(ctx: FunctionInitializationContext): void {
    const store = ctx.getOperatorStateStore();
    this.seenState = store.getListState(new ListStateDescriptor<number>('seen'));
    this.attempts = store.getUnionListState(new ListStateDescriptor<string>('attempts'));
    this.settings = store.getBroadcastState(new MapStateDescriptor<string, unknown>('settings'));
  }

  override open(ctx: RuntimeContext): void {
    this.failWhenDone = ctx.getParameter('failWhenDone') !== 'false';
    this.attempts.update([`attempt-${ctx.getAttemptNumber()}`]);
    this.settings.put('threshold', 10n ** 20n);
  }

  map(view: View): View {
    this.seen++;
    return view;
  }

  snapshotState(ctx: FunctionSnapshotContext): void {
    this.seenState.update([this.seen]);
    this.seenAt.set(ctx.getCheckpointId(), this.seen);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    if (this.failWhenDone && this.seenAt.get(checkpointId) === VIEWS.length) throw new Error(DONE);
  }
}

/** Counts views per user, and keeps the last time of each page and the list of pages. */
class Sessions extends KeyedProcessFunction<Key, View, never> {
  private count!: ValueState<number>;
  private lastSeen!: MapState<string, number>;
  private pages!: ListState<string>;

  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
    this.lastSeen = ctx.getMapState(new MapStateDescriptor<string, number>('lastSeen'));
    this.pages = ctx.getListState(new ListStateDescriptor<string>('pages'));
  }

  processElement(view: View, _ctx: KeyedContext<Key>, _out: Collector<never>): void {
    this.count.update((this.count.value() ?? 0) + 1);
    this.lastSeen.put(view.page, view.at);
    this.pages.add(view.page);
  }
}

export default defineJob((env) => {
  env
    .fromSource(new ViewSource(), 'views')
    .uid('views')
    .map(new Tripwire())
    .uid('tripwire')
    .setParallelism(1) // chained to the source, so it sees every view
    .keyBy((view) => view.user as Key)
    .process(new Sessions())
    .uid('sessions')
    .sinkTo(Sinks.print())
    .uid('print');
});
