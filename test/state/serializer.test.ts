import { describe, expect, it } from 'vitest';
import { MsgpackSerializer } from '../../src/state/serializer.js';

describe('MsgpackSerializer', () => {
  const serializer = new MsgpackSerializer<unknown>();
  const roundTrip = <T>(value: T): T => serializer.deserialize(serializer.serialize(value)) as T;

  it('returns plain objects as plain objects and Maps as Maps', () => {
    const value = { a: 1, nested: { b: 'x' }, map: new Map<unknown, unknown>([['k', { z: 1 }], [2, 'two']]) };
    const back = roundTrip(value);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(back.nested)).toBe(Object.prototype);
    expect(back.map).toBeInstanceOf(Map);
    expect(back.map.get(2)).toBe('two');
    expect(back).toEqual(value);
  });

  it('keeps a top-level Map a Map with non-string keys', () => {
    const back = roundTrip(new Map<unknown, unknown>([[1, 'a'], [[1, 2], 'tuple'], [true, new Map([['x', 1]])]]));
    expect(back).toBeInstanceOf(Map);
    expect([...back.keys()]).toEqual([1, [1, 2], true]);
    expect(back.get(true)).toEqual(new Map([['x', 1]]));
  });

  it('round-trips Set, Date, bigint, undefined, null and typed arrays, nested', () => {
    const value = {
      set: new Set([1, 'a', 3n]),
      date: new Date(1_700_000_000_123),
      small: 5n,
      huge: 2n ** 80n,
      negative: -(2n ** 70n),
      missing: undefined,
      nothing: null,
      bytes: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([1.5, -2]),
      list: [undefined, { deep: [new Map([[1, new Set([new Date(0)])]])] }],
      large: 2 ** 40,
    };
    const back = roundTrip(value);
    expect(back).toEqual(value);
    expect(back.set).toBeInstanceOf(Set);
    expect(back.date).toBeInstanceOf(Date);
    expect(typeof back.small).toBe('bigint');
    expect('missing' in back).toBe(true);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect(back.floats).toBeInstanceOf(Float64Array);
    expect(typeof back.large).toBe('number');
  });

  it('decodes each byte string on its own, whatever was serialized before', () => {
    const first = serializer.serialize({ shape: 1, other: 'a' });
    const second = serializer.serialize({ shape: 2, other: 'b' });
    const fresh = new MsgpackSerializer<unknown>();
    expect(fresh.deserialize(second)).toEqual({ shape: 2, other: 'b' });
    expect(fresh.deserialize(first)).toEqual({ shape: 1, other: 'a' });
  });

  it('does not keep decoded binary values as views of the input bytes', () => {
    const bytes = serializer.serialize({ data: new Uint8Array([7, 8, 9]) });
    const back = serializer.deserialize(bytes) as { data: Uint8Array };
    bytes.fill(0);
    expect([...back.data]).toEqual([7, 8, 9]);
  });
});
