/**
 * Contract: snapshots hold exactly the state as of `snapshot()`, and round-trip through restore.
 */
import { describe, expect, it } from 'vitest';
import {
  ListStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/state/descriptors.js';
import type { KeyedStateBackend, KeyedStateSnapshot } from '../../../src/state/keyed-state-backend.js';
import { VOID_NAMESPACE } from '../../../src/state/namespace.js';
import { MsgpackSerializer, type TypeSerializer } from '../../../src/state/serializer.js';
import { descriptors, fillBackend, expectFilled, type ContractHarness } from './fixtures.js';

/** Snapshot consistency and same-parallelism round trips. */
export function describeSnapshotConsistencyContract(h: ContractHarness): void {
  const { create, snapshotOf } = h;
  const fill = async (n: number): Promise<KeyedStateBackend> => fillBackend(await create(), n);

  describe('snapshot consistency', () => {
    it('restores all five kinds, with namespaces, at the same parallelism', async () => {
      const original = await fill(200);
      const snapshot = await snapshotOf(original, 5);
      expect(snapshot.checkpointId).toBe(5);
      const restored = await create();
      restored.restore([snapshot]);
      expect(expectFilled(restored, 200)).toBe(200);
    });

    it('makes restored values visible to states requested after the restore, and to states requested before', async () => {
      const original = await fill(20);
      const snapshot = await snapshotOf(original);
      const before = await create();
      before.getPartitionedState(descriptors.list()); // registered first, restored into
      before.restore([snapshot]);
      expectFilled(before, 20);
    });

    it('does not show writes made after snapshot() returned, for every kind', async () => {
      const original = await fill(30);
      const runner = original.snapshot(1);
      const value = original.getPartitionedState(descriptors.value());
      const list = original.getPartitionedState(descriptors.list());
      const map = original.getPartitionedState(descriptors.map());
      const reducing = original.getPartitionedState(descriptors.reducing());
      const aggregating = original.getPartitionedState(descriptors.aggregating());
      for (let i = 0; i < 30; i++) {
        original.setCurrentKey(`key-${i}`);
        if (i % 2 === 0) {
          value.update({ i: -1 });
          list.add(99);
          map.put(i, 'changed');
          map.remove(['t', i]);
          reducing.add(1000);
          aggregating.add(1000);
          value.setCurrentNamespace(['w', i % 3]);
          value.update(-1);
          value.setCurrentNamespace(VOID_NAMESPACE);
        } else {
          for (const state of [value, list, map, reducing, aggregating]) state.clear();
        }
      }
      original.setCurrentKey('new key');
      value.update('new');
      const restored = await create();
      restored.restore([await runner.run()]);
      expectFilled(restored, 30);
      restored.setCurrentKey('new key');
      expect(restored.getPartitionedState(descriptors.value()).value()).toBeUndefined();
    });

    it('keeps two snapshots in flight apart from each other and from later writes', async () => {
      const backend = await create();
      const list = backend.getPartitionedState(new ListStateDescriptor<number>('l'));
      backend.setCurrentKey('a');
      list.add(1);
      const first = backend.snapshot(1);
      list.add(2);
      const second = backend.snapshot(2);
      list.add(3);
      const [s2, s1] = [await second.run(), await first.run()];
      list.add(4);
      const third = await snapshotOf(backend, 3);
      const contents = async (snapshot: KeyedStateSnapshot): Promise<number[]> => {
        const restored = await create();
        restored.restore([snapshot]);
        restored.setCurrentKey('a');
        return [...restored.getPartitionedState(new ListStateDescriptor<number>('l')).get()];
      };
      expect(await contents(s1)).toEqual([1]);
      expect(await contents(s2)).toEqual([1, 2]);
      expect(await contents(third)).toEqual([1, 2, 3, 4]);
      expect([...list.get()]).toEqual([1, 2, 3, 4]);
    });

    it('does not serialize anything in the synchronous part', async () => {
      let calls = 0;
      const inner = new MsgpackSerializer<number>();
      const counting: TypeSerializer<number> = {
        id: inner.id,
        version: inner.version,
        serialize: (v) => {
          calls++;
          return inner.serialize(v);
        },
        deserialize: (b) => inner.deserialize(b),
      };
      const backend = await create();
      const state = backend.getPartitionedState(new ValueStateDescriptor<number>('v', { serializer: counting }));
      for (let i = 0; i < 100; i++) {
        backend.setCurrentKey(i);
        state.update(i);
      }
      const before = calls; // a backend that serializes on write has done so already
      const runner = backend.snapshot(1);
      expect(calls).toBe(before);
      await runner.run();
      expect(calls).toBe(100);
    });

    it('refuses to run a snapshot twice or after cancel', async () => {
      const backend = await create();
      const runner = backend.snapshot(1);
      await runner.run();
      await expect(runner.run()).rejects.toThrow(/already run/);
      const cancelled = backend.snapshot(2);
      cancelled.cancel();
      await expect(cancelled.run()).rejects.toThrow(/cancelled/);
    });

    it('keeps processing correct after a cancelled snapshot', async () => {
      const backend = await create();
      const list = backend.getPartitionedState(new ListStateDescriptor<number>('l'));
      backend.setCurrentKey('a');
      list.add(1);
      backend.snapshot(1).cancel();
      list.add(2);
      const runner = backend.snapshot(2);
      list.add(3);
      const restored = await create();
      restored.restore([await runner.run()]);
      restored.setCurrentKey('a');
      expect([...restored.getPartitionedState(new ListStateDescriptor<number>('l')).get()]).toEqual([1, 2]);
    });

    it('carries restored state that nobody requested into the next snapshot', async () => {
      const original = await fill(40);
      const middle = await create();
      middle.restore([await snapshotOf(original)]);
      middle.getPartitionedState(descriptors.value()); // only one of five requested
      const final = await create();
      final.restore([await snapshotOf(middle, 2)]);
      expectFilled(final, 40);
    });
  });
}
