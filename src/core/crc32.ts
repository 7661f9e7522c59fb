/**
 * CRC-32 (IEEE 802.3, the checksum of zlib, gzip and PNG), table-driven. Persisted formats
 * append it so that corrupt or truncated bytes are detected before they are decoded.
 */

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32 of `bytes`, as an unsigned 32-bit integer.
 *
 * `seed` is the CRC of the bytes that came before, so a checksum can be computed in
 * pieces: `crc32(b, crc32(a))` equals `crc32(concat(a, b))`.
 *
 * @param bytes - the bytes to check
 * @param seed - the CRC of the preceding bytes. @default 0
 * @example crc32(new TextEncoder().encode('123456789')) === 0xcbf43926
 */
export function crc32(bytes: Uint8Array, seed = 0): number {
  let c = ~seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  }
  return ~c >>> 0;
}
