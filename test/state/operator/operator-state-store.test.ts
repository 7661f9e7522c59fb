import { describe, expect, it } from 'vitest';
import { RestoreError, StateAccessError, StateSerializationError } from '../../../src/core/errors.js';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../src/state/descriptors.js';
import { OperatorStateStore } from '../../../src/state/operator/operator-state-store.js';
import type { OperatorStateSnapshot } from '../../../src/state/operator/operator-state-snapshot.js';
import { defaultSerializer, type TypeSerializer } from '../../../src/state/serializer.js';

/** A serializer with its own id that writes JSON, so tests can read the bytes. */
class JsonSerializer<T> implements TypeSerializer<T> {
  constructor(
    readonly id = 'test.json',
    readonly version = 1,
  ) {}
  serialize(value: T): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(value));
  }
  deserialize(bytes: Uint8Array): T {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  }
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('OperatorStateStore list state', () => {
  it('adds, replaces and clears elements in order', () => {
    const state = new OperatorStateStore().getListState(new ListStateDescriptor<number>('offsets'));
    expect([...state.get()]).toEqual([]);
    state.add(1);
    state.addAll([2, 3]);
    expect([...state.get()]).toEqual([1, 2, 3]);
    state.update(new Set([9, 8]));
    expect([...state.get()]).toEqual([9, 8]);
    state.clear();
    expect([...state.get()]).toEqual([]);
  });

  it('returns the same state when asked twice with the same name', () => {
    const store = new OperatorStateStore();
    const a = store.getListState(new ListStateDescriptor<number>('offsets'));
    a.add(1);
    const b = store.getListState(new ListStateDescriptor<number>('offsets'));
    expect(b).toBe(a);
    const u = store.getUnionListState(new ListStateDescriptor<number>('seen'));
    expect(store.getUnionListState(new ListStateDescriptor<number>('seen'))).toBe(u);
  });

  it('keeps stored elements unchanged when the caller mutates what it added or read', () => {
    const state = new OperatorStateStore().getListState(new ListStateDescriptor<{ n: number; tags: string[] }>('x'));
    const value = { n: 1, tags: ['a'] };
    state.add(value);
    value.n = 2;
    value.tags.push('b');
    const [read] = state.get();
    expect(read).toEqual({ n: 1, tags: ['a'] });
    read!.tags.push('c');
    expect([...state.get()]).toEqual([{ n: 1, tags: ['a'] }]);
  });

  it('rejects undefined elements and leaves the list unchanged when addAll or update fails', () => {
    const state = new OperatorStateStore().getListState(new ListStateDescriptor<number | undefined>('x'));
    state.add(1);
    expect(() => state.add(undefined)).toThrow(StateAccessError);
    expect(() => state.addAll([2, undefined])).toThrow(/list state 'x': elements must not be undefined/);
    expect(() => state.update([3, undefined])).toThrow(StateAccessError);
    expect([...state.get()]).toEqual([1]);
  });

  it('rejects values that cannot be copied, naming the state', () => {
    class Holder {
      readonly callback = (): number => 1;
    }
    const state = new OperatorStateStore().getListState(new ListStateDescriptor<unknown>('fns'));
    expect(() => state.add(new Holder())).toThrow(StateAccessError);
    expect(() => state.add(new Holder())).toThrow(/operator state 'fns': cannot copy the value/);
    expect([...state.get()]).toEqual([]);
  });
});

describe('OperatorStateStore broadcast state', () => {
  it('supports the map operations', () => {
    const state = new OperatorStateStore().getBroadcastState(new MapStateDescriptor<string, number>('rules'));
    expect(state.isEmpty()).toBe(true);
    state.put('a', 1);
    state.putAll([['b', 2], ['c', 3]]);
    state.putAll(new Map([['d', 4]]));
    expect(state.get('a')).toBe(1);
    expect(state.get('zz')).toBeUndefined();
    expect(state.contains('b')).toBe(true);
    state.remove('b');
    expect(state.contains('b')).toBe(false);
    expect([...state.entries()]).toEqual([['a', 1], ['c', 3], ['d', 4]]);
    expect([...state.keys()]).toEqual(['a', 'c', 'd']);
    expect([...state.values()]).toEqual([1, 3, 4]);
    state.clear();
    expect(state.isEmpty()).toBe(true);
  });

  it('compares tuple keys by value and treats -0 and 0 as one key', () => {
    const state = new OperatorStateStore().getBroadcastState(new MapStateDescriptor<[string, number], string>('t'));
    state.put(['a', 1], 'x');
    expect(state.get(['a', 1])).toBe('x');
    expect(state.contains(['a', 2])).toBe(false);
    const zeros = new OperatorStateStore().getBroadcastState(new MapStateDescriptor<number, string>('z'));
    zeros.put(-0, 'neg');
    zeros.put(0, 'pos');
    expect([...zeros.values()]).toEqual(['pos']);
    const mixed = new OperatorStateStore().getBroadcastState(new MapStateDescriptor<unknown, string>('m'));
    mixed.put('1', 's');
    mixed.put(1, 'n');
    mixed.put(1n, 'b');
    mixed.put(true, 't');
    mixed.put(['1', 1], 'tuple');
    expect([...mixed.values()]).toEqual(['s', 'n', 'b', 't', 'tuple']);
  });

  it('rejects keys that are not strings, numbers, bigints, booleans or tuples, naming the state', () => {
    const state = new OperatorStateStore().getBroadcastState(new MapStateDescriptor<unknown, number>('rules'));
    for (const key of [{ a: 1 }, null, undefined, NaN, [['nested']], [{}], Symbol('s')]) {
      expect(() => state.put(key, 1)).toThrow(StateAccessError);
    }
    expect(() => state.get({})).toThrow(/broadcast state 'rules': key \{\} is not supported/);
    expect(() => state.putAll([['ok', 1], [null, 2]])).toThrow(StateAccessError);
    expect(state.isEmpty()).toBe(true);
  });

  it('keeps stored keys and values unchanged when the caller mutates them', () => {
    const state = new OperatorStateStore().getBroadcastState(new MapStateDescriptor<string[], { v: number }>('r'));
    const key = ['a'];
    const value = { v: 1 };
    state.put(key, value);
    key.push('b');
    value.v = 2;
    expect(state.get(['a'])).toEqual({ v: 1 });
    state.get(['a'])!.v = 3;
    state.keys()[Symbol.iterator]().next().value!.push('c');
    expect([...state.entries()]).toEqual([[['a'], { v: 1 }]]);
  });
});

describe('OperatorStateStore names and kinds', () => {
  it('refuses the same name with another mode, naming the state', () => {
    const store = new OperatorStateStore({ operator: 'source', subtaskIndex: 1, parallelism: 4 });
    store.getListState(new ListStateDescriptor<number>('offsets'));
    expect(() => store.getUnionListState(new ListStateDescriptor<number>('offsets'))).toThrow(StateAccessError);
    expect(() => store.getUnionListState(new ListStateDescriptor<number>('offsets'))).toThrow(
      "operator 'source' (subtask 2/4): operator state 'offsets' is registered as list state (getListState); it cannot also be used as union list state (getUnionListState)",
    );
    expect(() => store.getBroadcastState(new MapStateDescriptor<string, number>('offsets'))).toThrow(/'offsets'/);
  });

  it('refuses a descriptor of the wrong kind', () => {
    const store = new OperatorStateStore();
    const value = new ValueStateDescriptor<number>('v') as unknown as ListStateDescriptor<number>;
    expect(() => store.getListState(value)).toThrow(/'v': list state \(getListState\) needs a ListStateDescriptor, got a descriptor of kind 'value'/);
    const list = new ListStateDescriptor<number>('l') as unknown as MapStateDescriptor<string, number>;
    expect(() => store.getBroadcastState(list)).toThrow(StateAccessError);
  });

  it('lists registered and unclaimed restored state names', () => {
    const store = new OperatorStateStore();
    store.restore({ states: [{ name: 'old', mode: 'union', descriptorVersion: 1, serializer: { id: 'eddy.msgpack', version: 1 }, items: [] }] });
    store.getListState(new ListStateDescriptor<number>('new'));
    expect(store.getStateNames()).toEqual(['new', 'old']);
  });
});

describe('OperatorStateStore snapshot', () => {
  it('serializes each item with the descriptor’s serializer, states sorted by name', () => {
    const store = new OperatorStateStore();
    store.getUnionListState(new ListStateDescriptor<{ a: number }>('z', { serializer: new JsonSerializer(), version: 3 })).add({ a: 1 });
    const rules = store.getBroadcastState(
      new MapStateDescriptor<string, number>('a', { keySerializer: new JsonSerializer('test.key', 2), serializer: new JsonSerializer() }),
    );
    rules.put('k', 5);
    store.getListState(new ListStateDescriptor<string>('m')).add('x');
    const snapshot = store.snapshot();
    expect(snapshot.states.map((s) => [s.name, s.mode])).toEqual([['a', 'broadcast'], ['m', 'split'], ['z', 'union']]);
    const [a, m, z] = snapshot.states;
    if (a?.mode !== 'broadcast' || m?.mode !== 'split' || z?.mode !== 'union') throw new Error('unexpected modes');
    expect(a.keySerializer).toEqual({ id: 'test.key', version: 2 });
    expect(a.entries.map(([k, v]) => [text(k), text(v)])).toEqual([['"k"', '5']]);
    expect(m.serializer).toEqual({ id: 'eddy.msgpack', version: 1 });
    expect(defaultSerializer<string>().deserialize(m.items[0]!)).toBe('x');
    expect(z.descriptorVersion).toBe(3);
    expect(z.items.map(text)).toEqual(['{"a":1}']);
  });

  it('does not change a taken snapshot when the state changes afterwards', () => {
    const store = new OperatorStateStore();
    const state = store.getListState(new ListStateDescriptor<number>('x', { serializer: new JsonSerializer() }));
    state.add(1);
    const snapshot = store.snapshot();
    state.add(2);
    const entry = snapshot.states[0]!;
    expect(entry.mode !== 'broadcast' && entry.items.map(text)).toEqual(['1']);
  });

  it('fails with a StateSerializationError naming the state when a value cannot be serialized', () => {
    const failing: TypeSerializer<number> = {
      id: 'test.failing',
      version: 1,
      serialize: () => {
        throw new Error('nope');
      },
      deserialize: () => 0,
    };
    const store = new OperatorStateStore();
    store.getListState(new ListStateDescriptor<number>('bad', { serializer: failing })).add(1);
    expect(() => store.snapshot()).toThrow(StateSerializationError);
    expect(() => store.snapshot()).toThrow(/'bad': cannot serialize item 0 with serializer 'test.failing': nope/);
  });
});

/** A snapshot taken from a store set up by `fill`. */
function snapshotOf(fill: (store: OperatorStateStore) => void): OperatorStateSnapshot {
  const store = new OperatorStateStore();
  fill(store);
  return store.snapshot();
}

describe('OperatorStateStore restore', () => {
  it('reports isRestored only after a restore, even of an empty snapshot', () => {
    const store = new OperatorStateStore();
    expect(store.isRestored()).toBe(false);
    store.restore({ states: [] });
    expect(store.isRestored()).toBe(true);
  });

  it('decodes restored state when a descriptor claims it', () => {
    const snapshot = snapshotOf((s) => {
      s.getListState(new ListStateDescriptor<{ p: number }>('offsets')).addAll([{ p: 1 }, { p: 2 }]);
      s.getUnionListState(new ListStateDescriptor<bigint>('ids')).add(10n);
      s.getBroadcastState(new MapStateDescriptor<[string, number], Date>('rules')).put(['r', 1], new Date(5));
    });
    const store = new OperatorStateStore();
    store.restore(snapshot);
    expect([...store.getListState(new ListStateDescriptor<{ p: number }>('offsets')).get()]).toEqual([{ p: 1 }, { p: 2 }]);
    expect([...store.getUnionListState(new ListStateDescriptor<bigint>('ids')).get()]).toEqual([10n]);
    const rules = store.getBroadcastState(new MapStateDescriptor<[string, number], Date>('rules'));
    expect(rules.get(['r', 1])).toEqual(new Date(5));
  });

  it('keeps unclaimed restored state and carries it into the next snapshot unchanged', () => {
    const snapshot = snapshotOf((s) => s.getUnionListState(new ListStateDescriptor<number>('kept')).add(7));
    const store = new OperatorStateStore();
    store.restore(snapshot);
    store.getListState(new ListStateDescriptor<number>('fresh')).add(1);
    const next = store.snapshot();
    expect(next.states.map((s) => s.name)).toEqual(['fresh', 'kept']);
    expect(next.states[1]).toBe(snapshot.states[0]);
  });

  it('refuses to restore twice or after states were registered', () => {
    const twice = new OperatorStateStore();
    twice.restore({ states: [] });
    expect(() => twice.restore({ states: [] })).toThrow(RestoreError);
    const late = new OperatorStateStore();
    late.getListState(new ListStateDescriptor<number>('x'));
    expect(() => late.restore({ states: [] })).toThrow(/before any state is registered \(registered: x\)/);
  });

  it('refuses a restored state claimed with another mode with a RestoreError naming operator and state', () => {
    const snapshot = snapshotOf((s) => {
      s.getListState(new ListStateDescriptor<number>('offsets')).add(1);
      s.getBroadcastState(new MapStateDescriptor<string, number>('rules')).put('a', 1);
    });
    const store = new OperatorStateStore({ operator: 'src' });
    store.restore(snapshot);
    expect(() => store.getUnionListState(new ListStateDescriptor<number>('offsets'))).toThrow(
      "operator 'src': operator state 'offsets' cannot be restored: it was saved as list state (getListState) but is now " +
        'requested as union list state (getUnionListState), and a state cannot change its kind; request it as list state ' +
        '(getListState), or give the new state another name (--allow-non-restored-state does not help here: it only drops ' +
        'the state of operators the job no longer has)',
    );
    expect(() => store.getListState(new ListStateDescriptor<number>('rules'))).toThrow(RestoreError);
    expect(() => store.getBroadcastState(new MapStateDescriptor<string, number>('offsets'))).toThrow(RestoreError);
    // the failed claims left the restored data in place
    expect([...store.getListState(new ListStateDescriptor<number>('offsets')).get()]).toEqual([1]);
  });

  it('migrates each item when the descriptor is newer and has a migrate function', () => {
    const snapshot = snapshotOf((s) => {
      s.getListState(new ListStateDescriptor<number>('xs')).addAll([1, 2]);
      s.getBroadcastState(new MapStateDescriptor<string, number>('m')).put('k', 3);
    });
    const store = new OperatorStateStore();
    store.restore(snapshot);
    const calls: [unknown, number][] = [];
    const migrate = (old: unknown, from: number): { value: number } => {
      calls.push([old, from]);
      return { value: old as number };
    };
    const xs = store.getListState(new ListStateDescriptor<{ value: number }>('xs', { version: 2, migrate }));
    expect([...xs.get()]).toEqual([{ value: 1 }, { value: 2 }]);
    const m = store.getBroadcastState(new MapStateDescriptor<string, { value: number }>('m', { version: 3, migrate }));
    expect([...m.entries()]).toEqual([['k', { value: 3 }]]);
    expect(calls).toEqual([[1, 1], [2, 1], [3, 1]]);
    expect(store.snapshot().states.map((s) => s.descriptorVersion)).toEqual([3, 2]);
  });

  it('fails with a RestoreError naming the state when a newer descriptor has no migrate function', () => {
    const snapshot = snapshotOf((s) => s.getListState(new ListStateDescriptor<number>('xs')).add(1));
    const store = new OperatorStateStore({ operator: 'op', subtaskIndex: 0, parallelism: 2 });
    store.restore(snapshot);
    expect(() => store.getListState(new ListStateDescriptor<number>('xs', { version: 2 }))).toThrow(RestoreError);
    expect(() => store.getListState(new ListStateDescriptor<number>('xs', { version: 2 }))).toThrow(
      "operator 'op' (subtask 1/2): operator state 'xs' cannot be restored: it was written with state version 1 and the " +
        'descriptor is version 2 but has no migrate(old, fromVersion) to convert it; give the descriptor a ' +
        'migrate(old, fromVersion), or restore with the descriptor at version 1 (--allow-non-restored-state does not help ' +
        'here: it only drops the state of operators the job no longer has)',
    );
  });

  it('fails with a RestoreError when the snapshot was written by a newer descriptor version', () => {
    const snapshot = snapshotOf((s) => s.getUnionListState(new ListStateDescriptor<number>('xs', { version: 4 })).add(1));
    const store = new OperatorStateStore();
    store.restore(snapshot);
    expect(() => store.getUnionListState(new ListStateDescriptor<number>('xs', { version: 3, migrate: (v) => v as number }))).toThrow(
      /'xs' cannot be restored: it was written with state version 4, newer than the descriptor's version 3, .*restore it with a job whose descriptor has version 4 or later/,
    );
  });

  it('fails with a RestoreError when a migration throws', () => {
    const snapshot = snapshotOf((s) => s.getListState(new ListStateDescriptor<number>('xs')).add(1));
    const store = new OperatorStateStore();
    store.restore(snapshot);
    const migrate = (): number => {
      throw new Error('bad shape');
    };
    expect(() => store.getListState(new ListStateDescriptor<number>('xs', { version: 2, migrate }))).toThrow(
      "operator state 'xs' cannot be restored: migrate(old, 1) failed on item 0 while converting it to version 2: bad shape",
    );
  });

  it('fails with a RestoreError when the serializer differs or is older than the one that wrote the bytes', () => {
    const snapshot = snapshotOf((s) => s.getListState(new ListStateDescriptor<number>('xs', { serializer: new JsonSerializer('test.json', 2) })).add(1));
    const other = new OperatorStateStore();
    other.restore(snapshot);
    expect(() => other.getListState(new ListStateDescriptor<number>('xs'))).toThrow(
      /'xs' cannot be restored: its element serializer was 'test.json' but the descriptor's is 'eddy.msgpack'/,
    );
    const older = new OperatorStateStore();
    older.restore(snapshot);
    expect(() => older.getListState(new ListStateDescriptor<number>('xs', { serializer: new JsonSerializer('test.json', 1) }))).toThrow(
      /wrote version 2, newer than this build's version 1/,
    );
    const newer = new OperatorStateStore();
    newer.restore(snapshot);
    const state = newer.getListState(new ListStateDescriptor<number>('xs', { serializer: new JsonSerializer('test.json', 3) }));
    expect([...state.get()]).toEqual([1]);
  });

  it('fails with a RestoreError naming the state when restored bytes cannot be decoded', () => {
    const store = new OperatorStateStore();
    store.restore({
      states: [
        { name: 'xs', mode: 'split', descriptorVersion: 1, serializer: { id: 'test.json', version: 1 }, items: [Uint8Array.of(0x7b)] },
      ],
    });
    expect(() => store.getListState(new ListStateDescriptor<number>('xs', { serializer: new JsonSerializer() }))).toThrow(
      /operator state 'xs' cannot be restored: cannot decode item 0 with serializer 'test.json' v1/,
    );
  });

  it('fails with a RestoreError when a restored broadcast key is not a valid key', () => {
    const json = new JsonSerializer<unknown>();
    const store = new OperatorStateStore();
    store.restore({
      states: [
        {
          name: 'rules',
          mode: 'broadcast',
          descriptorVersion: 1,
          serializer: { id: 'test.json', version: 1 },
          keySerializer: { id: 'test.json', version: 1 },
          entries: [[json.serialize({ not: 'a key' }), json.serialize(1)]],
        },
      ],
    });
    expect(() => store.getBroadcastState(new MapStateDescriptor<string, number>('rules', { serializer: new JsonSerializer(), keySerializer: new JsonSerializer() }))).toThrow(
      RestoreError,
    );
  });

  it('refuses a snapshot that names a state twice', () => {
    const entry = { name: 'x', mode: 'union' as const, descriptorVersion: 1, serializer: { id: 'eddy.msgpack', version: 1 }, items: [] };
    expect(() => new OperatorStateStore().restore({ states: [entry, entry] })).toThrow(/'x' appears twice/);
  });
});
