/**
 * MurmurHash3 x86_32, the hash behind key-group assignment. It must give the same 32 bits
 * as the reference C implementation (and Flink's `MathUtils.murmurHash`), since key groups,
 * and therefore savepoints, depend on it.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * MurmurHash3 x86_32 of the first `length` bytes of `bytes`.
 *
 * @param bytes - the input; only `bytes[0 .. length - 1]` is read.
 * @param length - how many bytes to hash. @default `bytes.length`
 * @param seed - the 32-bit seed. @default 0
 * @returns the hash as a signed 32-bit integer (the reference returns it unsigned:
 *   `h >>> 0` gives that form).
 * @throws RangeError if `length` is larger than `bytes.length`.
 */
export function murmur3_32(bytes: Uint8Array, length: number = bytes.length, seed = 0): number {
  if (length > bytes.length) {
    throw new RangeError(`murmur3_32: length ${length} exceeds the ${bytes.length} bytes given`);
  }
  let h = seed | 0;
  const blocksEnd = length & ~3;
  let i = 0;
  for (; i < blocksEnd; i += 4) {
    h = murmur3MixBlock(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  }
  const tail = length & 3;
  if (tail !== 0) {
    let k = bytes[i]!;
    if (tail >= 2) k |= bytes[i + 1]! << 8;
    if (tail === 3) k |= bytes[i + 2]! << 16;
    h = murmur3MixTail(h, k);
  }
  return murmur3Finish(h, length);
}

/**
 * MurmurHash3 x86_32 (seed 0) of the 4-byte little-endian two's-complement form of the
 * 32-bit integer `n`, without allocating. Equal to `murmur3_32` of those 4 bytes, and to
 * Flink's `MathUtils.murmurHash(int)` before its abs step.
 *
 * @param n - an integer; it is truncated to 32 bits (`n | 0`) first.
 * @returns a signed 32-bit integer.
 */
export function murmurHashInt(n: number): number {
  return murmur3Finish(murmur3MixBlock(0, n | 0), 4);
}

/**
 * Flink's abs step for hashes (`MathUtils.murmurHash`): a non-negative int, where the one
 * value without a 32-bit absolute value, -2^31, maps to 0.
 */
export function flinkAbs(h: number): number {
  return h >= 0 ? h : h !== -2147483648 ? -h : 0;
}

/*
 * The three steps of MurmurHash3 x86_32, exported so a key can be hashed straight from its
 * fields without writing its bytes (see `keyHash`). For input bytes b[0 .. len - 1]:
 *   h = seed; for each full 4-byte block: h = murmur3MixBlock(h, little-endian int of the block);
 *   if 1 to 3 bytes remain: h = murmur3MixTail(h, little-endian int of them);
 *   hash = murmur3Finish(h, len).
 */

/** Mixes one full 4-byte block `k` (little-endian, as an int) into the running hash `h`. */
export function murmur3MixBlock(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Mixes the last 1 to 3 bytes, `k` (little-endian, zero-padded), into the running hash `h`. */
export function murmur3MixTail(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  return h ^ k;
}

/** Finishes a hash of `length` bytes: the length, then the final avalanche (fmix32). */
export function murmur3Finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
