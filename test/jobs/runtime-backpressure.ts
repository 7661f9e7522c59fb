/**
 * A fast source and a slow sink whose counters live in a SharedArrayBuffer that the test
 * hands to every thread through `setEnvironmentData` (parameter `counters` names it), so
 * the source can see, at every poll, how many records it is ahead of the sink, even when
 * the two run on different worker threads.
 *
 * Parameters: `counters` (environment data key), `records`, `work` (CPU iterations per
 * record in the sink), `topology`:
 * - `fan-in`: 4 source subtasks, each emitting a quarter, rebalanced into 1 sink subtask;
 * - `remote`: 2 source subtasks of which only subtask 1 emits, into 1 sink subtask (with
 *   2 slots the only data channel crosses threads).
 */
import { getEnvironmentData } from 'node:worker_threads';
import { defineJob } from 'eddy';
import type { Sink, SinkWriter, Source, SourceOutput, SourceReader, SourceReaderContext } from 'eddy';

/** Slots of the shared Int32Array. */
export const EMITTED = 0;
export const RECEIVED = 1;
export const MAX_GAP = 2;
export const POLLS = 3;
export const DUPLICATES = 4;
export const MISSING = 5;
export const OUT_OF_RANGE = 6;
export const COUNTER_SLOTS = 8;

function counters(key: string): Int32Array {
  const sab = getEnvironmentData(key);
  if (!(sab instanceof SharedArrayBuffer)) throw new Error(`no SharedArrayBuffer under environment data '${key}'`);
  return new Int32Array(sab);
}

function raiseMax(c: Int32Array, slot: number, value: number): void {
  for (;;) {
    const current = Atomics.load(c, slot);
    if (value <= current || Atomics.compareExchange(c, slot, current, value) === current) return;
  }
}

/** Emits its share of 0..records-1 as fast as it is polled, and measures the lead over the sink. */
class CountingSource implements Source<number> {
  readonly boundedness = 'bounded' as const;
  constructor(
    private readonly key: string,
    private readonly records: number,
    private readonly emitters: (subtask: number, parallelism: number) => { first: number; stride: number } | undefined,
  ) {}

  createReader(ctx: SourceReaderContext): SourceReader<number> {
    const c = counters(this.key);
    const share = this.emitters(ctx.subtaskIndex, ctx.parallelism);
    const records = this.records;
    let next = share?.first ?? records;
    const stride = share?.stride ?? 1;
    return {
      poll(out: SourceOutput<number>, maxRecords: number) {
        for (let i = 0; i < maxRecords && next < records; i++, next += stride) {
          Atomics.add(c, EMITTED, 1);
          out.collect(next);
        }
        Atomics.add(c, POLLS, 1);
        raiseMax(c, MAX_GAP, Atomics.load(c, EMITTED) - Atomics.load(c, RECEIVED));
        return next >= records ? 'end' : 'more';
      },
    };
  }
}

/** Burns a fixed amount of CPU per record, counts it, and checks every value arrives exactly once. */
class SlowCheckingSink implements Sink<number> {
  readonly name = 'slow';
  constructor(
    private readonly key: string,
    private readonly records: number,
    private readonly work: number,
  ) {}

  createWriter(): SinkWriter<number> {
    const c = counters(this.key);
    const seen = new Uint8Array(this.records);
    const work = this.work;
    let sink = 0;
    return {
      write(value) {
        let h = value | 0;
        for (let i = 0; i < work; i++) h = Math.imul(h ^ (h >>> 15), 2246822507) + i;
        sink ^= h;
        if (!Number.isInteger(value) || value < 0 || value >= seen.length) Atomics.add(c, OUT_OF_RANGE, 1);
        else if (seen[value]! > 0) Atomics.add(c, DUPLICATES, 1);
        else seen[value] = 1;
        Atomics.add(c, RECEIVED, 1);
      },
      flush(endOfInput) {
        if (!endOfInput) return;
        let missing = 0;
        for (let i = 0; i < seen.length; i++) if (seen[i] === 0) missing++;
        Atomics.store(c, MISSING, missing + (sink === 0.5 ? 1 : 0)); // keeps `sink` observable
      },
    };
  }
}

export default defineJob((env) => {
  const key = env.getParameter('counters', '');
  const records = Number(env.getParameter('records', '200000'));
  const work = Number(env.getParameter('work', '0'));
  const topology = env.getParameter('topology', 'fan-in');
  if (topology === 'fan-in') {
    env.setParallelism(4);
    env
      .fromSource(new CountingSource(key, records, (i, p) => ({ first: i, stride: p })), 'counting')
      .sinkTo(new SlowCheckingSink(key, records, work))
      .setParallelism(1);
  } else {
    env.setParallelism(2);
    env
      .fromSource(new CountingSource(key, records, (i) => (i === 1 ? { first: 0, stride: 1 } : undefined)), 'counting')
      .sinkTo(new SlowCheckingSink(key, records, work))
      .setParallelism(1);
  }
});
