import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedBackendInstanceName } from '../../src/state/keyed-backend-instance-name.js';

/** A portable single path segment, as RocksDB's working directories need. */
const SAFE_NAME = /^op-[a-z0-9._~-]+-\d+-a\d+$/;

describe('keyedBackendInstanceName', () => {
  it('is op-<uid>-<subtask>-a<attempt> for a uid that is already a safe file name', () => {
    expect(keyedBackendInstanceName('dedup', 2, 0)).toBe('op-dedup-2-a0');
    expect(keyedBackendInstanceName('window-sums.v2_x', 11, 3)).toBe('op-window-sums.v2_x-11-a3');
  });

  it('replaces unsafe characters, keeps the uid readable in lower case, and adds a hash of the whole uid', () => {
    expect(keyedBackendInstanceName('Dedup/v2', 0, 1)).toMatch(/^op-dedup_v2~[0-9a-f]{8}-0-a1$/);
    expect(keyedBackendInstanceName('../../etc', 0, 0)).toMatch(/^op-.._.._etc~[0-9a-f]{8}-0-a0$/);
    expect(keyedBackendInstanceName('名前 🙂', 0, 0)).toMatch(/^op-_{4}~[0-9a-f]{8}-0-a0$/);
    expect(keyedBackendInstanceName('', 0, 0)).toMatch(/^op-~[0-9a-f]{8}-0-a0$/);
  });

  it('cuts a long uid to 48 readable characters and tells long uids apart by the hash', () => {
    const a = keyedBackendInstanceName('x'.repeat(100), 0, 0);
    const b = keyedBackendInstanceName('x'.repeat(101), 0, 0);
    expect(a).toMatch(new RegExp(`^op-x{48}~[0-9a-f]{8}-0-a0$`));
    expect(a).not.toBe(b);
  });

  it('keeps apart uids that differ only in case, or only in the characters it replaces', () => {
    const names = ['count', 'Count', 'COUNT', 'a/b', 'a b', 'a_b', 'a:b'].map((uid) => keyedBackendInstanceName(uid, 0, 0));
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  });

  it('gives different, safe names to different (uid, subtask, attempt), and the same name to the same ones (property)', () => {
    const uid = fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[a-zA-Z0-9._\-/~ ]{0,60}$/), fc.constantFrom('a', 'a-1', 'a-1-2', 'A', 'a_'));
    const instance = fc.tuple(uid, fc.nat({ max: 40 }), fc.nat({ max: 5 }));
    fc.assert(
      fc.property(instance, instance, (x, y) => {
        const nx = keyedBackendInstanceName(...x);
        const ny = keyedBackendInstanceName(...y);
        expect(nx).toMatch(SAFE_NAME);
        expect(nx.length).toBeLessThanOrEqual(3 + 48 + 9 + 20);
        expect(keyedBackendInstanceName(...x)).toBe(nx);
        const same = x[0] === y[0] && x[1] === y[1] && x[2] === y[2];
        // different on case-insensitive disks too
        expect(nx.toLowerCase() === ny.toLowerCase()).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a subtask or attempt that is not a non-negative integer', () => {
    expect(() => keyedBackendInstanceName('x', -1, 0)).toThrow(RangeError);
    expect(() => keyedBackendInstanceName('x', 0, 1.5)).toThrow(/attemptNumber must be a non-negative integer, got 1.5/);
  });
});
