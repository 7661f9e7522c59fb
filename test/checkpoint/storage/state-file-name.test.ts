import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidStateFileName, stateFileName } from '../../../src/checkpoint/storage/state-file-name.js';

describe('stateFileName', () => {
  it('keeps a simple uid readable and adds subtask and kind', () => {
    expect(stateFileName('dedup', 2, 'keyed')).toMatch(/^op-dedup-[0-9a-f]{8}-2-keyed\.bin$/);
    expect(stateFileName('numbers', 0, 'operator')).toMatch(/^op-numbers-[0-9a-f]{8}-0-operator\.bin$/);
    expect(stateFileName('dedup', 2, 'keyed')).toBe(stateFileName('dedup', 2, 'keyed'));
  });

  it('gives a valid file name for any uid', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.nat(10_000), fc.constantFrom('keyed', 'operator', 'channel' as const), (uid, subtask, kind) => {
        expect(isValidStateFileName(stateFileName(uid, subtask, kind))).toBe(true);
      }),
    );
  });

  it('gives different names to uids that differ only in case, in unsafe characters or after the readable part', () => {
    const uids = ['Count', 'count', 'a/b', 'a_b', 'a\\b', 'a:b', '../x', '..', '', 'ü', 'ö', 'x'.repeat(60) + '1', 'x'.repeat(60) + '2'];
    const names = uids.map((uid) => stateFileName(uid, 0, 'keyed').toLowerCase());
    expect(new Set(names).size).toBe(uids.length);
  });

  it('refuses a negative or fractional subtask index', () => {
    expect(() => stateFileName('a', -1, 'keyed')).toThrow(RangeError);
    expect(() => stateFileName('a', 1.5, 'keyed')).toThrow(RangeError);
  });
});

describe('isValidStateFileName', () => {
  it('refuses separators, dot names, _metadata, hidden or temporary names and overlong names', () => {
    for (const name of ['', '.', '..', 'a/b', 'a\\b', '../a', '/a', '_metadata', '.a.bin.0a1b.tmp', 'a b', 'a\0', 'é', 'a'.repeat(201)]) {
      expect(isValidStateFileName(name), JSON.stringify(name)).toBe(false);
    }
    for (const name of ['a', 'op-x-0-keyed.bin', 'A.b~c_d-e', '0', 'a'.repeat(200)]) {
      expect(isValidStateFileName(name), name).toBe(true);
    }
  });
});
