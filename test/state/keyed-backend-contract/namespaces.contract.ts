/**
 * Contract: namespaces (windows) and merging namespaces.
 */
import { describe, expect, it } from 'vitest';
import { StateAccessError } from '../../../src/core/errors.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/state/descriptors.js';
import { keyId, type Key } from '../../../src/core/key-encoding.js';
import { VOID_NAMESPACE, type Namespace } from '../../../src/state/namespace.js';
import { sum, average, type ContractHarness } from './fixtures.js';

/** Namespaces. */
export function describeNamespacesContract(h: ContractHarness): void {
  const { create } = h;
  describe('namespaces', () => {
    it('keeps the values of each namespace of a key apart from the default namespace', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ValueStateDescriptor<string>('v'));
      backend.setCurrentKey('a');
      state.update('default');
      state.setCurrentNamespace([0, 10]);
      expect(state.value()).toBeUndefined();
      state.update('window 0-10');
      state.setCurrentNamespace([10, 20]);
      state.update('window 10-20');
      expect(state.getCurrentNamespace()).toEqual([10, 20]);
      backend.setCurrentKey('b');
      expect(state.value()).toBeUndefined();
      backend.setCurrentKey('a');
      expect(state.value()).toBe('window 10-20');
      state.setCurrentNamespace([0, 10]);
      expect(state.value()).toBe('window 0-10');
      state.clear();
      expect(state.value()).toBeUndefined();
      state.setCurrentNamespace(VOID_NAMESPACE);
      expect(state.value()).toBe('default');
    });

    it('lists the keys of one namespace', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ListStateDescriptor<number>('l'));
      for (const key of ['a', 'b', 'c']) {
        backend.setCurrentKey(key);
        state.add(1);
      }
      state.setCurrentNamespace('w1');
      backend.setCurrentKey('b');
      state.add(2);
      expect(new Set(backend.getKeys('l'))).toEqual(new Set(['a', 'b', 'c']));
      expect([...backend.getKeys('l', 'w1')]).toEqual(['b']);
      expect([...backend.getKeys('l', 'w2')]).toEqual([]);
    });

    it('merges namespaces of list, reducing and aggregating state', async () => {
      const backend = await create();
      const list = backend.getPartitionedState(new ListStateDescriptor<number>('l'));
      const reducing = backend.getPartitionedState(new ReducingStateDescriptor<number>('r', sum));
      const aggregating = backend.getPartitionedState(new AggregatingStateDescriptor('a', average));
      backend.setCurrentKey('k');
      for (const [ns, values] of [['w1', [1, 2]], ['w2', [3]], ['w3', [6]]] as const) {
        for (const state of [list, reducing, aggregating]) state.setCurrentNamespace(ns);
        for (const v of values) {
          list.add(v);
          reducing.add(v);
          aggregating.add(v);
        }
      }
      for (const state of [list, reducing, aggregating]) {
        state.setCurrentNamespace(VOID_NAMESPACE);
        state.mergeNamespaces('w3', ['w1', 'w2']);
        expect(state.getCurrentNamespace()).toBe(VOID_NAMESPACE);
        state.setCurrentNamespace('w3');
      }
      expect([...list.get()]).toEqual([6, 1, 2, 3]);
      expect(reducing.get()).toBe(12);
      expect(aggregating.get()).toBe(3);
      for (const state of [list, reducing, aggregating]) state.setCurrentNamespace('w1');
      expect([...list.get()]).toEqual([]);
      expect(reducing.get()).toBeUndefined();
      expect(aggregating.get()).toBeUndefined();
    });

    it('lists every (key, namespace) pair that has a value, in every namespace, and nothing cleared', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ValueStateDescriptor<string>('v'));
      backend.getPartitionedState(new ValueStateDescriptor<string>('other'));
      const pairs: Array<[Key, Namespace]> = [
        ['a', VOID_NAMESPACE],
        ['a', [0, 10]],
        [['t', 1], [0, 10]],
        [7, 'w'],
        [7n, VOID_NAMESPACE],
      ];
      for (const [key, namespace] of pairs) {
        backend.setCurrentKey(key);
        state.setCurrentNamespace(namespace);
        state.update('x');
      }
      backend.setCurrentKey('gone');
      state.setCurrentNamespace('w');
      state.update('x');
      state.clear();
      const listed = [...backend.getKeysAndNamespaces('v')];
      const ids = (list: ReadonlyArray<readonly [Key, Namespace]>): string[] =>
        list.map(([k, ns]) => JSON.stringify([typeof k, keyId(k), ns === VOID_NAMESPACE ? 'void' : keyId(ns)], (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
      expect(ids(listed)).toEqual(ids(pairs));
      expect([...backend.getKeysAndNamespaces('other')]).toEqual([]);
      expect(() => backend.getKeysAndNamespaces('never-requested')).toThrow(StateAccessError);
    });

    it('says which states exist: requested, or restored and not yet requested', async () => {
      const backend = await create();
      expect(backend.hasState('v')).toBe(false);
      const state = backend.getPartitionedState(new ValueStateDescriptor<string>('v'));
      expect(backend.hasState('v')).toBe(true);
      backend.setCurrentKey('a');
      state.update('x');
      const restored = await create();
      restored.restore([await h.snapshotOf(backend)]);
      expect(restored.hasState('v')).toBe(true);
      expect(restored.hasState('w')).toBe(false);
    });

    it('rejects a namespace that is not key-like', async () => {
      const backend = await create();
      const state = backend.getPartitionedState(new ValueStateDescriptor<string>('v'));
      expect(() => state.setCurrentNamespace({ start: 0 } as never)).toThrow(StateAccessError);
    });
  });

}
