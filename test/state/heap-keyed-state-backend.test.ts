import { describe, expect, it } from 'vitest';
import { ConfigError, RestoreError } from '../../src/core/errors.js';
import { KeyGroupRange } from '../../src/core/key-group-range.js';
import { ListStateDescriptor, ValueStateDescriptor } from '../../src/state/descriptors.js';
import {
  createHeapKeyedStateBackend,
  HeapKeyedStateBackend,
} from '../../src/state/heap/heap-keyed-state-backend.js';
import { describeKeyedStateBackend } from './keyed-state-backend-contract.js';

describeKeyedStateBackend('heap', createHeapKeyedStateBackend);

describe('HeapKeyedStateBackend', () => {
  const create = () => new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) });

  it('rejects a key-group range that does not fit maxParallelism', () => {
    expect(() => new HeapKeyedStateBackend({ maxParallelism: 64, keyGroupRange: KeyGroupRange.of(0, 127) })).toThrow(
      ConfigError,
    );
    expect(() => new HeapKeyedStateBackend({ maxParallelism: 0, keyGroupRange: KeyGroupRange.of(0, 0) })).toThrow(
      ConfigError,
    );
  });

  it('copies a key group on the first write after a snapshot, and only that one', async () => {
    const backend = create();
    const state = backend.getPartitionedState(new ValueStateDescriptor<number>('v'));
    for (let i = 0; i < 1000; i++) {
      backend.setCurrentKey(i);
      state.update(i);
    }
    const table = (state as unknown as { table: { slots: object[] } }).table;
    const before = [...table.slots];
    const runner = backend.snapshot(1);
    backend.setCurrentKey(0);
    state.update(-1);
    const changed = table.slots.filter((slot, i) => slot !== before[i]);
    expect(changed).toHaveLength(1);
    await runner.run();
    // With no snapshot in flight, writes go to the slot in place again.
    const afterRun = [...table.slots];
    backend.setCurrentKey(1);
    state.update(-1);
    expect(table.slots.filter((slot, i) => slot !== afterRun[i])).toHaveLength(0);
  });

  it('appends to a list in place when no snapshot holds it', () => {
    const backend = create();
    const list = backend.getPartitionedState(new ListStateDescriptor<number>('l'));
    backend.setCurrentKey('a');
    for (let i = 0; i < 10_000; i++) list.add(i);
    expect(backend.numberOfEntries('l')).toBe(1);
    expect([...list.get()]).toHaveLength(10_000);
  });
});

describe('HeapKeyedStateBackend and RocksDB checkpoints', () => {
  it('refuses an incremental RocksDB snapshot with a message that says how to restore it', () => {
    const backend = new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127), owner: "operator 'count' (subtask 1/1)" });
    const incremental = {
      type: 'incremental' as const,
      checkpointId: 3,
      backend: 'rocksdb' as const,
      maxParallelism: 128,
      keyGroupRange: [0, 127] as const,
      states: [],
      sharedFiles: [],
      privateFiles: [],
    };
    expect(() => backend.restore([incremental])).toThrow(RestoreError);
    expect(() => backend.restore([incremental])).toThrow(
      /operator 'count' \(subtask 1\/1\): .*incremental checkpoint of the 'rocksdb' state backend.*--state-backend rocksdb.*savepoint/,
    );
  });
});
