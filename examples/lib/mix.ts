/** A 32-bit integer hash of `n` (murmur3's finalizer), salted so each field gets its own: deterministic test data. */
export function mix(n: number, salt: number): number {
  let h = Math.imul(n, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
