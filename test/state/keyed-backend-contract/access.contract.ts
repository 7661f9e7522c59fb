/**
 * Contract: the current key, state registration and key listing.
 */
import { describe, expect, it } from 'vitest';
import { StateAccessError } from '../../../src/core/errors.js';
import { KeyGroupRange } from '../../../src/core/key-group-range.js';
import { assignToKeyGroup } from '../../../src/core/key-groups.js';
import {
  ListStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/state/descriptors.js';
import type { TypeSerializer } from '../../../src/state/serializer.js';
import { MAX_P, keyInGroup, type ContractHarness } from './fixtures.js';

/** Current key, registration and `getKeys`. */
export function describeAccessContract(h: ContractHarness): void {
  const { create } = h;
  describe('current key', () => {
    it('reports the current key and its key group', async () => {
      const backend = await create();
      expect(backend.getCurrentKey()).toBeUndefined();
      expect(backend.getCurrentKeyGroup()).toBe(-1);
      backend.setCurrentKey(['user', 7]);
      expect(backend.getCurrentKey()).toEqual(['user', 7]);
      expect(backend.getCurrentKeyGroup()).toBe(assignToKeyGroup(['user', 7], MAX_P));
      backend.setCurrentKey(3);
      expect(backend.getCurrentKeyGroup()).toBe(113);
    });

    it('rejects a key whose key group is outside the backend range', async () => {
      const backend = await create(KeyGroupRange.of(0, 63));
      const outside = keyInGroup(100);
      expect(() => backend.setCurrentKey(outside)).toThrow(StateAccessError);
      expect(() => backend.setCurrentKey(outside)).toThrow(/key group 100/);
      backend.setCurrentKey(keyInGroup(5));
      expect(backend.getCurrentKeyGroup()).toBe(5);
    });

    it('refuses state access before any key is set', async () => {
      const backend = await create();
      const value = backend.getPartitionedState(new ValueStateDescriptor<number>('v'));
      expect(() => value.value()).toThrow(StateAccessError);
      expect(() => value.update(1)).toThrow(/no current key/);
    });

    it('fails with a clear error when used after dispose', async () => {
      const backend = await create();
      const value = backend.getPartitionedState(new ValueStateDescriptor<number>('v'));
      backend.setCurrentKey('a');
      value.update(1);
      backend.dispose();
      expect(() => backend.setCurrentKey('b')).toThrow(StateAccessError);
      expect(() => value.value()).toThrow(/disposed/);
    });
  });

  describe('registration', () => {
    it('returns the same state object when asked twice with the same name', async () => {
      const backend = await create();
      const a = backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
      const b = backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
      expect(b).toBe(a);
    });

    it('refuses the same name as another kind, naming the state', async () => {
      const backend = await create();
      backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
      expect(() => backend.getPartitionedState(new ListStateDescriptor<number>('count'))).toThrow(StateAccessError);
      expect(() => backend.getPartitionedState(new ListStateDescriptor<number>('count'))).toThrow(
        /state 'count' is registered as value state and cannot be requested as list state/,
      );
    });

    it('refuses the same name with another version or serializer', async () => {
      const backend = await create();
      backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
      expect(() => backend.getPartitionedState(new ValueStateDescriptor<number>('count', { version: 2 }))).toThrow(
        /state 'count'.*version/,
      );
      const other: TypeSerializer<number> = { id: 'custom', version: 1, serialize: () => new Uint8Array(), deserialize: () => 0 };
      expect(() => backend.getPartitionedState(new ValueStateDescriptor<number>('count', { serializer: other }))).toThrow(
        StateAccessError,
      );
    });
  });

  describe('getKeys', () => {
    it('lists exactly the keys that have a value, and may be iterated while state changes', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ValueStateDescriptor<number>('v'));
      for (let i = 0; i < 50; i++) {
        backend.setCurrentKey(i);
        state.update(i);
      }
      backend.setCurrentKey(7);
      state.clear();
      let visited = 0;
      for (const key of backend.getKeys('v')) {
        backend.setCurrentKey(key);
        state.clear();
        visited++;
      }
      expect(visited).toBe(49);
      expect([...backend.getKeys('v')]).toEqual([]);
    });

    it('refuses a state that was never requested', async () => {
      const backend = await create();
      expect(() => backend.getKeys('nope')).toThrow(StateAccessError);
    });
  });

}
