/**
 * The inverse of the canonical key encoding (see key-encoding.ts and docs/KEYS.md): turns
 * key bytes, or a {@link KeyId}, from a snapshot back into the key. Strict: bytes the
 * encoder would never write (wrong lengths, non-shortest bigints, an int32 written as a
 * float, trailing bytes…) are rejected, so each key has exactly one encoding.
 */
import { KeyError } from './errors.js';
import { KEY_ENCODING_VERSION, KeyTag, TUPLE_ID_PREFIX, type KeyId } from './key-format.js';
import { MAX_KEY_DEPTH, type Key } from './key-validation.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The key whose canonical bytes are `bytes`. Strings come back well-formed (a lone
 * surrogate was encoded as U+FFFD) and `-0` comes back as `0`.
 *
 * @throws {@link KeyError} if `bytes` is not a canonical key encoding (version 1).
 */
export function decodeKey(bytes: Uint8Array): Key {
  if (bytes.length === 4) {
    return bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24);
  }
  const reader = new KeyReader(bytes);
  const key = reader.readTagged(0);
  if (reader.pos !== bytes.length) reader.fail(`${bytes.length - reader.pos} trailing bytes`);
  return key;
}

/**
 * The key whose {@link KeyId} is `id`, i.e. the inverse of `keyId` (used when restoring
 * state that was stored by id).
 *
 * @throws {@link KeyError} if `id` is not a key id (NaN, a malformed tuple id).
 */
export function keyFromId(id: KeyId): Key {
  if (typeof id === 'string') {
    // A tuple id is the prefix then latin1 chars; '\uD800' followed by a low surrogate
    // is a well-formed string (U+10000 and up), so it is a string id.
    const second = id.charCodeAt(1);
    if (id.charCodeAt(0) !== 0xd800 || (second >= 0xdc00 && second <= 0xdfff)) return id;
    const bytes = new Uint8Array(id.length - TUPLE_ID_PREFIX.length);
    for (let i = 0; i < bytes.length; i++) {
      const c = id.charCodeAt(i + TUPLE_ID_PREFIX.length);
      if (c > 0xff) throw new KeyError(`malformed tuple key id: char ${i + 1} is U+${hex(c, 4)}, not a byte`);
      bytes[i] = c;
    }
    const key = decodeKey(bytes);
    if (!Array.isArray(key)) throw new KeyError('malformed tuple key id: its bytes do not encode a tuple');
    return key;
  }
  if (typeof id === 'number' && id !== id) throw new KeyError('malformed key id: NaN is not a key');
  return id;
}

class KeyReader {
  pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  readTagged(depth: number): Key {
    const tagAt = this.pos;
    const tag = this.bytes[this.take(1)]!;
    switch (tag) {
      case KeyTag.INT32:
        // At top level an int32 is the bare 4-byte form; a tagged one is not canonical.
        if (depth === 0) this.fail('an int32 tag outside a tuple', tagAt);
        return this.view.getInt32(this.take(4), true);
      case KeyTag.FLOAT64: {
        const value = this.view.getFloat64(this.take(8), true);
        if (value !== value) this.fail('a NaN float64', tagAt);
        if ((value | 0) === value) this.fail(`float64 ${Object.is(value, -0) ? '-0' : value}, which is an int32`, tagAt);
        return value;
      }
      case KeyTag.STRING: {
        const length = this.view.getUint32(this.take(4), true);
        const start = this.take(length);
        try {
          return utf8.decode(this.bytes.subarray(start, start + length));
        } catch {
          return this.fail('a string that is not valid UTF-8', tagAt);
        }
      }
      case KeyTag.BIGINT:
        return this.readBigInt(tagAt);
      case KeyTag.BOOLEAN: {
        const byte = this.bytes[this.take(1)]!;
        if (byte > 1) this.fail(`boolean byte 0x${hex(byte, 2)}`, tagAt);
        return byte === 1;
      }
      case KeyTag.TUPLE: {
        if (depth >= MAX_KEY_DEPTH) this.fail(`tuples nested more than ${MAX_KEY_DEPTH} levels deep`, tagAt);
        const count = this.view.getUint32(this.take(4), true);
        // Every element takes at least 2 bytes; check before allocating `count` slots.
        if (count * 2 > this.bytes.length - this.pos) this.fail(`a tuple of ${count} elements in too few bytes`, tagAt);
        const elements: Key[] = new Array<Key>(count);
        for (let i = 0; i < count; i++) elements[i] = this.readTagged(depth + 1);
        return elements;
      }
      default:
        return this.fail(`unknown type tag 0x${hex(tag, 2)}`, tagAt);
    }
  }

  private readBigInt(tagAt: number): bigint {
    const length = this.view.getUint32(this.take(4), true);
    if (length === 0) this.fail('an empty bigint', tagAt);
    const start = this.take(length);
    const bytes = this.bytes;
    const last = bytes[start + length - 1]!;
    if (length > 1) {
      const beforeLast = bytes[start + length - 2]!;
      if ((last === 0x00 && (beforeLast & 0x80) === 0) || (last === 0xff && (beforeLast & 0x80) !== 0)) {
        this.fail('a bigint that is not in its shortest form', tagAt);
      }
    }
    let value = 0n;
    for (let i = start + length - 1; i >= start; i--) value = (value << 8n) | BigInt(bytes[i]!);
    return last & 0x80 ? value - (1n << BigInt(8 * length)) : value;
  }

  /** Advances past `n` bytes and returns where they start. */
  private take(n: number): number {
    const at = this.pos;
    if (n > this.bytes.length - at) this.fail(`${n} bytes needed but ${this.bytes.length - at} left`, at);
    this.pos = at + n;
    return at;
  }

  fail(reason: string, at: number = this.pos): never {
    throw new KeyError(`malformed key bytes (key encoding v${KEY_ENCODING_VERSION}): ${reason} at byte ${at}`);
  }
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}
