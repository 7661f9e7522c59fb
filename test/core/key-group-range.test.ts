import { describe, expect, it } from 'vitest';
import { KeyGroupRange } from '../../src/core/key-group-range.js';

describe('KeyGroupRange', () => {
  it('holds both of its bounds and everything between them', () => {
    const range = KeyGroupRange.of(3, 6);
    expect(range.startKeyGroup).toBe(3);
    expect(range.endKeyGroup).toBe(6);
    expect(range.numberOfKeyGroups).toBe(4);
    expect([...range]).toEqual([3, 4, 5, 6]);
    expect([2, 3, 6, 7].map((kg) => range.contains(kg))).toEqual([false, true, true, false]);
  });

  it('is empty when the end is before the start', () => {
    const range = KeyGroupRange.of(5, 4);
    expect(range).toBe(KeyGroupRange.EMPTY);
    expect(range.isEmpty).toBe(true);
    expect(range.numberOfKeyGroups).toBe(0);
    expect([...range]).toEqual([]);
    expect(range.contains(0)).toBe(false);
    expect(range.toString()).toBe('KeyGroupRange{}');
  });

  it('prints as KeyGroupRange{start..end}', () => {
    expect(KeyGroupRange.of(0, 63).toString()).toBe('KeyGroupRange{0..63}');
    expect(String(KeyGroupRange.of(7, 7))).toBe('KeyGroupRange{7..7}');
  });

  it('intersects with another range, giving EMPTY when they are disjoint', () => {
    expect(KeyGroupRange.of(0, 10).intersection(KeyGroupRange.of(5, 20)).equals(KeyGroupRange.of(5, 10))).toBe(true);
    expect(KeyGroupRange.of(0, 10).intersection(KeyGroupRange.of(10, 20)).equals(KeyGroupRange.of(10, 10))).toBe(true);
    expect(KeyGroupRange.of(0, 10).intersection(KeyGroupRange.of(11, 20))).toBe(KeyGroupRange.EMPTY);
    expect(KeyGroupRange.of(0, 10).intersection(KeyGroupRange.EMPTY)).toBe(KeyGroupRange.EMPTY);
  });

  it('is equal to another range with the same key groups', () => {
    expect(KeyGroupRange.of(1, 2).equals(KeyGroupRange.of(1, 2))).toBe(true);
    expect(KeyGroupRange.of(1, 2).equals(KeyGroupRange.of(1, 3))).toBe(false);
    expect(KeyGroupRange.EMPTY.equals(KeyGroupRange.of(3, 2))).toBe(true);
    expect(KeyGroupRange.EMPTY.equals(KeyGroupRange.of(0, 0))).toBe(false);
  });

  it('rejects a negative start and bounds that are not integers', () => {
    expect(() => KeyGroupRange.of(-1, 3)).toThrow(RangeError);
    expect(() => KeyGroupRange.of(0.5, 3)).toThrow(RangeError);
    expect(() => KeyGroupRange.of(0, NaN)).toThrow(RangeError);
  });
});
