/**
 * Canonical key bytes, version 1: the one byte sequence that stands for a key, from which
 * its hash, its key group and its identity in keyed state all derive. Savepoints depend
 * on these bytes, so they never change without a new {@link KEY_ENCODING_VERSION}.
 * docs/KEYS.md has the format byte by byte; in short (all integers little-endian):
 *
 * | key                                  | bytes                                         |
 * |--------------------------------------|-----------------------------------------------|
 * | number, integer in [-2^31, 2^31 - 1] | 4 bytes, two's complement (-0 is 0); no tag   |
 * | any other number (not NaN)           | `0x02`, float64 (8 bytes)                     |
 * | string                               | `0x03`, u32 byte length, UTF-8 bytes          |
 * | bigint                               | `0x04`, u32 byte length, shortest two's complement |
 * | boolean                              | `0x05`, `0x00` or `0x01`                      |
 * | array (tuple)                        | `0x06`, u32 element count, elements           |
 * | int32 number inside a tuple          | `0x01`, 4 bytes two's complement              |
 *
 * Only the bare int32 form is 4 bytes long, so the length tells it apart from the tagged
 * forms; inside a tuple every element is tagged, so each is self-delimiting. The bare
 * int32 form makes integer keys land in the same key groups as in Flink.
 */
import { TUPLE_ID_PREFIX, type KeyId } from './key-format.js';
import { invalidKeyError, type Key } from './key-validation.js';
import { scratchKeyWriter } from './key-writer.js';

export { KEY_ENCODING_VERSION, KeyTag, TUPLE_ID_PREFIX, type KeyId } from './key-format.js';
export { MAX_KEY_DEPTH, validateKey, type Key } from './key-validation.js';
export { decodeKey, keyFromId } from './key-decoding.js';
export { keyHash } from './key-hash.js';

/**
 * The canonical bytes of `key`, in a fresh array. Not for the per-record path: use
 * {@link keyHash} and {@link keyId}, which do not allocate the bytes.
 *
 * @throws {@link KeyError} if `key` is not a {@link Key}.
 */
export function encodeKey(key: Key): Uint8Array {
  const writer = scratchKeyWriter;
  writer.write(key);
  const bytes = writer.bytes.slice(0, writer.length);
  writer.release();
  return bytes;
}

/**
 * A JS `Map` key with the identity of `key`'s canonical bytes: two keys get the same id
 * exactly when their {@link encodeKey} bytes are equal. Strings, numbers, bigints and
 * booleans are their own id, normalised as their bytes are: `-0` becomes `0`, and a
 * string that is not well-formed UTF-16 has its lone surrogates replaced by U+FFFD.
 * A tuple's id is {@link TUPLE_ID_PREFIX} followed by its canonical bytes, one latin1
 * char per byte. So `1`, `1n`, `'1'`, `[1]` and `true` are five different keys.
 * `keyFromId` is the inverse.
 *
 * @throws {@link KeyError} if `key` is not a {@link Key}.
 */
export function keyId(key: Key): KeyId {
  switch (typeof key) {
    case 'string':
      return (key as unknown as WellFormedString).isWellFormed()
        ? key
        : (key as unknown as WellFormedString).toWellFormed();
    case 'number':
      if (key !== key) throw invalidKeyError(key);
      return key === 0 ? 0 : key;
    case 'bigint':
    case 'boolean':
      return key;
    default: {
      if (!Array.isArray(key)) throw invalidKeyError(key);
      const writer = scratchKeyWriter;
      writer.write(key);
      const id = TUPLE_ID_PREFIX + writer.toLatin1();
      writer.release();
      return id;
    }
  }
}

/** String methods of ES2024, present in Node 20 but not in this project's `lib`. */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}
