/**
 * Schema evolution of keyed and operator state at the unit level (DESIGN §4.4): every
 * kind migrates value by value, and every incompatibility is a RestoreError that names
 * the operator and the state and says what to do. The end-to-end version, through
 * savepoints of a running job, is test/integration/savepoints/schema-evolution.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { RestoreError } from '../../src/core/errors.js';
import { KeyGroupRange } from '../../src/core/key-group-range.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../src/state/descriptors.js';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.js';
import type { KeyedStateSnapshot } from '../../src/state/keyed-state-backend.js';
import { OperatorStateStore } from '../../src/state/operator/operator-state-store.js';
import type { AggregateFunction } from '../../src/state/state.js';

const OWNER = "operator 'temps' (subtask 1/2)";
const NOT_NON_RESTORED = '--allow-non-restored-state does not help here: it only drops the state of operators the job no longer has';

interface Kelvin {
  kelvin: number;
}
const toKelvin = (old: unknown): Kelvin => ({ kelvin: (old as number) + 273 });

const backend = (): HeapKeyedStateBackend =>
  new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127), owner: OWNER });

async function snapshotOf(b: HeapKeyedStateBackend): Promise<KeyedStateSnapshot> {
  return b.snapshot(1).run();
}

const celsiusMean: AggregateFunction<number, [number, number], number> = {
  createAccumulator: () => [0, 0],
  add: (v, acc) => [acc[0] + v, acc[1] + 1],
  getResult: (acc) => acc[0] / acc[1],
  merge: (a, b) => [a[0] + b[0], a[1] + b[1]],
};

interface KelvinAcc {
  kelvinSum: number;
  count: number;
}
const kelvinMean: AggregateFunction<number, KelvinAcc, KelvinAcc> = {
  createAccumulator: () => ({ kelvinSum: 0, count: 0 }),
  add: (v, acc) => {
    acc.kelvinSum += v + 273;
    acc.count += 1;
    return acc;
  },
  getResult: (acc) => ({ ...acc }),
  merge: (a, b) => ({ kelvinSum: a.kelvinSum + b.kelvinSum, count: a.count + b.count }),
};

/** Version-1 state of every kind for keys 'a' and 'b', in Celsius. */
async function version1(): Promise<KeyedStateSnapshot> {
  const b = backend();
  const value = b.getPartitionedState(new ValueStateDescriptor<number>('last'));
  const list = b.getPartitionedState(new ListStateDescriptor<number>('history'));
  const map = b.getPartitionedState(new MapStateDescriptor<number, number>('byBucket'));
  const reducing = b.getPartitionedState(new ReducingStateDescriptor<number>('max', Math.max));
  const aggregating = b.getPartitionedState(new AggregatingStateDescriptor('mean', celsiusMean));
  for (const [key, readings] of [['a', [10, 20]], ['b', [-5]]] as const) {
    b.setCurrentKey(key);
    readings.forEach((c, i) => {
      value.update(c);
      list.add(c);
      map.put(i, c);
      reducing.add(c);
      aggregating.add(c);
    });
  }
  return snapshotOf(b);
}

describe('keyed state schema evolution', () => {
  it('migrates values, list elements, map values, reduced values and accumulators', async () => {
    const b = backend();
    b.restore([await version1()]);
    const calls: number[] = [];
    const migrate = (old: unknown, from: number): Kelvin => {
      calls.push(from);
      return toKelvin(old);
    };
    const value = b.getPartitionedState(new ValueStateDescriptor<Kelvin>('last', { version: 2, migrate }));
    const list = b.getPartitionedState(new ListStateDescriptor<Kelvin>('history', { version: 2, migrate }));
    const map = b.getPartitionedState(new MapStateDescriptor<number, Kelvin>('byBucket', { version: 2, migrate }));
    const maxKelvin = (x: Kelvin, y: Kelvin): Kelvin => (x.kelvin >= y.kelvin ? x : y);
    const reducing = b.getPartitionedState(new ReducingStateDescriptor<Kelvin>('max', maxKelvin, { version: 2, migrate }));
    const aggregating = b.getPartitionedState(
      new AggregatingStateDescriptor('mean', kelvinMean, {
        version: 2,
        migrate: (old) => {
          const [sum, count] = old as [number, number];
          return { kelvinSum: sum + 273 * count, count };
        },
      }),
    );
    b.setCurrentKey('a');
    expect(value.value()).toEqual({ kelvin: 293 });
    expect(list.get()).toEqual([{ kelvin: 283 }, { kelvin: 293 }]);
    expect(new Map(map.entries())).toEqual(new Map([[0, { kelvin: 283 }], [1, { kelvin: 293 }]]));
    expect(reducing.get()).toEqual({ kelvin: 293 });
    expect(aggregating.get()).toEqual({ kelvinSum: 576, count: 2 });
    b.setCurrentKey('b');
    expect(value.value()).toEqual({ kelvin: 268 });
    aggregating.add(5);
    expect(aggregating.get()).toEqual({ kelvinSum: 268 + 278, count: 2 });
    // one call per stored value: a value, two + one list elements, two + one map values, a reduced value, per key
    expect(calls).toHaveLength(2 + 3 + 3 + 2);
    expect(new Set(calls)).toEqual(new Set([1]));

    // the migrated state is written as version 2 and restores as it is
    const again = backend();
    again.restore([await snapshotOf(b)]);
    again.setCurrentKey('a');
    expect(again.getPartitionedState(new ListStateDescriptor<Kelvin>('history', { version: 2 })).get()).toEqual([
      { kelvin: 283 },
      { kelvin: 293 },
    ]);
  });

  it('copies what migrate returns, so a shared result never ties two entries together', async () => {
    const b = backend();
    b.restore([await version1()]);
    const shared = { kelvinSum: 0, count: 0 };
    const aggregating = b.getPartitionedState(new AggregatingStateDescriptor('mean', kelvinMean, { version: 2, migrate: () => shared }));
    b.setCurrentKey('a');
    aggregating.add(1);
    b.setCurrentKey('b');
    expect(aggregating.get()).toEqual({ kelvinSum: 0, count: 0 });
    expect(shared).toEqual({ kelvinSum: 0, count: 0 });
  });

  it('names the operator and the state, and says what to do, for every incompatibility', async () => {
    const snapshot = await version1();
    const restored = (): HeapKeyedStateBackend => {
      const b = backend();
      b.restore([snapshot]);
      return b;
    };
    expect(() => restored().getPartitionedState(new ValueStateDescriptor<Kelvin>('last', { version: 2 }))).toThrow(
      new RestoreError(
        `${OWNER}: state 'last' cannot be restored: it was written with state version 1 and the descriptor is version 2 ` +
          'but has no migrate(old, fromVersion) to convert it; give the descriptor a migrate(old, fromVersion), or restore ' +
          `with the descriptor at version 1 (${NOT_NON_RESTORED})`,
      ),
    );
    expect(() => restored().getPartitionedState(new ListStateDescriptor<number>('last'))).toThrow(
      new RestoreError(
        `${OWNER}: state 'last' cannot be restored: it was saved as value state but is now requested as list state, and a ` +
          `state cannot change its kind; request it as value state, or give the new state another name (${NOT_NON_RESTORED})`,
      ),
    );
    const failing = () => {
      throw new Error('no such reading');
    };
    expect(() => restored().getPartitionedState(new MapStateDescriptor<number, Kelvin>('byBucket', { version: 2, migrate: failing }))).toThrow(
      new RestoreError(
        `${OWNER}: state 'byBucket' cannot be restored: migrate(old, 1) failed on a map value while converting it to version 2: no such reading`,
      ),
    );
    expect(() => restored().getPartitionedState(new ListStateDescriptor<Kelvin>('history', { version: 2, migrate: () => undefined as never }))).toThrow(
      /state 'history' cannot be restored: migrate\(old, 1\) returned undefined for a list element; list elements may not be null or undefined/,
    );

    const newer = backend();
    newer.getPartitionedState(new ValueStateDescriptor<number>('last', { version: 3 }));
    const fromNewer = backend();
    fromNewer.restore([await snapshotOf(newer)]);
    expect(() => fromNewer.getPartitionedState(new ValueStateDescriptor<number>('last', { version: 2, migrate: toKelvin as never }))).toThrow(
      new RestoreError(
        `${OWNER}: state 'last' cannot be restored: it was written with state version 3, newer than the descriptor's version 2, ` +
          `and state is never migrated back; restore it with a job whose descriptor has version 3 or later (${NOT_NON_RESTORED})`,
      ),
    );
  });

  it('leaves the restored state in place after a failed request, for a compatible descriptor', async () => {
    const b = backend();
    b.restore([await version1()]);
    expect(() => b.getPartitionedState(new ValueStateDescriptor<Kelvin>('last', { version: 2, migrate: () => { throw new Error('x'); } }))).toThrow(RestoreError);
    const value = b.getPartitionedState(new ValueStateDescriptor<Kelvin>('last', { version: 2, migrate: toKelvin }));
    b.setCurrentKey('a');
    expect(value.value()).toEqual({ kelvin: 293 });
  });
});

describe('operator state schema evolution', () => {
  const snapshot = (() => {
    const store = new OperatorStateStore();
    store.getListState(new ListStateDescriptor<number>('offsets')).addAll([1, 2]);
    store.getUnionListState(new ListStateDescriptor<number>('reference')).add(100);
    store.getBroadcastState(new MapStateDescriptor<string, number>('limits')).putAll([['min', -20], ['max', 40]]);
    return store.snapshot();
  })();
  const restored = (): OperatorStateStore => {
    const store = new OperatorStateStore({ operator: 'calibration', subtaskIndex: 0, parallelism: 2 });
    store.restore(snapshot);
    return store;
  };

  it('migrates list items, union list items and broadcast values (never keys)', () => {
    const store = restored();
    const migrate = (old: unknown, from: number): Kelvin => (from === 1 ? toKelvin(old) : (old as Kelvin));
    expect(store.getListState(new ListStateDescriptor<Kelvin>('offsets', { version: 2, migrate })).get()).toEqual([{ kelvin: 274 }, { kelvin: 275 }]);
    expect(store.getUnionListState(new ListStateDescriptor<Kelvin>('reference', { version: 2, migrate })).get()).toEqual([{ kelvin: 373 }]);
    const limits = store.getBroadcastState(new MapStateDescriptor<string, Kelvin>('limits', { version: 2, migrate }));
    expect(new Map(limits.entries())).toEqual(new Map([['min', { kelvin: 253 }], ['max', { kelvin: 313 }]]));
    expect(store.snapshot().states.map((s) => [s.name, s.descriptorVersion])).toEqual([['limits', 2], ['offsets', 2], ['reference', 2]]);
  });

  it('names the operator and the state, and says what to do, for every incompatibility', () => {
    const where = "operator 'calibration' (subtask 1/2): operator state";
    expect(() => restored().getUnionListState(new ListStateDescriptor<Kelvin>('reference', { version: 2 }))).toThrow(
      new RestoreError(
        `${where} 'reference' cannot be restored: it was written with state version 1 and the descriptor is version 2 but ` +
          'has no migrate(old, fromVersion) to convert it; give the descriptor a migrate(old, fromVersion), or restore with ' +
          `the descriptor at version 1 (${NOT_NON_RESTORED})`,
      ),
    );
    expect(() => restored().getListState(new ListStateDescriptor<number>('limits'))).toThrow(
      new RestoreError(
        `${where} 'limits' cannot be restored: it was saved as broadcast state (getBroadcastState) but is now requested as ` +
          'list state (getListState), and a state cannot change its kind; request it as broadcast state (getBroadcastState), ' +
          `or give the new state another name (${NOT_NON_RESTORED})`,
      ),
    );
    const failing = () => {
      throw new Error('no such reading');
    };
    expect(() => restored().getBroadcastState(new MapStateDescriptor<string, Kelvin>('limits', { version: 2, migrate: failing }))).toThrow(
      new RestoreError(
        `${where} 'limits' cannot be restored: migrate(old, 1) failed on value of entry 0 while converting it to version 2: no such reading`,
      ),
    );
    expect(() => restored().getListState(new ListStateDescriptor<Kelvin>('offsets', { version: 2, migrate: () => null as never }))).toThrow(
      `${where} 'offsets' cannot be restored: migrate(old, 1) returned null for item 0; list elements may not be null or undefined`,
    );
    const newer = new OperatorStateStore();
    newer.getListState(new ListStateDescriptor<number>('offsets', { version: 3 })).add(1);
    const fromNewer = new OperatorStateStore({ operator: 'calibration', subtaskIndex: 0, parallelism: 2 });
    fromNewer.restore(newer.snapshot());
    expect(() => fromNewer.getListState(new ListStateDescriptor<number>('offsets', { version: 2 }))).toThrow(
      new RestoreError(
        `${where} 'offsets' cannot be restored: it was written with state version 3, newer than the descriptor's version 2, ` +
          `and state is never migrated back; restore it with a job whose descriptor has version 3 or later (${NOT_NON_RESTORED})`,
      ),
    );
  });
});
