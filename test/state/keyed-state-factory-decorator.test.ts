/**
 * The seam a state decorator (state TTL, later) hooks into: `stateFactoryDecorator` wraps
 * the factory every state object of every kind comes from, on every backend, and the
 * backends keep snapshotting and restoring what they really store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StateAccessError } from '../../src/core/errors.js';
import { KeyGroupRange } from '../../src/core/key-group-range.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
  type StateDescriptor,
  type StateKind,
} from '../../src/state/descriptors.js';
import { createHeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.js';
import type { InternalKvState } from '../../src/state/internal-kv-state.js';
import { readKeyedSnapshotHeader } from '../../src/state/keyed-snapshot/keyed-snapshot-reader.js';
import type { KeyedStateBackend, KeyedStateBackendOptions } from '../../src/state/keyed-state-backend.js';
import type { KeyedStateFactoryDecorator } from '../../src/state/keyed-state-factory.js';
import { createRocksDBBackendFactory } from '../../src/state/rocksdb/rocksdb-keyed-state-backend.js';
import { defaultSerializer, type TypeSerializer } from '../../src/state/serializer.js';
import type { ValueState } from '../../src/state/state.js';
import { STATE_BACKENDS } from '../support/state-backends.js';

const root = mkdtempSync(join(tmpdir(), 'eddy-state-decorator-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let instances = 0;
const backends: Array<[string, (options: KeyedStateBackendOptions) => KeyedStateBackend]> = [
  ['heap', createHeapKeyedStateBackend],
];
if (STATE_BACKENDS.includes('rocksdb')) {
  const rocksdb = createRocksDBBackendFactory({ kind: 'rocksdb', localDirectory: join(root, 'local') }, { jobId: 'test', attemptNumber: 0 });
  backends.push(['rocksdb', (options) => rocksdb({ ...options, instanceName: `i${instances++}` })]);
}

const RANGE = { maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) };

const descriptors = (): StateDescriptor<unknown>[] => [
  new ValueStateDescriptor<number>('value'),
  new ListStateDescriptor<number>('list'),
  new MapStateDescriptor<string, number>('map'),
  new ReducingStateDescriptor<number>('reducing', (a, b) => a + b),
  new AggregatingStateDescriptor<number, number, number>('aggregating', {
    createAccumulator: () => 0,
    add: (value, acc) => acc + value,
    getResult: (acc) => acc,
    merge: (a, b) => a + b,
  }),
];

/** Wraps every state in a proxy that counts the calls made through it. */
function countingDecorator(seen: StateKind[], calls: Map<string, number>, wrappers: Set<unknown>): KeyedStateFactoryDecorator {
  return (backend) => ({
    createInternalState(descriptor) {
      seen.push(descriptor.kind);
      const state = backend.createInternalState(descriptor);
      const wrapper = new Proxy(state, {
        get(target, property, receiver) {
          const member: unknown = Reflect.get(target, property, receiver);
          if (typeof member !== 'function') return member;
          return (...args: unknown[]) => {
            calls.set(descriptor.name, (calls.get(descriptor.name) ?? 0) + 1);
            return (member as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      wrappers.add(wrapper);
      return wrapper;
    },
  });
}

/** Writes one value through each of the five states of {@link descriptors}. */
function writeAll(backend: KeyedStateBackend, states: InternalKvState[]): void {
  backend.setCurrentKey('k');
  const [value, list, map, reducing, aggregating] = states as unknown as [
    ValueState<number>,
    { add(v: number): void },
    { put(k: string, v: number): void },
    { add(v: number): void },
    { add(v: number): void },
  ];
  value.update(7);
  list.add(1);
  list.add(2);
  map.put('a', 3);
  reducing.add(4);
  reducing.add(5);
  aggregating.add(6);
}

describe.each(backends)('a state factory decorator on the %s backend', (_name, create) => {
  const created: KeyedStateBackend[] = [];
  const make = (options: KeyedStateBackendOptions): KeyedStateBackend => {
    const backend = create(options);
    created.push(backend);
    return backend;
  };
  afterEach(() => {
    for (const backend of created.splice(0)) backend.dispose();
  });

  it('is asked for every kind of state, and what it returns is what the backend hands out', () => {
    const seen: StateKind[] = [];
    const calls = new Map<string, number>();
    const wrappers = new Set<unknown>();
    const backend = make({ ...RANGE, stateFactoryDecorator: countingDecorator(seen, calls, wrappers) });
    const states = descriptors().map((d) => backend.getPartitionedState(d as ValueStateDescriptor<unknown>) as InternalKvState);
    expect(seen).toEqual(['value', 'list', 'map', 'reducing', 'aggregating']);
    for (const state of states) expect(wrappers.has(state)).toBe(true);
    writeAll(backend, states);
    for (const d of descriptors()) expect(calls.get(d.name)).toBeGreaterThan(0);
  });

  it('leaves snapshots to the backend: what was written through the decorated states restores into an undecorated backend', async () => {
    const backend = make({ ...RANGE, stateFactoryDecorator: countingDecorator([], new Map(), new Set()) });
    writeAll(backend, descriptors().map((d) => backend.getPartitionedState(d as ValueStateDescriptor<unknown>) as InternalKvState));
    const snapshot = await backend.snapshot(1).run();
    const restored = make(RANGE);
    restored.restore([snapshot]);
    const [value, list, map, reducing, aggregating] = descriptors().map((d) => restored.getPartitionedState(d as ValueStateDescriptor<unknown>));
    restored.setCurrentKey('k');
    expect((value as ValueState<number>).value()).toBe(7);
    expect([...((list as unknown as { get(): Iterable<number> }).get())]).toEqual([1, 2]);
    expect((map as unknown as { get(k: string): number | undefined }).get('a')).toBe(3);
    expect((reducing as unknown as { get(): number }).get()).toBe(9);
    expect((aggregating as unknown as { get(): number }).get()).toBe(6);
  });

  it('is asked once per state name, and a second request is still checked against the first', () => {
    const seen: StateKind[] = [];
    const backend = make({ ...RANGE, stateFactoryDecorator: countingDecorator(seen, new Map(), new Set()) });
    const first = backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
    expect(backend.getPartitionedState(new ValueStateDescriptor<number>('count'))).toBe(first);
    expect(() => backend.getPartitionedState(new ListStateDescriptor<number>('count'))).toThrow(StateAccessError);
    expect(seen).toEqual(['value']);
  });

  it('may store values in its own form by passing the backend another descriptor, as a TTL decorator would', async () => {
    // a stand-in for TTL: the backend stores { value, stamp }, the user sees the value
    const msgpack = defaultSerializer<unknown>();
    const stamped: TypeSerializer<unknown> = {
      id: 'test.stamped',
      version: 1,
      serialize: (value) => msgpack.serialize(value),
      deserialize: (bytes) => msgpack.deserialize(bytes),
    };
    const stamping: KeyedStateFactoryDecorator = (inner) => ({
      createInternalState(descriptor) {
        const stored = inner.createInternalState(new ValueStateDescriptor(descriptor.name, { serializer: stamped })) as unknown as ValueState<{ value: unknown; stamp: number }> &
          InternalKvState;
        const wrapper: ValueState<unknown> & InternalKvState = {
          name: stored.name,
          kind: stored.kind,
          setCurrentNamespace: (namespace) => stored.setCurrentNamespace(namespace),
          getCurrentNamespace: () => stored.getCurrentNamespace(),
          value: () => stored.value()?.value,
          update: (value) => stored.update(value === undefined ? undefined : { value, stamp: 42 }),
          clear: () => stored.clear(),
        };
        return wrapper;
      },
    });
    const backend = make({ ...RANGE, stateFactoryDecorator: stamping });
    const state = backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
    backend.setCurrentKey('k');
    state.update(5);
    expect(state.value()).toBe(5);
    // the user's descriptor is what later requests are checked against
    expect(backend.getPartitionedState(new ValueStateDescriptor<number>('count'))).toBe(state);

    const snapshot = await backend.snapshot(1).run();
    if (snapshot.type !== 'full') throw new Error('expected a full snapshot');
    expect(readKeyedSnapshotHeader(snapshot.bytes).states.map((s) => s.serializerId)).toEqual(['test.stamped']);
    const plain = make(RANGE);
    plain.restore([snapshot]);
    const raw = plain.getPartitionedState(new ValueStateDescriptor<unknown>('count', { serializer: stamped }));
    plain.setCurrentKey('k');
    expect(raw.value()).toEqual({ value: 5, stamp: 42 });
  });
});
