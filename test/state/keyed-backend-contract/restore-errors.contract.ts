/**
 * Contract: what a restore refuses, and the errors it gives.
 */
import { describe, expect, it } from 'vitest';
import { RestoreError, StateAccessError, StateSerializationError } from '../../../src/core/errors.js';
import { KeyGroupRange } from '../../../src/core/key-group-range.js';
import { assignToKeyGroup } from '../../../src/core/key-groups.js';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  ValueStateDescriptor,
} from '../../../src/state/descriptors.js';
import type { KeyedStateBackend } from '../../../src/state/keyed-state-backend.js';
import { readKeyedSnapshotHeader, readKeyGroupEntries } from '../../../src/state/keyed-snapshot/keyed-snapshot-reader.js';
import { VOID_NAMESPACE } from '../../../src/state/namespace.js';
import type { TypeSerializer } from '../../../src/state/serializer.js';
import { MAX_P, descriptors, flipByte, fillBackend, expectFilled, type ContractHarness } from './fixtures.js';

/** Kind, version, serializer and maxParallelism mismatches; corrupt bytes. */
export function describeRestoreErrorsContract(h: ContractHarness): void {
  const { create, snapshotOf } = h;
  const fill = async (n: number): Promise<KeyedStateBackend> => fillBackend(await create(), n);

  describe('restore errors and the format', () => {
    it('fails with a RestoreError naming the state when it is requested as another kind than restored', async () => {
      const original = await fill(5);
      const restored = await create();
      restored.restore([await snapshotOf(original)]);
      expect(() => restored.getPartitionedState(new ValueStateDescriptor('list'))).toThrow(RestoreError);
      expect(() => restored.getPartitionedState(new ValueStateDescriptor('list'))).toThrow(
        /state 'list' cannot be restored: it was saved as list state but is now requested as value state, and a state cannot change its kind/,
      );
      // The restored data is still there for the right descriptor.
      restored.setCurrentKey('key-1');
      expect([...restored.getPartitionedState(descriptors.list()).get()]).toEqual([1, 2]);
    });

    it('migrates values restored from an older state version with migrate()', async () => {
      const original = await create();
      const v1 = original.getPartitionedState(new ValueStateDescriptor<number>('temp'));
      const l1 = original.getPartitionedState(new ListStateDescriptor<number>('temps'));
      original.setCurrentKey('a');
      v1.update(20);
      l1.addAll([1, 2]);
      const snapshot = await snapshotOf(original);
      const restored = await create();
      restored.restore([snapshot]);
      const toObject = (old: unknown, fromVersion: number) => ({ celsius: old as number, fromVersion });
      const v2 = restored.getPartitionedState(
        new ValueStateDescriptor<{ celsius: number; fromVersion: number }>('temp', { version: 2, migrate: toObject }),
      );
      const l2 = restored.getPartitionedState(
        new ListStateDescriptor<{ celsius: number; fromVersion: number }>('temps', { version: 2, migrate: toObject }),
      );
      restored.setCurrentKey('a');
      expect(v2.value()).toEqual({ celsius: 20, fromVersion: 1 });
      expect([...l2.get()]).toEqual([toObject(1, 1), toObject(2, 1)]);
      const again = await create();
      again.restore([await snapshotOf(restored, 2)]);
      again.setCurrentKey('a');
      expect(again.getPartitionedState(new ValueStateDescriptor('temp', { version: 2, migrate: toObject })).value()).toEqual({
        celsius: 20,
        fromVersion: 1,
      });
    });

    it('fails with a RestoreError naming the state for a newer version without migrate, or an older one', async () => {
      const original = await create();
      original.getPartitionedState(new ValueStateDescriptor<number>('temp', { version: 2 }));
      original.setCurrentKey('a');
      original.getPartitionedState(new ValueStateDescriptor<number>('temp', { version: 2 })).update(1);
      const snapshot = await snapshotOf(original);
      const newer = await create();
      newer.restore([snapshot]);
      expect(() => newer.getPartitionedState(new ValueStateDescriptor<number>('temp', { version: 3 }))).toThrow(
        RestoreError,
      );
      expect(() => newer.getPartitionedState(new ValueStateDescriptor<number>('temp', { version: 3 }))).toThrow(
        /state 'temp'.*no migrate/,
      );
      expect(() => newer.getPartitionedState(new ValueStateDescriptor<number>('temp', { version: 1 }))).toThrow(
        /state 'temp'.*newer than the descriptor's version 1/,
      );
    });

    it('fails with a RestoreError when the serializer changed', async () => {
      const original = await fill(3);
      const restored = await create();
      restored.restore([await snapshotOf(original)]);
      const custom: TypeSerializer<unknown> = {
        id: 'my.json',
        version: 1,
        serialize: (v) => new TextEncoder().encode(JSON.stringify(v)),
        deserialize: (b) => JSON.parse(new TextDecoder().decode(b)),
      };
      expect(() => restored.getPartitionedState(new ValueStateDescriptor('value', { serializer: custom }))).toThrow(
        /state 'value'.*serializer 'eddy.msgpack' v1.*'my.json'/,
      );
    });

    it('fails with a RestoreError when maxParallelism differs', async () => {
      const original = await fill(3);
      const snapshot = await snapshotOf(original);
      const other = await create(KeyGroupRange.of(0, 255), 256);
      expect(() => other.restore([snapshot])).toThrow(RestoreError);
      expect(() => other.restore([snapshot])).toThrow(/maxParallelism 128.*maxParallelism 256/);
    });

    it('fails with a RestoreError when two snapshots hold the same key groups', async () => {
      const original = await fill(3);
      const snapshot = await snapshotOf(original);
      const target = await create();
      expect(() => target.restore([snapshot, snapshot])).toThrow(RestoreError);
    });

    it('fails with a StateSerializationError on truncated, corrupt or foreign bytes', async () => {
      const original = await fill(50);
      const snapshot = await h.fullSnapshotOf(original);
      const target = await create();
      const truncated = { ...snapshot, bytes: snapshot.bytes.subarray(0, snapshot.bytes.length - 10) };
      expect(() => target.restore([truncated])).toThrow(StateSerializationError);
      expect(() => target.restore([truncated])).toThrow(/truncated/);
      expect(() => target.restore([flipByte(snapshot, 0)])).toThrow(/not a keyed snapshot/);
      expect(() => target.restore([flipByte(snapshot, 12)])).toThrow(/header is corrupt/);
      const lastSection = readKeyedSnapshotHeader(snapshot.bytes).keyGroups.at(-1)!;
      expect(() => target.restore([flipByte(snapshot, lastSection.offset + 2)])).toThrow(
        new RegExp(`key group ${lastSection.keyGroup} is corrupt`),
      );
      expect(() => target.restore([{ ...snapshot, bytes: new Uint8Array([1, 2, 3]) }])).toThrow(StateSerializationError);
      // Nothing was restored by the failed attempts.
      expect(() => target.getKeys('value')).toThrow(StateAccessError);
      target.restore([snapshot]);
      expectFilled(target, 50);
    });

    it('reads only the key groups of its range: corruption elsewhere does not matter', async () => {
      const original = await fill(100);
      const snapshot = await h.fullSnapshotOf(original);
      const header = readKeyedSnapshotHeader(snapshot.bytes);
      const outside = header.keyGroups.find((entry) => entry.keyGroup >= 64)!;
      const damaged = flipByte(snapshot, outside.offset + 1);
      const lower = await create(KeyGroupRange.of(0, 63));
      lower.restore([damaged]);
      expectFilled(lower, 100);
      const upper = await create(KeyGroupRange.of(64, 127));
      expect(() => upper.restore([damaged])).toThrow(StateSerializationError);
    });

    it('writes a snapshot whose entries the format readers decode', async () => {
      const backend = await create();
      const value = backend.getPartitionedState(new ValueStateDescriptor<number>('v'));
      const map = backend.getPartitionedState(new MapStateDescriptor<string, number>('m'));
      backend.setCurrentKey('a');
      value.update(1);
      map.put('x', 2);
      value.setCurrentNamespace('w');
      value.update(3);
      const snapshot = await h.fullSnapshotOf(backend, 9);
      const header = readKeyedSnapshotHeader(snapshot.bytes);
      expect(header.maxParallelism).toBe(MAX_P);
      expect(header.checkpointId).toBe(9);
      expect(header.states.map((s) => [s.name, s.kind])).toEqual([
        ['v', 'value'],
        ['m', 'map'],
      ]);
      const keyGroup = assignToKeyGroup('a', MAX_P);
      expect(header.keyGroups.map((entry) => entry.keyGroup)).toEqual([keyGroup]);
      const entries = readKeyGroupEntries(snapshot.bytes, keyGroup, { header });
      expect(entries).toEqual(
        expect.arrayContaining([
          { state: 'v', kind: 'value', key: 'a', namespace: VOID_NAMESPACE, value: 1 },
          { state: 'v', kind: 'value', key: 'a', namespace: 'w', value: 3 },
          { state: 'm', kind: 'map', key: 'a', namespace: VOID_NAMESPACE, value: [['x', 2]] },
        ]),
      );
      expect(entries).toHaveLength(3);
    });
  });
}
