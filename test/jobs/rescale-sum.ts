/**
 * Test job of the rescaling suite (after Flink's RescalingITCase): `keys` integer keys,
 * a keyed sum per key, and operator state in a checkpointed map.
 *
 * Phase 1 reads `perKey` records per key from the source `numbers-1`; phase 2 (`phase=2`)
 * restores it (its splits are done) and reads `more` records per key from a new source
 * `numbers-2`. Record n has key `n % keys` and value n. The keyed function emits, per
 * record, `{ key, sum, count, subtask, parallelism, maxParallelism }`.
 *
 * The map `tokens` keeps operator state: split list state with `tokensPerSubtask` items
 * made by each subtask of a fresh start, and union list state with one marker per
 * subtask. In `initializeState` it appends what it restored to the file `report` as one
 * JSON line ({@link TokenReport}).
 *
 * Parameters: phase (1), keys (42), perKey (1000), more (500), idleAtEnd (true: phase 1's
 * source waits after its last record instead of ending, so the job can be stopped with a
 * savepoint), moreIdleAtEnd (false: the same for phase 2's `numbers-2`), tokensPerSubtask (10), withTokens (true; false replaces `tokens` by a
 * stateless map `plain-map`), report (file), sink (collect | jsonl), out.
 */
import { appendFileSync } from 'node:fs';
import { defineJob, KeyedProcessFunction, ListStateDescriptor, RichMapFunction, Sinks, ValueStateDescriptor } from 'eddy';
import type {
  CheckpointedFunction,
  Collector,
  FunctionInitializationContext,
  KeyedContext,
  ListState,
  RuntimeContext,
  ValueState,
} from 'eddy';
import { NumbersSource } from './lib/numbers-source.js';

export interface KeySum {
  readonly key: number;
  readonly sum: number;
  readonly count: number;
  readonly subtask: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
}

export interface TokenReport {
  readonly subtask: number;
  readonly parallelism: number;
  readonly restored: boolean;
  /** Items of the split list state this instance received. */
  readonly tokens: readonly string[];
  /** Items of the union list state this instance received. */
  readonly markers: readonly string[];
}

class Sum extends KeyedProcessFunction<number, number, KeySum> {
  private sum!: ValueState<number>;
  private count!: ValueState<number>;
  private ctx!: RuntimeContext;
  override open(ctx: RuntimeContext): void {
    this.ctx = ctx;
    this.sum = ctx.getState(new ValueStateDescriptor<number>('sum'));
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  processElement(n: number, ctx: KeyedContext<number>, out: Collector<KeySum>): void {
    const sum = (this.sum.value() ?? 0) + n;
    const count = (this.count.value() ?? 0) + 1;
    this.sum.update(sum);
    this.count.update(count);
    out.collect({
      key: ctx.getCurrentKey(),
      sum,
      count,
      subtask: this.ctx.getIndexOfThisSubtask(),
      parallelism: this.ctx.getNumberOfParallelSubtasks(),
      maxParallelism: this.ctx.getMaxNumberOfParallelSubtasks(),
    });
  }
}

/** Passes records through; keeps split and union operator state and reports what it restored. */
class Tokens extends RichMapFunction<number, number> implements CheckpointedFunction {
  private tokens!: ListState<string>;
  private markers!: ListState<string>;

  constructor(
    private readonly perSubtask: number,
    private readonly report: string | undefined,
  ) {
    super();
  }

  initializeState(ctx: FunctionInitializationContext): void {
    const rc = ctx.getRuntimeContext();
    const store = ctx.getOperatorStateStore();
    this.tokens = store.getListState(new ListStateDescriptor<string>('tokens'));
    this.markers = store.getUnionListState(new ListStateDescriptor<string>('markers'));
    const subtask = rc.getIndexOfThisSubtask();
    const restored = ctx.isRestored();
    if (this.report) {
      const line: TokenReport = { subtask, parallelism: rc.getNumberOfParallelSubtasks(), restored, tokens: [...this.tokens.get()], markers: [...this.markers.get()] };
      appendFileSync(this.report, JSON.stringify(line) + '\n');
    }
    if (!restored) {
      for (let i = 0; i < this.perSubtask; i++) this.tokens.add(`${subtask}-${i}`);
      this.markers.update([`marker-${subtask}`]);
    }
  }

  snapshotState(): void {}

  map(n: number): number {
    return n;
  }
}

export default defineJob((env) => {
  const phase = Number(env.getParameter('phase', '1'));
  const keys = Number(env.getParameter('keys', '42'));
  const perKey = Number(env.getParameter('perKey', '1000'));
  const more = Number(env.getParameter('more', '500'));
  const idleAtEnd = env.getParameter('idleAtEnd', 'true') === 'true';
  const report = env.getParameter('report');
  const sink = env.getParameter('sink', 'collect');

  const firstEnd = keys * perKey;
  let numbers = env.fromSource(new NumbersSource(0, firstEnd, 997, phase === 1 && idleAtEnd), 'numbers-1').uid('numbers-1');
  if (phase === 2) {
    const addedIdle = env.getParameter('moreIdleAtEnd', 'false') === 'true';
    const added = env.fromSource(new NumbersSource(firstEnd, firstEnd + keys * more, 997, addedIdle), 'numbers-2').uid('numbers-2');
    numbers = numbers.union(added);
  }
  const spread = numbers.rebalance();
  const mapped = env.getParameter('withTokens', 'true') === 'true'
    ? spread.map(new Tokens(Number(env.getParameter('tokensPerSubtask', '10')), report)).uid('tokens')
    : spread.map((n) => n).uid('plain-map');
  const sums = mapped
    .keyBy((n) => n % keys)
    .process(new Sum())
    .uid('sum');
  if (sink === 'jsonl') sums.sinkTo(Sinks.jsonl<KeySum>(env.getParameter('out', 'out/rescale-sum'))).uid('sink');
  else sums.sinkTo(Sinks.collect<KeySum>('sums')).uid('sink');
});
