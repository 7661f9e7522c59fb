/**
 * {@link AggregatingState} on the heap: the accumulator is stored; `add` folds a value
 * into it through the {@link AggregateFunction}, `get` returns `getResult(accumulator)`.
 * The aggregate function may change the accumulator in place: it always gets one the
 * state owns.
 */
import type { AggregatingStateDescriptor } from '../descriptors.js';
import { copyValue } from '../copy-value.js';
import type { InternalAggregatingState } from '../internal-kv-state.js';
import type { Namespace } from '../namespace.js';
import type { AggregateFunction } from '../state.js';
import type { HeapKeyContext } from './heap-key-context.js';
import { HeapKvState } from './heap-kv-state.js';
import type { StateTable } from './state-table.js';

/** Heap implementation of {@link AggregatingState}; `add(undefined)` clears, as in Flink. */
export class HeapAggregatingState<IN, ACC, OUT> extends HeapKvState implements InternalAggregatingState<IN, OUT> {
  readonly kind = 'aggregating' as const;
  private readonly fn: AggregateFunction<IN, ACC, OUT>;

  constructor(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>, table: StateTable, ctx: HeapKeyContext) {
    super(descriptor.name, table, ctx);
    this.fn = descriptor.aggregateFunction;
  }

  /** `getResult` of the accumulator (a copy), or `undefined` when nothing was added. */
  get(): OUT | undefined {
    const accumulator = this.readOwned();
    return accumulator === undefined ? undefined : copyValue(this.fn.getResult(accumulator));
  }

  add(value: IN): void {
    if (value === undefined || value === null) {
      this.removeStored();
      return;
    }
    const input = this.copyIn(value);
    const accumulator = this.readOwned() ?? this.copyIn(this.fn.createAccumulator());
    this.store(this.fn.add(input, accumulator), accumulator);
  }

  mergeNamespaces(target: Namespace, sources: Iterable<Namespace>): void {
    let merged: ACC | undefined;
    for (const source of sources) {
      this.inNamespace(source, () => {
        const stored = this.readStored() as ACC | undefined;
        if (stored === undefined) return;
        const accumulator = copyValue(stored);
        this.removeStored();
        merged = merged === undefined ? accumulator : this.fn.merge(merged, accumulator);
      });
    }
    if (merged === undefined) return;
    const incoming = merged;
    this.inNamespace(target, () => {
      const current = this.readOwned();
      if (current === undefined) this.writeStored(this.copyIn(incoming));
      else this.store(this.fn.merge(current, incoming), current);
    });
  }

  private readOwned(): ACC | undefined {
    const stored = this.readStored() as ACC | undefined;
    if (typeof stored !== 'object' || stored === null) return stored;
    return this.readForUpdate((value: object) => copyValue(value)) as ACC;
  }

  /** Stores a new accumulator; one that is not the owned accumulator is copied, as it may be shared. */
  private store(result: ACC, accumulator: ACC): void {
    if (result === undefined) this.removeStored();
    else this.writeStored(result === accumulator ? result : this.copyIn(result));
  }
}
