/**
 * {@link ReducingState} on the heap: `add` folds the new value into the stored one at
 * once. The reduce function may change its first argument in place: it always gets a
 * value the state owns.
 */
import type { ReducingStateDescriptor } from '../descriptors.js';
import { copyValue } from '../copy-value.js';
import type { InternalReducingState } from '../internal-kv-state.js';
import type { Namespace } from '../namespace.js';
import { applyReduce, type ReduceFunction } from '../state.js';
import type { HeapKeyContext } from './heap-key-context.js';
import { HeapKvState } from './heap-kv-state.js';
import type { StateTable } from './state-table.js';

/** Heap implementation of {@link ReducingState}; `add(undefined)` clears, as in Flink. */
export class HeapReducingState<T> extends HeapKvState implements InternalReducingState<T> {
  readonly kind = 'reducing' as const;
  private readonly reduceFunction: ReduceFunction<T>;

  constructor(descriptor: ReducingStateDescriptor<T>, table: StateTable, ctx: HeapKeyContext) {
    super(descriptor.name, table, ctx);
    this.reduceFunction = descriptor.reduceFunction;
  }

  get(): T | undefined {
    return copyValue(this.readStored() as T | undefined);
  }

  add(value: T): void {
    if (value === undefined || value === null) {
      this.removeStored();
      return;
    }
    const incoming = this.copyIn(value);
    const current = this.readOwned();
    if (current === undefined) {
      this.writeStored(incoming);
      return;
    }
    this.store(applyReduce(this.reduceFunction, current, incoming), current, incoming);
  }

  mergeNamespaces(target: Namespace, sources: Iterable<Namespace>): void {
    let merged: T | undefined;
    for (const source of sources) {
      this.inNamespace(source, () => {
        const stored = this.readStored() as T | undefined;
        if (stored === undefined) return;
        const value = copyValue(stored);
        this.removeStored();
        merged = merged === undefined ? value : applyReduce(this.reduceFunction, merged, value);
      });
    }
    if (merged === undefined) return;
    const incoming = merged;
    this.inNamespace(target, () => {
      const current = this.readOwned();
      if (current === undefined) this.writeStored(this.copyIn(incoming));
      else this.store(applyReduce(this.reduceFunction, current, incoming), current, incoming);
    });
  }

  private readOwned(): T | undefined {
    const stored = this.readStored() as T | undefined;
    if (typeof stored !== 'object' || stored === null) return stored;
    return this.readForUpdate((value: object) => copyValue(value)) as T;
  }

  /** Stores a reduce result; a result that is neither argument is copied, as it may be shared. */
  private store(result: T, current: T, incoming: T): void {
    if (result === undefined || result === null) this.removeStored();
    else this.writeStored(result === current || result === incoming ? result : this.copyIn(result));
  }
}
