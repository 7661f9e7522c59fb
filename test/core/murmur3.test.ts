import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flinkAbs, murmur3_32, murmurHashInt } from '../../src/core/murmur3.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const unsigned = (h: number): number => h >>> 0;

function int32LE(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, n, true);
  return out;
}

describe('murmur3_32', () => {
  it('hashes the empty input to the reference values for seeds 0, 1 and 0xffffffff', () => {
    expect(murmur3_32(bytes())).toBe(0);
    expect(unsigned(murmur3_32(bytes(), 0, 1))).toBe(0x514e28b7);
    expect(unsigned(murmur3_32(bytes(), 0, 0xffffffff))).toBe(0x81f16f39);
  });

  it('matches the reference vectors for 1 to 4 byte inputs, covering every tail length', () => {
    expect(unsigned(murmur3_32(bytes(0xff, 0xff, 0xff, 0xff)))).toBe(0x76293b50);
    expect(unsigned(murmur3_32(bytes(0x21, 0x43, 0x65, 0x87)))).toBe(0xf55b516b);
    expect(unsigned(murmur3_32(bytes(0x21, 0x43, 0x65, 0x87), 4, 0x5082edee))).toBe(0x2362f9de);
    expect(unsigned(murmur3_32(bytes(0x21, 0x43, 0x65)))).toBe(0x7e4a8634);
    expect(unsigned(murmur3_32(bytes(0x21, 0x43)))).toBe(0xa0f7b07a);
    expect(unsigned(murmur3_32(bytes(0x21)))).toBe(0x72661cf4);
    expect(unsigned(murmur3_32(bytes(0, 0, 0, 0)))).toBe(0x2362f9de);
    expect(unsigned(murmur3_32(bytes(0, 0, 0)))).toBe(0x85f0b427);
    expect(unsigned(murmur3_32(bytes(0, 0)))).toBe(0x30f4c306);
    expect(unsigned(murmur3_32(bytes(0)))).toBe(0x514e28b7);
  });

  it('matches the reference vectors for text', () => {
    expect(murmur3_32(utf8('hello'))).toBe(0x248bfa47);
    expect(murmur3_32(utf8('hello'))).toBe(613153351);
    expect(unsigned(murmur3_32(utf8('Hello, world!'), undefined, 1234))).toBe(0xfaf6cdb3);
    expect(unsigned(murmur3_32(utf8('The quick brown fox jumps over the lazy dog')))).toBe(0x2e4ff723);
    expect(unsigned(murmur3_32(utf8('aaaa'), undefined, 0x9747b28c))).toBe(0x5a97808a);
    expect(unsigned(murmur3_32(utf8('abc'), undefined, 0x9747b28c))).toBe(0xc84a62dd);
    expect(unsigned(murmur3_32(utf8('Hello, world!'), undefined, 0x9747b28c))).toBe(0x24884cba);
  });

  it('returns a signed 32-bit integer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer(), (input, seed) => {
        const h = murmur3_32(input, input.length, seed);
        expect(h).toBe(h | 0);
      }),
    );
  });

  it('hashes only the first `length` bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 8 }), (input, junk) => {
        const padded = new Uint8Array(input.length + junk.length);
        padded.set(input);
        padded.set(junk, input.length);
        expect(murmur3_32(padded, input.length)).toBe(murmur3_32(input));
      }),
    );
  });

  it('refuses a length past the end of the bytes', () => {
    expect(() => murmur3_32(bytes(1, 2), 3)).toThrow(RangeError);
  });
});

describe('murmurHashInt', () => {
  it('gives Flink’s int hashes for 0 to 4 after the abs step', () => {
    expect([0, 1, 2, 3, 4].map((n) => flinkAbs(murmurHashInt(n)))).toEqual([
      593689054, 68075478, 1085422463, 847579505, 1889779975,
    ]);
  });

  it('equals murmur3_32 of the 4-byte little-endian int for every int32', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (n) => {
        expect(murmurHashInt(n)).toBe(murmur3_32(int32LE(n)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('flinkAbs', () => {
  it('is the absolute value, except that -2^31 maps to 0', () => {
    expect(flinkAbs(5)).toBe(5);
    expect(flinkAbs(-5)).toBe(5);
    expect(flinkAbs(0)).toBe(0);
    expect(flinkAbs(2 ** 31 - 1)).toBe(2 ** 31 - 1);
    expect(flinkAbs(-(2 ** 31 - 1))).toBe(2 ** 31 - 1);
    expect(flinkAbs(-(2 ** 31))).toBe(0);
  });
});
