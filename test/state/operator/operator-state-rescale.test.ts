import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListStateDescriptor, MapStateDescriptor } from '../../../src/state/descriptors.js';
import { OperatorStateStore } from '../../../src/state/operator/operator-state-store.js';
import {
  decodeOperatorStateSnapshot,
  encodeOperatorStateSnapshot,
  type OperatorStateSnapshot,
} from '../../../src/state/operator/operator-state-snapshot.js';
import { redistributeOperatorState } from '../../../src/state/operator/redistribution.js';
import type { TypeSerializer } from '../../../src/state/serializer.js';

type Offset = { split: string; position: bigint };

/** A serializer of its own (not the default) so the test proves descriptors' serializers are used. */
const offsetSerializer: TypeSerializer<Offset> = {
  id: 'test.offset',
  version: 1,
  serialize: (v) => new TextEncoder().encode(`${v.split}@${v.position}`),
  deserialize: (bytes) => {
    const [split, position] = new TextDecoder().decode(bytes).split('@');
    return { split: split!, position: BigInt(position!) };
  },
};

const offsets = (): ListStateDescriptor<Offset> => new ListStateDescriptor<Offset>('offsets', { serializer: offsetSerializer });
const seen = (): ListStateDescriptor<{ subtask: number; ids: number[] }> => new ListStateDescriptor('seen');
const rules = (): MapStateDescriptor<[string, number], { limit: number }> => new MapStateDescriptor('rules');

/** Old stores: subtask i holds `counts[i]` offsets, one union item, and its own broadcast copy. */
function oldSnapshots(counts: readonly number[]): OperatorStateSnapshot[] {
  return counts.map((count, subtask) => {
    const store = new OperatorStateStore({ operator: 'source', subtaskIndex: subtask, parallelism: counts.length });
    const list = store.getListState(offsets());
    for (let i = 0; i < count; i++) list.add({ split: `s${subtask}`, position: BigInt(i) });
    store.getUnionListState(seen()).add({ subtask, ids: [subtask, subtask * 2] });
    store.getBroadcastState(rules()).put(['copy', subtask], { limit: subtask * 10 });
    return store.snapshot();
  });
}

/** Snapshot → bytes → snapshot → redistribute → new stores that claim their state, as a restore does. */
function rescale(old: readonly OperatorStateSnapshot[], newP: number): OperatorStateStore[] {
  const throughBytes = old.map((s) => decodeOperatorStateSnapshot(encodeOperatorStateSnapshot(s)));
  return redistributeOperatorState(throughBytes, newP).map((snapshot, subtask) => {
    const store = new OperatorStateStore({ operator: 'source', subtaskIndex: subtask, parallelism: newP });
    store.restore(snapshot);
    return store;
  });
}

function expectRescaled(counts: readonly number[], newP: number): void {
  const stores = rescale(oldSnapshots(counts), newP);
  expect(stores).toHaveLength(newP);
  const expectedOffsets = counts.flatMap((count, subtask) =>
    Array.from({ length: count }, (_, i) => ({ split: `s${subtask}`, position: BigInt(i) })),
  );
  const perInstance = stores.map((s) => [...s.getListState(offsets()).get()]);
  expect(perInstance.flat()).toEqual(expectedOffsets);
  const total = expectedOffsets.length;
  perInstance.forEach((items, i) => expect(items).toHaveLength(Math.floor(total / newP) + (i < total % newP ? 1 : 0)));
  const expectedSeen = counts.map((_, subtask) => ({ subtask, ids: [subtask, subtask * 2] }));
  stores.forEach((store, i) => {
    expect(store.isRestored()).toBe(true);
    expect([...store.getUnionListState(seen()).get()]).toEqual(expectedSeen);
    const copy = i % counts.length;
    expect([...store.getBroadcastState(rules()).entries()]).toEqual([[['copy', copy], { limit: copy * 10 }]]);
  });
}

describe('operator state end to end: snapshot → bytes → redistribute → restore', () => {
  it('splits offsets, unions seen ids and copies rules when scaling 3 → 5', () => {
    expectRescaled([3, 2, 2], 5);
  });

  it.each([
    [3, 5],
    [5, 2],
    [1, 7],
    [4, 4],
    [7, 1],
  ])('restores every value exactly as the modes prescribe when scaling %i → %i', (oldP, newP) => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: oldP, maxLength: oldP }), (counts) => {
        expectRescaled(counts, newP);
      }),
      { numRuns: 30 },
    );
  });

  it('restores every value exactly as the modes prescribe for random parallelism pairs in 1..16', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }).chain((oldP) =>
          fc.tuple(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: oldP, maxLength: oldP }), fc.integer({ min: 1, max: 16 })),
        ),
        ([counts, newP]) => expectRescaled(counts, newP),
      ),
      { numRuns: 60 },
    );
  });

  it('survives two rescales in a row, carrying unclaimed state through the middle one', () => {
    const middle = rescale(oldSnapshots([4, 0, 3]), 5);
    // the middle job only uses the offsets; the other states stay as bytes and are snapshotted as they were
    middle.forEach((store) => store.getListState(offsets()).add({ split: 'new', position: 0n }));
    const final = rescale(
      middle.map((s) => s.snapshot()),
      2,
    );
    const all = final.flatMap((s) => [...s.getListState(offsets()).get()]);
    expect(all.filter((o) => o.split === 'new')).toHaveLength(5);
    expect(all.filter((o) => o.split !== 'new')).toHaveLength(7);
    for (const store of final) {
      // union state was unioned again from five identical copies
      expect([...store.getUnionListState(seen()).get()]).toHaveLength(15);
    }
    expect(final.map((s) => [...s.getBroadcastState(rules()).keys()])).toEqual([[['copy', 0]], [['copy', 1]]]);
  });
});
