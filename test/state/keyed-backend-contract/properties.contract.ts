/**
 * Contract: property tests against a simple model, with snapshot and restore at random parallelism.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyId, type Key } from '../../../src/core/key-encoding.js';
import { assignToKeyGroup, keyGroupRangeForOperator } from '../../../src/core/key-groups.js';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/state/descriptors.js';
import type { KeyedStateBackend } from '../../../src/state/keyed-state-backend.js';
import { MAX_P, sum, type ContractHarness } from './fixtures.js';

/** Random operations on random keys against a model Map. */
export function describePropertiesContract(h: ContractHarness): void {
  const { create, snapshotOf, created } = h;
  describe('properties', () => {
    type Op =
      | { type: 'value'; key: Key; v: number | undefined }
      | { type: 'list'; key: Key; v: number }
      | { type: 'listUpdate'; key: Key; vs: number[] }
      | { type: 'mapPut'; key: Key; uk: Key; v: number }
      | { type: 'mapRemove'; key: Key; uk: Key }
      | { type: 'reduce'; key: Key; v: number }
      | { type: 'clear'; key: Key };

    const keyArb: fc.Arbitrary<Key> = fc.oneof(
      fc.integer({ min: -20, max: 20 }),
      fc.constantFrom('a', 'b', 'c', 'ü', ''),
      fc.constantFrom(1n, 2n ** 64n, true, false),
      fc.tuple(fc.constantFrom('x', 'y'), fc.integer({ min: 0, max: 3 })),
    );
    const userKeyArb: fc.Arbitrary<Key> = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom('p', 'q'));
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ type: fc.constant('value' as const), key: keyArb, v: fc.option(fc.integer(), { nil: undefined }) }),
      fc.record({ type: fc.constant('list' as const), key: keyArb, v: fc.integer() }),
      fc.record({ type: fc.constant('listUpdate' as const), key: keyArb, vs: fc.array(fc.integer(), { maxLength: 3 }) }),
      fc.record({ type: fc.constant('mapPut' as const), key: keyArb, uk: userKeyArb, v: fc.integer() }),
      fc.record({ type: fc.constant('mapRemove' as const), key: keyArb, uk: userKeyArb }),
      fc.record({ type: fc.constant('reduce' as const), key: keyArb, v: fc.integer({ min: -100, max: 100 }) }),
      fc.record({ type: fc.constant('clear' as const), key: keyArb }),
    );

    interface ModelEntry {
      key: Key;
      value?: number;
      list: number[];
      map: Map<string | number | bigint | boolean, number>;
      reduced?: number;
    }
    type Model = Map<string | number | bigint | boolean, ModelEntry>;

    const applyToModel = (model: Model, op: Op): void => {
      const id = keyId(op.key);
      let entry = model.get(id);
      if (entry === undefined) model.set(id, (entry = { key: op.key, list: [], map: new Map() }));
      switch (op.type) {
        case 'value':
          entry.value = op.v;
          break;
        case 'list':
          entry.list.push(op.v);
          break;
        case 'listUpdate':
          entry.list = [...op.vs];
          break;
        case 'mapPut':
          entry.map.set(keyId(op.uk), op.v);
          break;
        case 'mapRemove':
          entry.map.delete(keyId(op.uk));
          break;
        case 'reduce':
          entry.reduced = (entry.reduced ?? 0) + op.v;
          break;
        case 'clear':
          entry.value = undefined;
          entry.list = [];
          entry.map.clear();
          entry.reduced = undefined;
      }
    };

    const states = (backend: KeyedStateBackend) => ({
      value: backend.getPartitionedState(new ValueStateDescriptor<number>('value')),
      list: backend.getPartitionedState(new ListStateDescriptor<number>('list')),
      map: backend.getPartitionedState(new MapStateDescriptor<Key, number>('map')),
      reduced: backend.getPartitionedState(new ReducingStateDescriptor<number>('reduced', sum)),
    });

    const applyToBackend = (backend: KeyedStateBackend, op: Op): void => {
      const s = states(backend);
      backend.setCurrentKey(op.key);
      switch (op.type) {
        case 'value':
          s.value.update(op.v);
          break;
        case 'list':
          s.list.add(op.v);
          break;
        case 'listUpdate':
          s.list.update(op.vs);
          break;
        case 'mapPut':
          s.map.put(op.uk, op.v);
          break;
        case 'mapRemove':
          s.map.remove(op.uk);
          break;
        case 'reduce':
          s.reduced.add(op.v);
          break;
        case 'clear':
          for (const state of Object.values(s)) state.clear();
      }
    };

    /** Checks that the backends (together covering all key groups) hold exactly the model. */
    const expectModel = (backends: KeyedStateBackend[], model: Model): void => {
      for (const entry of model.values()) {
        const backend = backends.find((b) => b.keyGroupRange.contains(assignToKeyGroup(entry.key, MAX_P)))!;
        const s = states(backend);
        backend.setCurrentKey(entry.key);
        expect(s.value.value()).toBe(entry.value);
        expect([...s.list.get()]).toEqual(entry.list);
        expect(new Map([...s.map.entries()].map(([k, v]) => [keyId(k), v]))).toEqual(entry.map);
        expect(s.reduced.get()).toBe(entry.reduced);
      }
      const expectedValueKeys = [...model.values()].filter((e) => e.value !== undefined).map((e) => keyId(e.key));
      const actualValueKeys = backends.flatMap((b) => {
        states(b);
        return [...b.getKeys('value')].map((k) => keyId(k));
      });
      expect(new Set(actualValueKeys)).toEqual(new Set(expectedValueKeys));
      expect(actualValueKeys).toHaveLength(expectedValueKeys.length);
    };

    it('matches a simple model under random operations, and after restore at a random new parallelism', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(opArb, { maxLength: 60 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 5 }),
          async (ops, oldParallelism, newParallelism) => {
            const model: Model = new Map();
            const old: KeyedStateBackend[] = [];
            for (let i = 0; i < oldParallelism; i++) old.push(await create(keyGroupRangeForOperator(MAX_P, oldParallelism, i)));
            for (const op of ops) {
              applyToModel(model, op);
              applyToBackend(old.find((b) => b.keyGroupRange.contains(assignToKeyGroup(op.key, MAX_P)))!, op);
            }
            expectModel(old, model);
            const snapshots = await Promise.all(old.map((b) => snapshotOf(b)));
            const fresh: KeyedStateBackend[] = [];
            for (let i = 0; i < newParallelism; i++) {
              const backend = await create(keyGroupRangeForOperator(MAX_P, newParallelism, i));
              backend.restore(snapshots);
              fresh.push(backend);
            }
            expectModel(fresh, model);
            for (const backend of created.splice(0)) backend.dispose();
          },
        ),
        { numRuns: h.propertyRuns ?? 60 },
      );
    });

    it('snapshots exactly the state as of snapshot(), whatever is written before run()', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(opArb, { maxLength: 40 }),
          fc.array(opArb, { maxLength: 40 }),
          fc.integer({ min: 1, max: 3 }),
          async (before, after, newParallelism) => {
            const model: Model = new Map();
            const backend = await create();
            for (const op of before) {
              applyToModel(model, op);
              applyToBackend(backend, op);
            }
            const runner = backend.snapshot(1);
            const liveModel: Model = new Map(
              [...model].map(([id, e]) => [id, { ...e, list: [...e.list], map: new Map(e.map) }]),
            );
            for (const op of after) {
              applyToModel(liveModel, op);
              applyToBackend(backend, op);
            }
            const snapshot = await runner.run();
            expectModel([backend], liveModel);
            const fresh: KeyedStateBackend[] = [];
            for (let i = 0; i < newParallelism; i++) {
              const restored = await create(keyGroupRangeForOperator(MAX_P, newParallelism, i));
              restored.restore([snapshot]);
              fresh.push(restored);
            }
            expectModel(fresh, model);
            for (const b of created.splice(0)) b.dispose();
          },
        ),
        { numRuns: h.propertyRuns ?? 60 },
      );
    });
  });
}
