/** fast-check generators of keys, and a reference model of what the key layer should do. */
import fc from 'fast-check';
import type { Key } from '../../src/core/key-encoding.js';

/** Any UTF-16 code unit, so strings may hold lone surrogates. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

export const int32Arb = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

export const stringArb: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: codeUnit }),
  fc.string({ unit: codeUnit, minLength: 50, maxLength: 300 }), // past the short-string path
);

export const numberArb: fc.Arbitrary<number> = fc.oneof(
  int32Arb,
  fc.double({ noNaN: true }),
  fc.integer({ min: -(2 ** 31) - 3, max: -(2 ** 31) + 3 }),
  fc.integer({ min: 2 ** 31 - 3, max: 2 ** 31 + 3 }),
  fc.constantFrom(-0, 0.5, -1.5, 2 ** 53, -(2 ** 53), Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE),
);

export const bigintArb: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: -(1n << 20n), max: 1n << 20n }),
  fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }),
  fc.constantFrom(0n, -1n, 127n, 128n, -128n, -129n, 255n, 256n, -256n, -257n),
  // Around the edges of 32- and 64-bit words, where the writer changes strategy.
  fc.constantFrom(31n, 32n, 63n, 64n).chain((bits) =>
    fc.tuple(fc.boolean(), fc.integer({ min: -2, max: 2 })).map(([negative, delta]) =>
      (negative ? -(1n << bits) : 1n << bits) + BigInt(delta),
    ),
  ),
);

const leafArb: fc.Arbitrary<Key> = fc.oneof(stringArb, numberArb, bigintArb, fc.boolean());

/** Any supported key: leaves and nested tuples of them. */
export const keyArb: fc.Arbitrary<Key> = fc.letrec<{ key: Key }>((tie) => ({
  key: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafArb, fc.array(tie('key'), { maxLength: 4 })),
})).key;

/** Keys from a tiny domain with many near-collisions, so pairs are often equal. */
export const smallKeyArb: fc.Arbitrary<Key> = fc.letrec<{ key: Key }>((tie) => ({
  key: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<Key>(
      0, -0, 1, -1, 0.5, 2 ** 31, -(2 ** 31), Infinity,
      0n, 1n, -1n, 2n ** 31n,
      '', '1', '0', 'a', '\uD800', '\uDC00', '\uFFFD', '\u{10000}', '\uD800\uDC00',
      true, false,
    ),
    fc.array(tie('key'), { maxLength: 3 }),
  ),
})).key;

/** What decoding an encoded key gives back: -0 is 0, strings are well-formed. */
export function canonicalKey(key: Key): Key {
  if (typeof key === 'string') return (key as unknown as { toWellFormed(): string }).toWellFormed();
  if (typeof key === 'number') return key === 0 ? 0 : key;
  if (Array.isArray(key)) return key.map(canonicalKey);
  return key;
}

export function isInt32(key: Key): key is number {
  return typeof key === 'number' && Number.isInteger(key) && key >= -(2 ** 31) && key <= 2 ** 31 - 1;
}

/**
 * A second, deliberately plain implementation of the v1 encoding (docs/KEYS.md), to check
 * the optimised encoder against.
 */
export function referenceEncode(key: Key, inTuple = false): number[] {
  const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  if (isInt32(key)) return [...(inTuple ? [0x01] : []), ...u32(key | 0)];
  if (typeof key === 'number') {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setFloat64(0, key, true);
    return [0x02, ...out];
  }
  if (typeof key === 'string') {
    const utf8 = new TextEncoder().encode(key);
    return [0x03, ...u32(utf8.length), ...utf8];
  }
  if (typeof key === 'bigint') {
    // Shortest length whose two's complement range holds the value.
    let length = 1;
    while (key < -(1n << BigInt(8 * length - 1)) || key >= 1n << BigInt(8 * length - 1)) length++;
    const twos = BigInt.asUintN(8 * length, key);
    const body: number[] = [];
    for (let i = 0; i < length; i++) body.push(Number((twos >> BigInt(8 * i)) & 0xffn));
    return [0x04, ...u32(length), ...body];
  }
  if (typeof key === 'boolean') return [0x05, key ? 1 : 0];
  return [0x06, ...u32(key.length), ...key.flatMap((element) => referenceEncode(element, true))];
}
