/**
 * (c) Heap ValueState read-modify-write: set the current key, read the count, write
 * count + 1, over a fixed key set, as a keyed count does per record.
 */
import { performance } from 'node:perf_hooks';
import type { Key } from '../../src/core/key-encoding.js';
import { keyGroupRangeForOperator } from '../../src/core/key-groups.js';
import { ValueStateDescriptor } from '../../src/state/descriptors.js';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.js';

/** Measures `operations` read-modify-writes over `keys` distinct keys of the given kind. */
export function valueStateReadModifyWrite(keyKind: 'int' | 'string', keys: number, operations: number) {
  const backend = new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: keyGroupRangeForOperator(128, 1, 0) });
  const state = backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
  const keyList: Key[] = Array.from({ length: keys }, (_, i) => (keyKind === 'int' ? i : `user-${i}`));
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      backend.setCurrentKey(keyList[i % keys]!);
      state.update((state.value() ?? 0) + 1);
    }
  };
  run(Math.min(operations, 1_000_000)); // warm-up
  const started = performance.now();
  run(operations);
  const seconds = (performance.now() - started) / 1000;
  return {
    bench: `value-state-rmw-${keyKind}-keys`,
    value: Math.round(operations / seconds),
    unit: 'ops/s',
    detail: { keys, operations, seconds: +seconds.toFixed(3) },
  };
}
