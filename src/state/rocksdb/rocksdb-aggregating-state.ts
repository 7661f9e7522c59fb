/**
 * {@link AggregatingState} in RocksDB: the accumulator, read, folded with
 * `AggregateFunction.add` and written back on every `add`; `get` is `getResult`.
 */
import type { AggregatingStateDescriptor } from '../descriptors.js';
import type { InternalAggregatingState } from '../internal-kv-state.js';
import type { StateBlockCodec } from '../keyed-snapshot/state-block-codec.js';
import type { Namespace } from '../namespace.js';
import type { AggregateFunction } from '../state.js';
import type { ColumnSlot, RocksDBKeyContext } from './rocksdb-key-context.js';
import { RocksDBKvState } from './rocksdb-kv-state.js';

/** RocksDB implementation of {@link AggregatingState}; `add(undefined)` clears, as in Flink. */
export class RocksDBAggregatingState<IN, ACC, OUT> extends RocksDBKvState implements InternalAggregatingState<IN, OUT> {
  readonly kind = 'aggregating' as const;
  private readonly fn: AggregateFunction<IN, ACC, OUT>;

  constructor(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
    column: ColumnSlot,
    ctx: RocksDBKeyContext,
    codec: StateBlockCodec,
  ) {
    super(descriptor.name, column, ctx, codec);
    this.fn = descriptor.aggregateFunction;
  }

  /** `getResult` of the accumulator, or `undefined` when nothing was added. */
  get(): OUT | undefined {
    const accumulator = this.accumulator();
    if (accumulator === undefined) return undefined;
    // getResult may return (part of) the accumulator: hand out a copy
    return this.deserialize(this.serialize(this.fn.getResult(accumulator))) as OUT;
  }

  add(value: IN): void {
    if (value === undefined || value === null) {
      this.clear();
      return;
    }
    const input = this.deserialize(this.serialize(value)) as IN;
    const accumulator = this.accumulator() ?? this.fn.createAccumulator();
    this.store(this.fn.add(input, accumulator));
  }

  mergeNamespaces(target: Namespace, sources: Iterable<Namespace>): void {
    let merged: ACC | undefined;
    for (const source of sources) {
      this.inNamespace(source, () => {
        const stored = this.accumulator();
        if (stored === undefined) return;
        this.clear();
        merged = merged === undefined ? stored : this.fn.merge(merged, stored);
      });
    }
    if (merged === undefined) return;
    const incoming = merged;
    this.inNamespace(target, () => {
      const current = this.accumulator();
      this.store(current === undefined ? incoming : this.fn.merge(current, incoming));
    });
  }

  private accumulator(): ACC | undefined {
    const bytes = this.readBytes();
    return bytes === undefined ? undefined : (this.deserialize(bytes) as ACC);
  }

  private store(accumulator: ACC): void {
    if (accumulator === undefined) this.clear();
    else this.writeBytes(this.serialize(accumulator));
  }
}
