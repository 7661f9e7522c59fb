import { describe, expect, it } from 'vitest';
import { copyValue } from '../../src/state/copy-value.js';

describe('copyValue', () => {
  it('returns primitives as they are', () => {
    for (const value of [1, 'a', true, 5n, undefined, null, NaN]) expect(copyValue(value)).toBe(value);
  });

  it('copies plain objects, arrays, Maps, Sets, Dates and typed arrays deeply with their types', () => {
    const value = {
      list: [1, { a: [2] }],
      map: new Map<unknown, unknown>([['k', { v: 1 }]]),
      set: new Set([{ s: 1 }]),
      date: new Date(5),
      bytes: new Uint8Array([1, 2]),
      buffer: Buffer.from([3, 4]),
    };
    const copy = copyValue(value);
    expect(copy).toEqual(value);
    expect(copy.list[1]).not.toBe(value.list[1]);
    expect(copy.map).toBeInstanceOf(Map);
    expect(copy.map.get('k')).not.toBe(value.map.get('k'));
    expect(copy.set).toBeInstanceOf(Set);
    expect(copy.date).toBeInstanceOf(Date);
    expect(copy.date).not.toBe(value.date);
    value.bytes[0] = 9;
    value.buffer[0] = 9;
    expect(copy.bytes[0]).toBe(1);
    expect(copy.buffer[0]).toBe(3);
  });

  it('copies cyclic values through structuredClone', () => {
    const value: { self?: unknown; n: number } = { n: 1 };
    value.self = value;
    const copy = copyValue(value);
    expect(copy).not.toBe(value);
    expect(copy.self).toBe(copy);
  });

  it('refuses functions inside values', () => {
    expect(() => copyValue({ f: () => 1 })).toThrow(/function/);
  });
});
