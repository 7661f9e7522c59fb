/**
 * Contract: restoring key groups into other ranges (scale-out, scale-in, rescaling twice).
 */
import { describe, expect, it } from 'vitest';
import { KeyGroupRange } from '../../../src/core/key-group-range.js';
import { keyGroupRangeForOperator } from '../../../src/core/key-groups.js';
import type { KeyedStateBackend, KeyedStateSnapshot } from '../../../src/state/keyed-state-backend.js';
import { MAX_P, fillBackend, expectFilled, type ContractHarness } from './fixtures.js';

/** Restore into other key-group ranges. */
export function describeRescalingContract(h: ContractHarness): void {
  const { create, snapshotOf } = h;
  const fill = async (n: number): Promise<KeyedStateBackend> => fillBackend(await create(), n);

  describe('rescaling', () => {
    it('splits a snapshot of one backend into backends for parallelism 3, each seeing exactly its keys', async () => {
      const original = await fill(300);
      const snapshot = await snapshotOf(original);
      let total = 0;
      for (let i = 0; i < 3; i++) {
        const part = await create(keyGroupRangeForOperator(MAX_P, 3, i));
        part.restore([snapshot]);
        const seen = expectFilled(part, 300);
        expect(seen).toBeGreaterThan(0);
        total += seen;
      }
      expect(total).toBe(300);
    });

    it('merges the snapshots of 3 backends into one (scale-in 3 → 1)', async () => {
      const snapshots: KeyedStateSnapshot[] = [];
      for (let i = 0; i < 3; i++) {
        const part = fillBackend(await create(keyGroupRangeForOperator(MAX_P, 3, i)), 100);
        snapshots.push(await snapshotOf(part));
      }
      const merged = await create();
      merged.restore(snapshots);
      expect(expectFilled(merged, 100)).toBe(100);
    });

    it('restores a state written at one range into a backend that rescales again', async () => {
      const original = await fill(120);
      const halves = [KeyGroupRange.of(0, 63), KeyGroupRange.of(64, 127)];
      const halfSnapshots: KeyedStateSnapshot[] = [];
      for (const range of halves) {
        const half = await create(range);
        half.restore([await snapshotOf(original)]);
        halfSnapshots.push(await snapshotOf(half, 2));
      }
      const middle = await create(KeyGroupRange.of(32, 95));
      middle.restore(halfSnapshots);
      expectFilled(middle, 120);
    });
  });
}
