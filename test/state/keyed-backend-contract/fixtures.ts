/**
 * What the keyed state backend contract suites share: the harness that creates backends
 * under test, standard descriptors and functions, and helpers to fill and check a backend.
 */
import { expect } from 'vitest';
import { assignToKeyGroup } from '../../../src/core/key-groups.js';
import type { Key } from '../../../src/core/key-encoding.js';
import { KeyGroupRange } from '../../../src/core/key-group-range.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/state/descriptors.js';
import type { FullKeyedStateSnapshot, KeyedStateBackend, KeyedStateSnapshot } from '../../../src/state/keyed-state-backend.js';
import { VOID_NAMESPACE } from '../../../src/state/namespace.js';
import type { AggregateFunction } from '../../../src/state/state.js';

/** The maxParallelism the contract uses. */
export const MAX_P = 128;
/** All key groups at {@link MAX_P}. */
export const FULL: KeyGroupRange = KeyGroupRange.of(0, MAX_P - 1);

/** How the suites reach the backend under test. */
export interface ContractHarness {
  /** Creates a backend (disposed after the test). @default range FULL, maxParallelism MAX_P */
  create(range?: KeyGroupRange, maxParallelism?: number): Promise<KeyedStateBackend>;
  /** Takes a snapshot as a checkpoint would (full or incremental), runs it, and makes it restorable. */
  snapshotOf(backend: KeyedStateBackend, checkpointId?: number): Promise<KeyedStateSnapshot>;
  /** Takes a full snapshot (canonical bytes, as a savepoint) and runs it. */
  fullSnapshotOf(backend: KeyedStateBackend, checkpointId?: number): Promise<FullKeyedStateSnapshot>;
  /** Runs per property test (backends that are slow to create use fewer). @default 60 */
  readonly propertyRuns?: number;
  /** The backends created in the current test; a property test may dispose them between runs. */
  readonly created: KeyedStateBackend[];
}

/** A reduce function. */
export const sum = (a: number, b: number): number => a + b;

/** The accumulator of {@link average}. */
export interface Avg {
  sum: number;
  count: number;
}

/** An aggregate function that changes its accumulator in place, as many do. */
export const average: AggregateFunction<number, Avg, number> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (value, acc) => {
    acc.sum += value;
    acc.count += 1;
    return acc;
  },
  getResult: (acc) => acc.sum / acc.count,
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

/** One descriptor of each kind, named after the kind. */
export const descriptors = {
  value: () => new ValueStateDescriptor<unknown>('value'),
  list: () => new ListStateDescriptor<unknown>('list'),
  map: () => new MapStateDescriptor<Key, unknown>('map'),
  reducing: () => new ReducingStateDescriptor<number>('reducing', sum),
  aggregating: () => new AggregatingStateDescriptor('aggregating', average),
};

/** The `skip`-th key of the form `k<i>` whose key group (at {@link MAX_P}) is `keyGroup`. */
export function keyInGroup(keyGroup: number, skip = 0): string {
  let found = 0;
  for (let i = 0; ; i++) {
    const key = `k${i}`;
    if (assignToKeyGroup(key, MAX_P) === keyGroup && found++ === skip) return key;
  }
}

/** A copy of a snapshot with the byte at `at` inverted. */
export function flipByte(snapshot: FullKeyedStateSnapshot, at: number): FullKeyedStateSnapshot {
  const bytes = snapshot.bytes.slice();
  bytes[at] = bytes[at]! ^ 0xff;
  return { ...snapshot, bytes };
}

/**
 * Writes all five kinds (and a namespace of the value state) for the keys `key-0` ..
 * `key-<n-1>` that fall into `backend`'s range, and returns the backend.
 */
export function fillBackend(backend: KeyedStateBackend, n: number): KeyedStateBackend {
  const value = backend.getPartitionedState(descriptors.value());
  const list = backend.getPartitionedState(descriptors.list());
  const map = backend.getPartitionedState(descriptors.map());
  const reducing = backend.getPartitionedState(descriptors.reducing());
  const aggregating = backend.getPartitionedState(descriptors.aggregating());
  for (let i = 0; i < n; i++) {
    const key = `key-${i}`;
    if (!backend.keyGroupRange.contains(assignToKeyGroup(key, MAX_P))) continue;
    backend.setCurrentKey(key);
    value.update({ i, name: `n${i}` });
    list.addAll([i, i + 1]);
    map.put(i, `v${i}`);
    map.put(['t', i], i);
    reducing.add(i);
    reducing.add(1);
    aggregating.add(i);
    value.setCurrentNamespace(['w', i % 3]);
    value.update(i * 10);
    value.setCurrentNamespace(VOID_NAMESPACE);
  }
  return backend;
}

/**
 * Checks that `backend` holds exactly what {@link fillBackend} writes for the keys in its
 * range, and returns how many keys that is.
 */
export function expectFilled(backend: KeyedStateBackend, n: number): number {
  const value = backend.getPartitionedState(descriptors.value());
  const list = backend.getPartitionedState(descriptors.list());
  const map = backend.getPartitionedState(descriptors.map());
  const reducing = backend.getPartitionedState(descriptors.reducing());
  const aggregating = backend.getPartitionedState(descriptors.aggregating());
  const expectedKeys = new Set<string>();
  for (let i = 0; i < n; i++) {
    const key = `key-${i}`;
    if (!backend.keyGroupRange.contains(assignToKeyGroup(key, MAX_P))) continue;
    expectedKeys.add(key);
    backend.setCurrentKey(key);
    expect(value.value()).toEqual({ i, name: `n${i}` });
    expect([...list.get()]).toEqual([i, i + 1]);
    expect(map.get(i)).toBe(`v${i}`);
    expect(map.get(['t', i])).toBe(i);
    expect(reducing.get()).toBe(i + 1);
    expect(aggregating.get()).toBe(i);
    value.setCurrentNamespace(['w', i % 3]);
    expect(value.value()).toBe(i * 10);
    value.setCurrentNamespace(VOID_NAMESPACE);
  }
  for (const stateName of ['value', 'list', 'map', 'reducing', 'aggregating']) {
    expect(new Set(backend.getKeys(stateName))).toEqual(expectedKeys);
  }
  return expectedKeys.size;
}
