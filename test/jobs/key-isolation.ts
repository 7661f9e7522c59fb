/**
 * Test job: checks on every record that keyed state belongs to the record's key. Each key
 * stores a description of itself in a ValueState on first sight; every later record of
 * the key must find exactly that description, must see its own key in
 * `ctx.getCurrentKey()`, and must run on the subtask that owns its key group. Keys of
 * different types that look alike (1, '1', 1n, [1], 1.5) are all distinct keys.
 *
 * Emits a `violation` record for every broken rule, a `first` record when a key is seen
 * for the first time and a `complete` record when it has seen all its records.
 */
import { assignKeyToParallelOperator, defineJob, KeyedProcessFunction, Sinks, ValueStateDescriptor } from 'eddy';
import type { Collector, Key, KeyedContext, RuntimeContext, ValueState } from 'eddy';

export type IsolationEvent =
  | { type: 'first' | 'complete'; key: string }
  | { type: 'violation'; key: string; problem: string };

/** Base keys; each comes in {@link VARIANTS} types. */
export const BASE_KEYS = 2_500;
export const VARIANTS = 5;
/** Records per key. */
export const RECORDS_PER_KEY = 4;
export const RECORDS = BASE_KEYS * VARIANTS * RECORDS_PER_KEY;

/** The key of record `n`: base key `n % BASE_KEYS` as a number, string, bigint, tuple or fraction. */
export function keyOf(n: number): Key {
  const k = n % BASE_KEYS;
  switch (Math.floor(n / BASE_KEYS) % VARIANTS) {
    case 0:
      return k;
    case 1:
      return String(k);
    case 2:
      return BigInt(k);
    case 3:
      return [k];
    default:
      return k + 0.5;
  }
}

/** A description of a key that tells its type apart: `number:1`, `string:1`, `[number:1]`. */
export function describeKey(key: Key): string {
  if (Array.isArray(key)) return `[${key.map(describeKey).join(',')}]`;
  return `${typeof key}:${String(key)}`;
}

class KeyIsolationCheck extends KeyedProcessFunction<Key, number, IsolationEvent> {
  private owner!: ValueState<string>;
  private seen!: ValueState<number>;
  private ctx!: RuntimeContext;

  override open(ctx: RuntimeContext): void {
    this.ctx = ctx;
    this.owner = ctx.getState(new ValueStateDescriptor<string>('owner'));
    this.seen = ctx.getState(new ValueStateDescriptor<number>('seen'));
  }

  processElement(n: number, ctx: KeyedContext<Key>, out: Collector<IsolationEvent>): void {
    const current = describeKey(ctx.getCurrentKey());
    const own = describeKey(keyOf(n));
    const violation = (problem: string) => out.collect({ type: 'violation', key: own, problem });
    if (current !== own) violation(`record ${n} was processed under key ${current}`);

    const subtask = this.ctx.getIndexOfThisSubtask();
    const owning = assignKeyToParallelOperator(keyOf(n), this.ctx.getMaxNumberOfParallelSubtasks(), this.ctx.getNumberOfParallelSubtasks());
    if (owning !== subtask) violation(`record ${n} reached subtask ${subtask}, but its key group belongs to subtask ${owning}`);

    const stored = this.owner.value();
    if (stored === undefined) {
      this.owner.update(current);
      out.collect({ type: 'first', key: own });
    } else if (stored !== current) {
      violation(`record ${n} found the state of key ${stored}`);
    }

    const seen = (this.seen.value() ?? 0) + 1;
    this.seen.update(seen);
    if (seen === RECORDS_PER_KEY) out.collect({ type: 'complete', key: own });
    if (seen > RECORDS_PER_KEY) violation(`key has seen ${seen} records, expected ${RECORDS_PER_KEY}`);
  }
}

export default defineJob((env) => {
  env
    .fromSequence(0, RECORDS - 1)
    .keyBy(keyOf)
    .process(new KeyIsolationCheck())
    .uid('key-isolation')
    .sinkTo(Sinks.collect('key-isolation'));
});
