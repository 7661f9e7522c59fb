/** {@link ValueState} on the heap: one stored copy per (key, namespace). */
import type { InternalValueState } from '../internal-kv-state.js';
import { copyValue } from '../copy-value.js';
import { HeapKvState } from './heap-kv-state.js';

/** Heap implementation of {@link ValueState}; `update(undefined)` clears. */
export class HeapValueState<T> extends HeapKvState implements InternalValueState<T> {
  readonly kind = 'value' as const;

  value(): T | undefined {
    const stored = this.readStored();
    return typeof stored === 'object' && stored !== null ? copyValue(stored as T) : (stored as T | undefined);
  }

  update(value: T | undefined): void {
    if (value === undefined) this.removeStored();
    else {
      const type = typeof value;
      this.writeStored(type === 'object' || type === 'function' || type === 'symbol' ? this.copyIn(value) : value);
    }
  }
}
