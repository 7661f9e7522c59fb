/**
 * The key hash, on the per-record path of every keyed exchange. It equals
 * `flinkAbs(murmur3_32(encodeKey(key)))`; the common key types are hashed straight from
 * their value, as MurmurHash3 would hash their canonical bytes, without writing them.
 */
import { KeyTag } from './key-format.js';
import type { Key } from './key-validation.js';
import { scratchKeyWriter } from './key-writer.js';
import { flinkAbs, murmur3_32, murmur3Finish, murmur3MixBlock, murmur3MixTail, murmurHashInt } from './murmur3.js';

/** ASCII strings up to this length are hashed from their chars; past it, encoding is faster. */
const SHORT_ASCII_STRING = 48;

const float64Bits = new DataView(new ArrayBuffer(8));

/** The hashes of `false` and `true`, whose bytes are `0x05 0x00` and `0x05 0x01`. */
const BOOLEAN_HASHES = [0, 1].map((b) => flinkAbs(murmur3_32(Uint8Array.of(KeyTag.BOOLEAN, b)))) as [number, number];

/**
 * The key hash: `flinkAbs(murmur3_32(encodeKey(key)))`, a non-negative int32. Numbers,
 * booleans and short ASCII strings are hashed without allocating; other keys are encoded
 * into a reused buffer first.
 *
 * @throws {@link KeyError} if `key` is not a {@link Key}.
 */
export function keyHash(key: Key): number {
  switch (typeof key) {
    case 'number':
      if ((key | 0) === key) return flinkAbs(murmurHashInt(key));
      if (key === key) return float64KeyHash(key);
      break; // NaN: the writer throws the KeyError
    case 'string':
      if (key.length <= SHORT_ASCII_STRING) {
        const hash = asciiStringKeyHash(key);
        if (hash >= 0) return hash;
      }
      break;
    case 'boolean':
      return BOOLEAN_HASHES[key ? 1 : 0];
  }
  const writer = scratchKeyWriter;
  writer.write(key);
  const hash = murmur3_32(writer.bytes, writer.length);
  writer.release();
  return flinkAbs(hash);
}

/** The hash of the 9 bytes `0x02`, float64 little-endian. */
function float64KeyHash(value: number): number {
  float64Bits.setFloat64(0, value, true);
  const lo = float64Bits.getInt32(0, true);
  const hi = float64Bits.getInt32(4, true);
  let h = murmur3MixBlock(0, KeyTag.FLOAT64 | (lo << 8));
  h = murmur3MixBlock(h, (lo >>> 24) | (hi << 8));
  h = murmur3MixTail(h, hi >>> 24);
  return flinkAbs(murmur3Finish(h, 9));
}

/**
 * The hash of an ASCII string's bytes (`0x03`, u32 length n, the n chars), computed from
 * its chars; -1 if it has a non-ASCII char.
 */
function asciiStringKeyHash(s: string): number {
  const n = s.length;
  let h = murmur3MixBlock(0, KeyTag.STRING | (n << 8)); // the tag and the 3 low bytes of n
  let k = n >>> 24; // the high byte of n starts the next block
  let shift = 8;
  let i = 0;
  if (n >= 3) {
    const c0 = s.charCodeAt(0);
    const c1 = s.charCodeAt(1);
    const c2 = s.charCodeAt(2);
    if ((c0 | c1 | c2) >= 0x80) return -1;
    h = murmur3MixBlock(h, k | (c0 << 8) | (c1 << 16) | (c2 << 24));
    k = 0;
    shift = 0;
    // From here on, blocks are 4 chars each.
    for (i = 3; i + 4 <= n; i += 4) {
      const d0 = s.charCodeAt(i);
      const d1 = s.charCodeAt(i + 1);
      const d2 = s.charCodeAt(i + 2);
      const d3 = s.charCodeAt(i + 3);
      if ((d0 | d1 | d2 | d3) >= 0x80) return -1;
      h = murmur3MixBlock(h, d0 | (d1 << 8) | (d2 << 16) | (d3 << 24));
    }
  }
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    k |= c << shift;
    shift += 8;
  }
  if (shift !== 0) h = murmur3MixTail(h, k);
  return flinkAbs(murmur3Finish(h, n + 5));
}
