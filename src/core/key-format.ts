/**
 * Constants of the canonical key bytes, shared by the encoder and the decoder.
 * docs/KEYS.md describes the format; changing any of this needs a new version.
 */

/** Version of the canonical key bytes; written next to keyed state in every snapshot. */
export const KEY_ENCODING_VERSION = 1;

/** Type tags of the canonical key bytes, version 1. */
export const KeyTag = {
  /** An int32 number inside a tuple (at top level an int32 is the bare 4 bytes). */
  INT32: 0x01,
  /** A number that is not an int32: float64, little-endian. */
  FLOAT64: 0x02,
  /** u32 byte length, then UTF-8. */
  STRING: 0x03,
  /** u32 byte length, then the shortest little-endian two's complement. */
  BIGINT: 0x04,
  /** One byte, `0x00` or `0x01`. */
  BOOLEAN: 0x05,
  /** u32 element count, then each element, tagged. */
  TUPLE: 0x06,
} as const;

/**
 * A key in a form a JS `Map` can hold with the identity of its canonical bytes: two keys
 * have the same id exactly when their canonical bytes are equal. Made by `keyId`.
 */
export type KeyId = string | number | bigint | boolean;

/**
 * The first code unit of a tuple's {@link KeyId}. A lone surrogate, which the id of a
 * string key (always well-formed) never has, so tuple ids and string ids cannot collide.
 */
export const TUPLE_ID_PREFIX = '\uD800';
