/**
 * Benchmark job for savepoints and restore with rescaling (bench/savepoint/): a keyed
 * count over `keys` integer keys whose source emits every key `perKey` times, then idles
 * (it never ends), so the job holds its whole state while savepoints are taken.
 *
 * With `probe=true` every source subtask first emits one probe record, a key that the
 * key-group formula sends to the keyed subtask of the same index, so each keyed subtask
 * receives exactly one probe. A job restored from a savepoint of the filled job has no
 * splits left to read: the probes are then its only records, and the first record that
 * each keyed subtask processes is its probe. With `fill=false` the source emits only the
 * probes (a start without state, for reference).
 *
 * The keyed operator posts timestamps (ms since the epoch, sub-ms) on the
 * BroadcastChannel {@link SAVEPOINT_MARKER_CHANNEL}: its open (requesting the state
 * decodes the restored key groups into the heap tables) and its first record, with the
 * count it computed (perKey + 1 after a restore: the probe proves the state came back).
 *
 * Parameters: keys (1000000), perKey (1), fill (true), probe (false), run (a tag copied
 * into the markers, so markers of an earlier job are not mistaken for this one's).
 */
import { performance } from 'node:perf_hooks';
import { BroadcastChannel } from 'node:worker_threads';
import { assignKeyToParallelOperator, defineJob, KeyedProcessFunction, ValueStateDescriptor } from 'eddy';
import type { Collector, KeyedContext, PollStatus, RuntimeContext, Source, SourceOutput, SourceReader, SourceReaderContext, ValueState } from 'eddy';
import { CountingSink } from './counting-sink.js';

export const SAVEPOINT_MARKER_CHANNEL = 'eddy-bench-savepoint-markers';
/** Fixed, so the probes' keys and the savepoint's key groups agree at every parallelism. */
export const SAVEPOINT_BENCH_MAX_PARALLELISM = 128;
const SPLIT_SIZE = 10_000;

/** One timestamped event of a keyed subtask. */
export interface SavepointMarker {
  readonly run: string;
  readonly event: 'open-start' | 'open-end' | 'first-record';
  readonly subtask: number;
  readonly parallelism: number;
  /** Wall clock, ms since the epoch (performance.timeOrigin + performance.now()). */
  readonly at: number;
  /** For 'first-record': the count the record produced. */
  readonly count?: number;
}

function mark(marker: Omit<SavepointMarker, 'at'>): void {
  const at = performance.timeOrigin + performance.now();
  const channel = new BroadcastChannel(SAVEPOINT_MARKER_CHANNEL);
  channel.postMessage({ ...marker, at } satisfies SavepointMarker);
  channel.close();
}

interface Range {
  next: number;
  readonly end: number; // exclusive
}

/**
 * The integers [0, records) in splits of {@link SPLIT_SIZE} dealt round-robin, then idle;
 * splittable, so it restores at any parallelism. A probe is not part of the position.
 */
class FillThenIdleSource implements Source<number> {
  readonly splittable = true;
  readonly boundedness = 'unbounded';

  constructor(
    private readonly records: number,
    private readonly keys: number,
    private readonly probe: boolean,
  ) {}

  createReader(ctx: SourceReaderContext): SourceReader<number> {
    const splits: Range[] = [];
    for (let start = 0, index = 0; start < this.records; start += SPLIT_SIZE, index++) {
      if (index % ctx.parallelism === ctx.subtaskIndex) splits.push({ next: start, end: Math.min(this.records, start + SPLIT_SIZE) });
    }
    let probe = this.probe ? probeKey(this.keys, ctx.subtaskIndex, ctx.parallelism) : undefined;
    return {
      poll(out: SourceOutput<number>, maxRecords: number): PollStatus {
        let budget = maxRecords;
        if (probe !== undefined) {
          out.collect(probe);
          probe = undefined;
          budget--;
        }
        while (budget > 0 && splits.length > 0) {
          const split = splits[0]!;
          const stop = Math.min(split.end, split.next + budget);
          for (let n = split.next; n < stop; n++) out.collect(n);
          budget -= stop - split.next;
          split.next = stop;
          if (split.next >= split.end) splits.shift();
        }
        return splits.length > 0 ? 'more' : 'idle';
      },
      snapshotPosition: () => splits.map((s) => ({ ...s })),
      restorePosition(position: unknown) {
        splits.length = 0;
        for (const s of position as Range[]) splits.push({ ...s });
      },
    };
  }
}

/** The smallest key that the keyed subtask `subtask` of `parallelism` owns. */
function probeKey(keys: number, subtask: number, parallelism: number): number {
  for (let key = 0; key < keys; key++) {
    if (assignKeyToParallelOperator(key, SAVEPOINT_BENCH_MAX_PARALLELISM, parallelism) === subtask) return key;
  }
  throw new Error(`savepoint-keyed: none of the ${keys} keys goes to subtask ${subtask} of ${parallelism}`);
}

class Count extends KeyedProcessFunction<number, number, number> {
  private count!: ValueState<number>;
  private subtask = 0;
  private parallelism = 0;
  private first = true;

  constructor(private readonly run: string) {
    super();
  }

  override open(ctx: RuntimeContext): void {
    this.subtask = ctx.getIndexOfThisSubtask();
    this.parallelism = ctx.getNumberOfParallelSubtasks();
    const where = { run: this.run, subtask: this.subtask, parallelism: this.parallelism };
    mark({ ...where, event: 'open-start' });
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
    mark({ ...where, event: 'open-end' });
  }

  processElement(_value: number, _ctx: KeyedContext<number>, out: Collector<number>): void {
    const next = (this.count.value() ?? 0) + 1;
    this.count.update(next);
    if (this.first) {
      this.first = false;
      mark({ run: this.run, subtask: this.subtask, parallelism: this.parallelism, event: 'first-record', count: next });
    }
    out.collect(next);
  }
}

export default defineJob((env) => {
  const keys = Number(env.getParameter('keys', '1000000'));
  const perKey = Number(env.getParameter('perKey', '1'));
  const fill = env.getParameter('fill', 'true') === 'true';
  const probe = env.getParameter('probe', 'false') === 'true';
  env.setMaxParallelism(SAVEPOINT_BENCH_MAX_PARALLELISM);
  env
    .fromSource(new FillThenIdleSource(fill ? keys * perKey : 0, keys, probe), 'keys')
    .uid('keys')
    .keyBy((n) => n % keys)
    .process(new Count(env.getParameter('run', '')))
    .uid('count')
    .sinkTo(new CountingSink())
    .uid('sink');
});
