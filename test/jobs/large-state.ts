/**
 * Test job of the RocksDB suite: keyed state far larger than a worker's heap. `keys`
 * integer keys each hold a `valueBytes`-byte string in ValueState; the input visits every
 * key `rounds` times (record n: key `n % keys`, round `floor(n / keys)`), and each visit
 * checks that the state holds exactly what the previous round wrote, then writes the
 * value of this round. The last round emits `{ key, rounds, ok }` per key: `ok` is false if
 * any visit of that key found something else.
 *
 * In attempt 0, the map `fail` throws at the `failAt`-th record it sees after the first
 * completed checkpoint (0 = never), so the restore runs from a checkpoint holding the
 * whole state.
 *
 * Parameters: keys (100000), rounds (3), valueBytes (1000), failAt (0), failureLog (a file
 * the failure is noted in before it is thrown), out (the JSON lines directory).
 */
import { appendFileSync } from 'node:fs';
import { defineJob, KeyedProcessFunction, RichMapFunction, Sinks, ValueStateDescriptor } from 'eddy';
import type { CheckpointListener, Collector, KeyedContext, RuntimeContext, ValueState } from 'eddy';

export interface KeyCheck {
  readonly key: number;
  readonly rounds: number;
  readonly ok: boolean;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** 1 MiB of pseudo-random characters (xorshift32, fixed seed): values are windows of it. */
const POOL = (() => {
  const chars = new Array<string>(1 << 20);
  let x = 0x2545f491;
  for (let i = 0; i < chars.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    chars[i] = ALPHABET[x & 63]!;
  }
  return chars.join('');
})();

/**
 * The value key `key` holds after round `round`: `bytes` characters of {@link POOL} from
 * an offset that depends on both, so values differ per key and round and do not compress.
 */
export function valueOf(key: number, round: number, bytes: number): string {
  const offset = (Math.imul(key + 1, 0x9e3779b1) ^ Math.imul(round + 1, 0x85ebca6b)) >>> 0;
  const start = offset % (POOL.length - bytes);
  return `${key}/${round}/` + POOL.slice(start, start + bytes);
}

class Visit extends KeyedProcessFunction<number, number, KeyCheck> {
  private state!: ValueState<{ round: number; value: string; ok: boolean }>;
  private keys = 0;
  private rounds = 0;
  private bytes = 0;

  override open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor('value'));
    this.keys = Number(ctx.getParameter('keys') ?? 100_000);
    this.rounds = Number(ctx.getParameter('rounds') ?? 3);
    this.bytes = Number(ctx.getParameter('valueBytes') ?? 1000);
  }

  processElement(n: number, ctx: KeyedContext<number>, out: Collector<KeyCheck>): void {
    const key = ctx.getCurrentKey();
    const round = Math.floor(n / this.keys);
    const stored = this.state.value();
    const ok = round === 0 ? stored === undefined : stored !== undefined && stored.ok && stored.round === round - 1 && stored.value === valueOf(key, round - 1, this.bytes);
    this.state.update({ round, value: valueOf(key, round, this.bytes), ok });
    if (round === this.rounds - 1) out.collect({ key, rounds: round + 1, ok });
  }
}

/** Throws at the `failAt`-th record after the first completed checkpoint, in attempt 0 only. */
class FailAfterCheckpoint extends RichMapFunction<number, number> implements CheckpointListener {
  private armed = false;
  private seen = 0;
  private failAt = 0;
  private attempt = 0;
  private log: string | undefined;

  override open(ctx: RuntimeContext): void {
    this.failAt = Number(ctx.getParameter('failAt') ?? 0);
    this.log = ctx.getParameter('failureLog');
    this.attempt = ctx.getAttemptNumber();
  }

  notifyCheckpointComplete(): void {
    this.armed = true;
  }

  map(n: number): number {
    if (this.armed && this.attempt === 0 && this.failAt > 0 && ++this.seen === this.failAt) {
      const message = `injected failure at record ${n}, after a completed checkpoint`;
      if (this.log !== undefined) appendFileSync(this.log, message + '\n');
      throw new Error(message);
    }
    return n;
  }
}

export default defineJob((env) => {
  const keys = Number(env.getParameter('keys', '100000'));
  const rounds = Number(env.getParameter('rounds', '3'));
  env
    .fromSequence(0, keys * rounds - 1)
    .uid('numbers')
    .map(new FailAfterCheckpoint())
    .uid('fail')
    .keyBy((n) => n % keys)
    .process(new Visit())
    .uid('visit')
    .sinkTo(Sinks.jsonl<KeyCheck>(env.getParameter('out', 'out/large-state')))
    .uid('sink');
});
