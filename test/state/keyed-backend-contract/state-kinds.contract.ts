/**
 * Contract: the operations and copy semantics of the five state kinds.
 */
import { describe, expect, it } from 'vitest';
import { StateAccessError } from '../../../src/core/errors.js';
import { keyId, type Key } from '../../../src/core/key-encoding.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/state/descriptors.js';
import { sum, average, type ContractHarness } from './fixtures.js';

/** Value, list, map, reducing and aggregating state. */
export function describeStateKindsContract(h: ContractHarness): void {
  const { create, snapshotOf } = h;
  describe('value state', () => {
    it('is undefined when unset, holds what update stored, and clears', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ValueStateDescriptor<string | null>('v'));
      backend.setCurrentKey('a');
      expect(state.value()).toBeUndefined();
      state.update('x');
      expect(state.value()).toBe('x');
      state.update(null);
      expect(state.value()).toBeNull();
      state.clear();
      expect(state.value()).toBeUndefined();
      state.update('y');
      state.update(undefined);
      expect(state.value()).toBeUndefined();
    });

    it('keeps the values of different keys apart', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ValueStateDescriptor<number>('v'));
      const keys: Key[] = ['a', 'b', 1, 1n, '1', true, ['a', 1], ['a', '1'], 0, 2 ** 40, -1.5];
      keys.forEach((key, i) => {
        backend.setCurrentKey(key);
        state.update(i);
      });
      keys.forEach((key, i) => {
        backend.setCurrentKey(key);
        expect(state.value()).toBe(i);
      });
      backend.setCurrentKey(-0);
      expect(state.value()).toBe(keys.indexOf(0)); // -0 and 0 are the same key
    });

    it('stores a copy: mutating an object after update or after value changes nothing', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ValueStateDescriptor<{ n: number; tags: string[] }>('v'));
      backend.setCurrentKey('a');
      const value = { n: 1, tags: ['x'] };
      state.update(value);
      value.n = 2;
      value.tags.push('y');
      const read = state.value()!;
      expect(read).toEqual({ n: 1, tags: ['x'] });
      read.tags.push('z');
      expect(state.value()).toEqual({ n: 1, tags: ['x'] });
    });

    it('keeps Maps, Sets, Dates and bigints with their types through snapshot and restore', async () => {
      const backend = await create();
      const descriptor = new ValueStateDescriptor<unknown>('v');
      const state = backend.getPartitionedState(descriptor);
      const value = { m: new Map([[1, { s: new Set(['a']) }]]), d: new Date(7), b: 2n ** 70n, u: undefined };
      backend.setCurrentKey('a');
      state.update(value);
      const restored = await create();
      restored.restore([await snapshotOf(backend)]);
      restored.setCurrentKey('a');
      const back = restored.getPartitionedState(descriptor).value();
      expect(back).toEqual(value);
      expect((back as typeof value).m).toBeInstanceOf(Map);
    });

    it('refuses values that are not plain data', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ValueStateDescriptor<unknown>('v'));
      backend.setCurrentKey('a');
      expect(() => state.update(() => 1)).toThrow(StateAccessError);
      expect(() => state.update({ f: () => 1 })).toThrow(/value state 'v'/);
    });
  });

  describe('list state', () => {
    it('adds, adds all, replaces and clears', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ListStateDescriptor<number>('l'));
      backend.setCurrentKey('a');
      expect([...state.get()]).toEqual([]);
      state.add(1);
      state.addAll([2, 3]);
      expect([...state.get()]).toEqual([1, 2, 3]);
      state.update([9]);
      expect([...state.get()]).toEqual([9]);
      state.addAll([]);
      expect([...state.get()]).toEqual([9]);
      state.update([]);
      expect([...state.get()]).toEqual([]);
      state.add(4);
      state.clear();
      expect([...state.get()]).toEqual([]);
    });

    it('rejects null and undefined elements without changing the list', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ListStateDescriptor<number | null | undefined>('l'));
      backend.setCurrentKey('a');
      state.add(1);
      expect(() => state.add(undefined)).toThrow(StateAccessError);
      expect(() => state.add(null)).toThrow(/list state 'l': cannot add null/);
      expect(() => state.addAll([2, undefined])).toThrow(StateAccessError);
      expect(() => state.update([3, null])).toThrow(StateAccessError);
      expect([...state.get()]).toEqual([1]);
    });

    it('returns a copy from get and stores copies of added elements', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ListStateDescriptor<{ n: number }>('l'));
      backend.setCurrentKey('a');
      const element = { n: 1 };
      state.add(element);
      element.n = 2;
      const list = state.get() as Array<{ n: number }>;
      list[0]!.n = 3;
      list.push({ n: 4 });
      expect([...state.get()]).toEqual([{ n: 1 }]);
    });
  });

  describe('map state', () => {
    it('supports get, put, putAll, remove, contains, entries, keys, values, isEmpty and clear', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new MapStateDescriptor<Key, string>('m'));
      backend.setCurrentKey('a');
      expect(state.isEmpty()).toBe(true);
      expect(state.get('x')).toBeUndefined();
      state.put('x', 'X');
      state.putAll([[1, 'one'], [['t', 2], 'tuple']]);
      state.putAll(new Map<Key, string>([[1n, 'big']]));
      expect(state.get('x')).toBe('X');
      expect(state.get(['t', 2])).toBe('tuple');
      expect(state.contains(1)).toBe(true);
      expect(state.contains('1')).toBe(false);
      expect(state.get(1n)).toBe('big');
      expect(new Set(state.keys())).toEqual(new Set(['x', 1, ['t', 2], 1n]));
      expect(new Set(state.values())).toEqual(new Set(['X', 'one', 'tuple', 'big']));
      expect(new Map([...state.entries()].map(([k, v]) => [keyId(k), v]))).toEqual(
        new Map<unknown, string>([
          ['x', 'X'],
          [1, 'one'],
          [keyId(['t', 2]), 'tuple'],
          [1n, 'big'],
        ]),
      );
      state.remove('x');
      state.remove('not there');
      expect(state.contains('x')).toBe(false);
      expect(state.isEmpty()).toBe(false);
      state.clear();
      expect(state.isEmpty()).toBe(true);
      expect([...state.entries()]).toEqual([]);
    });

    it('is empty again once its last entry is removed', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new MapStateDescriptor<string, number>('m'));
      backend.setCurrentKey('a');
      state.put('x', 1);
      state.remove('x');
      expect(state.isEmpty()).toBe(true);
      expect([...backend.getKeys('m')]).toEqual([]);
    });

    it('rejects user keys that are not key-like values', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new MapStateDescriptor<unknown, number>('m'));
      backend.setCurrentKey('a');
      expect(() => state.put({ id: 1 }, 1)).toThrow(StateAccessError);
      expect(() => state.put({ id: 1 }, 1)).toThrow(/map state 'm': unsupported map key/);
      expect(() => state.put(NaN, 1)).toThrow(StateAccessError);
      expect(() => state.get(undefined)).toThrow(StateAccessError);
      expect(() => state.put(['ok', { no: 1 }], 1)).toThrow(StateAccessError);
    });

    it('copies values in and out', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new MapStateDescriptor<string, number[]>('m'));
      backend.setCurrentKey('a');
      const value = [1];
      state.put('x', value);
      value.push(2);
      state.get('x')!.push(3);
      for (const [, v] of state.entries()) v.push(4);
      for (const v of state.values()) v.push(5);
      expect(state.get('x')).toEqual([1]);
    });
  });

  describe('reducing state', () => {
    it('folds added values with the reduce function and clears', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ReducingStateDescriptor<number>('r', sum));
      backend.setCurrentKey('a');
      expect(state.get()).toBeUndefined();
      state.add(2);
      state.add(5);
      expect(state.get()).toBe(7);
      state.clear();
      expect(state.get()).toBeUndefined();
      state.add(1);
      expect(state.get()).toBe(1);
    });

    it('accepts a reduce function object', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(
        new ReducingStateDescriptor<string>('r', { reduce: (a: string, b: string) => a + b }),
      );
      backend.setCurrentKey('a');
      state.add('x');
      state.add('y');
      expect(state.get()).toBe('xy');
    });
  });

  describe('aggregating state', () => {
    it('returns getResult of the accumulator, undefined when nothing was added', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new AggregatingStateDescriptor('avg', average));
      backend.setCurrentKey('a');
      expect(state.get()).toBeUndefined();
      state.add(2);
      state.add(4);
      expect(state.get()).toBe(3);
      backend.setCurrentKey('b');
      expect(state.get()).toBeUndefined();
      state.add(10);
      expect(state.get()).toBe(10);
      backend.setCurrentKey('a');
      state.clear();
      expect(state.get()).toBeUndefined();
    });
  });

}
