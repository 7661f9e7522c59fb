import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyError } from '../../src/core/errors.js';
import {
  decodeKey,
  encodeKey,
  KEY_ENCODING_VERSION,
  keyFromId,
  keyHash,
  keyId,
  TUPLE_ID_PREFIX,
  validateKey,
  type Key,
} from '../../src/core/key-encoding.js';
import { scratchKeyWriter } from '../../src/core/key-writer.js';
import { flinkAbs, murmur3_32 } from '../../src/core/murmur3.js';
import { canonicalKey, isInt32, keyArb, referenceEncode, smallKeyArb, stringArb } from './key-arbitraries.js';

const bytesOf = (key: Key): number[] => [...encodeKey(key)];
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function float64LE(n: number): number[] {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, n, true);
  return [...out];
}

describe('encodeKey', () => {
  it('is version 1 of the key encoding', () => {
    expect(KEY_ENCODING_VERSION).toBe(1);
  });

  it('writes an int32 number as its bare 4 little-endian bytes, with -0 as 0', () => {
    expect(bytesOf(0)).toEqual([0, 0, 0, 0]);
    expect(bytesOf(-0)).toEqual([0, 0, 0, 0]);
    expect(bytesOf(1)).toEqual([1, 0, 0, 0]);
    expect(bytesOf(-1)).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(bytesOf(0x12345678)).toEqual([0x78, 0x56, 0x34, 0x12]);
    expect(bytesOf(-(2 ** 31))).toEqual([0, 0, 0, 0x80]);
    expect(bytesOf(2 ** 31 - 1)).toEqual([0xff, 0xff, 0xff, 0x7f]);
  });

  it('writes every other number as tag 0x02 and a little-endian float64', () => {
    expect(bytesOf(0.5)).toEqual([0x02, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f]);
    expect(bytesOf(2 ** 31)).toEqual([0x02, 0, 0, 0, 0, 0, 0, 0xe0, 0x41]);
    expect(bytesOf(-(2 ** 31) - 1)).toEqual([0x02, ...float64LE(-(2 ** 31) - 1)]);
    expect(bytesOf(Infinity)).toEqual([0x02, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f]);
    expect(bytesOf(-Infinity)).toEqual([0x02, 0, 0, 0, 0, 0, 0, 0xf0, 0xff]);
  });

  it('writes a string as tag 0x03, its UTF-8 byte length and its UTF-8 bytes', () => {
    expect(bytesOf('')).toEqual([0x03, 0, 0, 0, 0]);
    expect(bytesOf('hi')).toEqual([0x03, 2, 0, 0, 0, 0x68, 0x69]);
    expect(bytesOf('é')).toEqual([0x03, 2, 0, 0, 0, 0xc3, 0xa9]);
    expect(bytesOf('€')).toEqual([0x03, 3, 0, 0, 0, 0xe2, 0x82, 0xac]);
    expect(bytesOf('\u{1F600}')).toEqual([0x03, 4, 0, 0, 0, 0xf0, 0x9f, 0x98, 0x80]);
  });

  it('writes a lone surrogate as U+FFFD, so such strings key by their UTF-8 form', () => {
    const replacement = [0x03, 3, 0, 0, 0, 0xef, 0xbf, 0xbd];
    expect(bytesOf('\uD800')).toEqual(replacement);
    expect(bytesOf('\uDC00')).toEqual(replacement);
    expect(bytesOf('\uFFFD')).toEqual(replacement);
    expect(bytesOf('a\uD800'.repeat(40))).toEqual(bytesOf('a\uFFFD'.repeat(40)));
  });

  it('writes a bigint as tag 0x04, a byte length and its shortest little-endian two’s complement', () => {
    expect(bytesOf(0n)).toEqual([0x04, 1, 0, 0, 0, 0x00]);
    expect(bytesOf(1n)).toEqual([0x04, 1, 0, 0, 0, 0x01]);
    expect(bytesOf(127n)).toEqual([0x04, 1, 0, 0, 0, 0x7f]);
    expect(bytesOf(128n)).toEqual([0x04, 2, 0, 0, 0, 0x80, 0x00]);
    expect(bytesOf(-1n)).toEqual([0x04, 1, 0, 0, 0, 0xff]);
    expect(bytesOf(-128n)).toEqual([0x04, 1, 0, 0, 0, 0x80]);
    expect(bytesOf(-129n)).toEqual([0x04, 2, 0, 0, 0, 0x7f, 0xff]);
    expect(bytesOf(0x0102030405n)).toEqual([0x04, 5, 0, 0, 0, 5, 4, 3, 2, 1]);
  });

  it('writes a boolean as tag 0x05 and one byte', () => {
    expect(bytesOf(false)).toEqual([0x05, 0]);
    expect(bytesOf(true)).toEqual([0x05, 1]);
  });

  it('writes a tuple as tag 0x06, its element count and tagged elements (an int32 gets tag 0x01)', () => {
    expect(bytesOf([])).toEqual([0x06, 0, 0, 0, 0]);
    expect(bytesOf([1, 'a'])).toEqual([0x06, 2, 0, 0, 0, 0x01, 1, 0, 0, 0, 0x03, 1, 0, 0, 0, 0x61]);
    expect(bytesOf([[true], -0])).toEqual([0x06, 2, 0, 0, 0, 0x06, 1, 0, 0, 0, 0x05, 1, 0x01, 0, 0, 0, 0]);
  });

  it('returns fresh bytes that later calls do not overwrite', () => {
    const first = encodeKey('first');
    const copy = [...first];
    encodeKey('a much longer second key that reuses the scratch buffer');
    keyHash('third');
    expect([...first]).toEqual(copy);
  });

  it('agrees byte for byte with a plain reference implementation of the format', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        expect(bytesOf(key)).toEqual(referenceEncode(key));
      }),
      { numRuns: 500 },
    );
  });

  it('gives length 4 to int32 numbers and to nothing else', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        expect(encodeKey(key).length === 4).toBe(isInt32(key));
      }),
      { numRuns: 500 },
    );
  });

  it('encodes very long strings, growing the scratch buffer and then letting it go', () => {
    for (const s of ['x'.repeat(100_000), 'é€\u{1F600}\uD800'.repeat(30_000)]) {
      expect(bytesOf(s)).toEqual(referenceEncode(s));
      expect(keyHash(s)).toBe(flinkAbs(murmur3_32(encodeKey(s))));
    }
    expect(keyHash('small')).toBe(flinkAbs(murmur3_32(Uint8Array.from(referenceEncode('small')))));
    expect(scratchKeyWriter.bytes.length).toBeLessThanOrEqual(64 * 1024);
  });

  it('keeps what it already wrote when a big element grows the buffer mid-key', () => {
    for (const key of [
      ['x'.repeat(200), 1n << 3000n, 'y'.repeat(500)],
      [-(1n << 20_000n), [true, 'é'.repeat(1000)], 2.5],
      1n << 100_000n,
    ] as Key[]) {
      expect(bytesOf(key)).toEqual(referenceEncode(key));
      expect(decodeKey(encodeKey(key))).toStrictEqual(key);
      expect(keyHash(key)).toBe(flinkAbs(murmur3_32(Uint8Array.from(referenceEncode(key)))));
    }
  });
});

describe('decodeKey', () => {
  it('inverts encodeKey for every key, up to -0 and lone surrogates', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        expect(decodeKey(encodeKey(key))).toStrictEqual(canonicalKey(key));
      }),
      { numRuns: 500 },
    );
  });

  it('gives back well-formed strings exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(decodeKey(encodeKey(s))).toBe(s);
      }),
    );
  });

  it('keeps a leading byte order mark', () => {
    expect(decodeKey(encodeKey('\uFEFFx'))).toBe('\uFEFFx');
  });

  it('reads bytes that sit at an offset inside a larger buffer', () => {
    const encoded = encodeKey(['a', 1.5, 7n]);
    const big = new Uint8Array(encoded.length + 10);
    big.set(encoded, 3);
    expect(decodeKey(big.subarray(3, 3 + encoded.length))).toStrictEqual(['a', 1.5, 7n]);
  });

  it.each<[string, number[]]>([
    ['empty input', []],
    ['an unknown tag', [0x07, 0]],
    ['an int32 tag outside a tuple', [0x01, 1, 0, 0, 0]],
    ['a float64 holding an int32', [0x02, ...float64LE(1)]],
    ['a float64 holding -0', [0x02, ...float64LE(-0)]],
    ['a float64 holding NaN', [0x02, ...float64LE(NaN)]],
    ['a truncated float64', [0x02, 0, 0, 0, 0, 0]],
    ['a string that is not UTF-8', [0x03, 1, 0, 0, 0, 0xff]],
    ['a string longer than the bytes', [0x03, 9, 0, 0, 0, 0x61]],
    ['an empty bigint', [0x04, 0, 0, 0, 0]],
    ['a bigint with a needless 0x00 byte', [0x04, 2, 0, 0, 0, 0x01, 0x00]],
    ['a bigint with a needless 0xff byte', [0x04, 2, 0, 0, 0, 0xff, 0xff]],
    ['a boolean byte other than 0 or 1', [0x05, 2]],
    ['trailing bytes', [0x05, 1, 0]],
    ['a tuple count larger than the bytes', [0x06, 0xff, 0xff, 0xff, 0xff]],
    ['a tuple missing an element', [0x06, 2, 0, 0, 0, 0x05, 1]],
    ['a 3-byte input', [1, 2, 3]],
  ])('rejects %s with a KeyError', (_, input) => {
    expect(() => decodeKey(Uint8Array.from(input))).toThrow(KeyError);
    expect(() => decodeKey(Uint8Array.from(input))).toThrow(/malformed key bytes \(key encoding v1\)/);
  });

  it('rejects tuples nested deeper than 32 levels', () => {
    const nest = (levels: number): Key => (levels === 0 ? 1 : [nest(levels - 1)]);
    expect(decodeKey(encodeKey(nest(32)))).toStrictEqual(nest(32));
    const tooDeep = [...Array<number[]>(33).fill([0x06, 1, 0, 0, 0]).flat(), 0x05, 1];
    expect(() => decodeKey(Uint8Array.from(tooDeep))).toThrow(/more than 32 levels/);
  });
});

describe('keyHash', () => {
  it('equals flinkAbs(murmur3_32(encodeKey(key))) for every key, whatever path computes it', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        expect(keyHash(key)).toBe(flinkAbs(murmur3_32(encodeKey(key))));
      }),
      { numRuns: 1000 },
    );
  });

  it('matches the reference encoding for strings of every length', () => {
    fc.assert(
      fc.property(stringArb, (s) => {
        expect(keyHash(s)).toBe(flinkAbs(murmur3_32(Uint8Array.from(referenceEncode(s)))));
      }),
      { numRuns: 500 },
    );
  });

  it('hashes ASCII strings of every length from their chars exactly as from their bytes', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (let n = 0; n <= alphabet.length; n++) {
      const s = alphabet.slice(0, n);
      expect(keyHash(s)).toBe(flinkAbs(murmur3_32(Uint8Array.from(referenceEncode(s)))));
      // A non-ASCII char at any position sends the string down the general path.
      for (let at = 0; at < n; at++) {
        const t = s.slice(0, at) + 'é' + s.slice(at + 1);
        expect(keyHash(t)).toBe(flinkAbs(murmur3_32(Uint8Array.from(referenceEncode(t)))));
      }
    }
  });

  it('gives Flink’s hashes for the int keys 0 to 4, and the same for -0 as for 0', () => {
    expect([0, 1, 2, 3, 4].map(keyHash)).toEqual([593689054, 68075478, 1085422463, 847579505, 1889779975]);
    expect(keyHash(-0)).toBe(keyHash(0));
  });

  it('tells apart 1, 1n, "1", [1] and true', () => {
    const hashes = new Set([1, 1n, '1', [1], true].map((key) => keyHash(key as Key)));
    expect(hashes.size).toBe(5);
  });
});

describe('keyId', () => {
  it('is equal for two keys exactly when their encoded bytes are equal', () => {
    fc.assert(
      fc.property(smallKeyArb, smallKeyArb, (a, b) => {
        expect(Object.is(keyId(a), keyId(b))).toBe(sameBytes(encodeKey(a), encodeKey(b)));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(keyArb, keyArb, (a, b) => {
        expect(Object.is(keyId(a), keyId(b))).toBe(sameBytes(encodeKey(a), encodeKey(b)));
      }),
    );
  });

  it('maps primitives to themselves, -0 to 0 and lone surrogates to U+FFFD', () => {
    expect(keyId('abc')).toBe('abc');
    expect(keyId(7)).toBe(7);
    expect(keyId(2.5)).toBe(2.5);
    expect(keyId(2 ** 40)).toBe(2 ** 40);
    expect(Object.is(keyId(-0), 0)).toBe(true);
    expect(keyId(5n)).toBe(5n);
    expect(keyId(false)).toBe(false);
    expect(keyId('a\uD800b')).toBe('a\uFFFDb');
    expect(keyId('\u{10000}')).toBe('\u{10000}');
  });

  it('maps a tuple to the lone-surrogate prefix and its bytes as latin1 chars', () => {
    const id = keyId([1, 'a']);
    expect(id).toBe(TUPLE_ID_PREFIX + String.fromCharCode(...encodeKey([1, 'a'])));
    expect(typeof id === 'string' && id.charCodeAt(0)).toBe(0xd800);
  });

  it('works as a Map key with the identity of the key', () => {
    const map = new Map<unknown, string>();
    map.set(keyId(['user', 1]), 'tuple');
    map.set(keyId(1), 'number');
    map.set(keyId('1'), 'string');
    expect(map.get(keyId(['user', 1]))).toBe('tuple');
    expect(map.get(keyId(['user', 1.0]))).toBe('tuple');
    expect(map.get(keyId(-0 + 1))).toBe('number');
    expect(map.get(keyId(1n))).toBeUndefined();
    expect(map.get(keyId(['user', '1']))).toBeUndefined();
  });

  it('is inverted by keyFromId', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        expect(keyFromId(keyId(key))).toStrictEqual(canonicalKey(key));
      }),
      { numRuns: 500 },
    );
  });

  it('handles tuples larger than one fromCharCode chunk', () => {
    const key = Array.from({ length: 5000 }, (_, i) => `k${i}`);
    expect(keyFromId(keyId(key))).toStrictEqual(key);
  });
});

describe('keyFromId', () => {
  it('reads a string starting with a surrogate pair as a string, not a tuple', () => {
    expect(keyFromId('\u{10000}abc')).toBe('\u{10000}abc');
  });

  it('rejects malformed tuple ids and NaN with a KeyError', () => {
    expect(() => keyFromId(TUPLE_ID_PREFIX + '\u0100')).toThrow(KeyError);
    expect(() => keyFromId(TUPLE_ID_PREFIX + String.fromCharCode(...encodeKey(true)))).toThrow(/do not encode a tuple/);
    expect(() => keyFromId(TUPLE_ID_PREFIX)).toThrow(KeyError);
    expect(() => keyFromId(NaN)).toThrow(KeyError);
  });
});

describe('unsupported keys', () => {
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);

  it.each<[string, unknown, RegExp]>([
    ['null', null, /the key is null/],
    ['undefined', undefined, /the key is undefined/],
    ['a plain object', { id: 1 }, /the key is a plain object/],
    ['a Date', new Date(0), /the key is an object of class Date/],
    ['a Uint8Array', new Uint8Array(2), /the key is an object of class Uint8Array/],
    ['a symbol', Symbol('s'), /the key is a symbol/],
    ['a function', () => 1, /the key is a function/],
    ['NaN', NaN, /the key is NaN/],
    ['null inside a tuple', [1, 'a', null], /element 2 of the key is null/],
    ['a hole in a tuple', [1, , 3], /element 1 of the key is undefined/],
    ['NaN inside a tuple', [NaN], /element 0 of the key is NaN/],
    ['an object nested in a tuple', [1, [2, {}]], /element 1 of element 1 of the key is a plain object/],
    ['a cyclic array', cyclic, /more than 32 levels deep \(is it cyclic\?\)/],
  ])('rejects %s with a KeyError that says what was found', (_, key, message) => {
    for (const use of [validateKey, encodeKey, keyHash, keyId] as ((key: unknown) => unknown)[]) {
      expect(() => use(key)).toThrow(KeyError);
      expect(() => use(key)).toThrow(message);
    }
  });

  it('lists the supported types and mentions a key serializer', () => {
    expect(() => validateKey({})).toThrow(/supported key types are string, number \(not NaN\), bigint, boolean and arrays/);
    expect(() => validateKey({})).toThrow(/key serializer/);
  });

  it('accepts every supported key and returns it unchanged', () => {
    fc.assert(
      fc.property(keyArb, (key) => {
        expect(validateKey(key)).toBe(key);
      }),
    );
  });
});
