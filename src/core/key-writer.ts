/**
 * The encoder of canonical key bytes (format in key-encoding.ts and docs/KEYS.md). It
 * writes into one reused buffer per thread, so hashing a key or making its id allocates
 * nothing for the bytes; `encodeKey` copies them out.
 */
import { Buffer } from 'node:buffer';
import { KeyTag } from './key-format.js';
import { invalidKeyError, MAX_KEY_DEPTH } from './key-validation.js';

const INITIAL_CAPACITY = 256;
/** A buffer grown past this by one huge key is dropped after use rather than kept. */
const MAX_RETAINED_CAPACITY = 64 * 1024;
/** Non-ASCII strings up to this length are UTF-8 encoded in JS; longer ones by `TextEncoder`. */
const SHORT_STRING = 64;
const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

const utf8 = new TextEncoder();

/**
 * Writes a key's canonical bytes into `bytes[0 .. length - 1]`, reusing the buffer from
 * key to key. Not re-entrant, which is fine: it calls no user code.
 *
 * @internal
 */
export class KeyWriter {
  /** The buffer; valid up to {@link KeyWriter.length} after {@link KeyWriter.write}. */
  bytes = new Uint8Array(INITIAL_CAPACITY);
  /** How many bytes the last {@link KeyWriter.write} wrote. */
  length = 0;
  private float64 = new DataView(this.bytes.buffer);
  private latin1: Buffer = Buffer.from(this.bytes.buffer);

  /**
   * Encodes `key` (checking it on the way).
   *
   * @throws {@link KeyError} if `key` is not a `Key`.
   */
  write(key: unknown): void {
    this.length = 0;
    if (typeof key === 'number' && (key | 0) === key) {
      this.ensure(4);
      putInt32(this.bytes, 0, key);
      this.length = 4;
    } else {
      this.writeTagged(key, key, 0);
    }
  }

  /** The written bytes as a latin1 string, one char per byte. */
  toLatin1(): string {
    return this.latin1.toString('latin1', 0, this.length);
  }

  /** Call when done with the bytes: lets go of a buffer that one huge key grew. */
  release(): void {
    if (this.bytes.length > MAX_RETAINED_CAPACITY) this.setCapacity(INITIAL_CAPACITY);
  }

  private writeTagged(value: unknown, root: unknown, depth: number): void {
    switch (typeof value) {
      case 'number':
        if ((value | 0) === value) {
          this.ensure(5);
          this.bytes[this.length] = KeyTag.INT32;
          putInt32(this.bytes, this.length + 1, value);
          this.length += 5;
        } else {
          if (value !== value) throw invalidKeyError(root);
          this.ensure(9);
          this.bytes[this.length] = KeyTag.FLOAT64;
          this.float64.setFloat64(this.length + 1, value, true);
          this.length += 9;
        }
        return;
      case 'string':
        this.writeString(value);
        return;
      case 'bigint':
        this.writeBigInt(value);
        return;
      case 'boolean':
        this.ensure(2);
        this.bytes[this.length] = KeyTag.BOOLEAN;
        this.bytes[this.length + 1] = value ? 1 : 0;
        this.length += 2;
        return;
      default:
        if (!Array.isArray(value) || depth >= MAX_KEY_DEPTH) throw invalidKeyError(root);
        this.ensure(5);
        this.bytes[this.length] = KeyTag.TUPLE;
        putInt32(this.bytes, this.length + 1, value.length);
        this.length += 5;
        for (let i = 0; i < value.length; i++) this.writeTagged(value[i], root, depth + 1);
    }
  }

  private writeString(s: string): void {
    const n = s.length;
    this.ensure(5 + 3 * n); // UTF-8 takes at most 3 bytes per UTF-16 code unit
    const at = this.length;
    const start = at + 5;
    const end =
      n <= SHORT_STRING
        ? writeUtf8(this.bytes, start, s)
        : start + utf8.encodeInto(s, this.bytes.subarray(start)).written;
    this.bytes[at] = KeyTag.STRING;
    putInt32(this.bytes, at + 1, end - start);
    this.length = end;
  }

  /** Tag, u32 length, then the shortest little-endian two's complement (0n is one 0x00 byte). */
  private writeBigInt(value: bigint): void {
    const at = this.length;
    let end = at + 5;
    if (value >= INT32_MIN && value <= INT32_MAX) {
      this.ensure(9);
      putInt32(this.bytes, end, Number(value));
      end += 4;
    } else {
      // 32 bits at a time, then one more word of pure sign; trimmed below.
      let rest = value;
      for (;;) {
        this.ensure(end - at + 4);
        putInt32(this.bytes, end, Number(BigInt.asIntN(32, rest)));
        end += 4;
        if (rest === 0n || rest === -1n) break;
        rest >>= 32n;
      }
    }
    // Drop top bytes that only repeat the sign of the byte below them.
    const b = this.bytes;
    while (end - at > 6) {
      const top = b[end - 1]!;
      const below = b[end - 2]!;
      if ((top === 0x00 && below < 0x80) || (top === 0xff && below >= 0x80)) end--;
      else break;
    }
    b[at] = KeyTag.BIGINT;
    putInt32(b, at + 1, end - at - 5);
    this.length = end;
  }

  /** Makes room for `extra` more bytes after {@link KeyWriter.length}. */
  private ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed > this.bytes.length) {
      let capacity = this.bytes.length * 2;
      while (capacity < needed) capacity *= 2;
      this.setCapacity(capacity);
    }
  }

  private setCapacity(capacity: number): void {
    const next = new Uint8Array(capacity);
    // Everything, not just `length` bytes: a write in progress may be ahead of `length`.
    next.set(this.bytes.subarray(0, Math.min(this.bytes.length, capacity)));
    this.bytes = next;
    this.float64 = new DataView(next.buffer);
    this.latin1 = Buffer.from(next.buffer);
  }
}

/** The writer shared by everything on this thread that encodes keys. @internal */
export const scratchKeyWriter = new KeyWriter();

/** Writes the low 32 bits of `n` little-endian at `at` (an int32 or a u32 alike). */
function putInt32(b: Uint8Array, at: number, n: number): void {
  b[at] = n;
  b[at + 1] = n >>> 8;
  b[at + 2] = n >>> 16;
  b[at + 3] = n >>> 24;
}

/** UTF-8 of `s` at `at`, a lone surrogate becoming U+FFFD as in `TextEncoder`; returns the end. */
function writeUtf8(b: Uint8Array, at: number, s: string): number {
  let p = at;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      b[p++] = c;
    } else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = c <= 0xdbff ? s.charCodeAt(i + 1) : NaN; // NaN past the end
        if (next >= 0xdc00 && next <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          b[p++] = 0xf0 | (cp >> 18);
          b[p++] = 0x80 | ((cp >> 12) & 0x3f);
          b[p++] = 0x80 | ((cp >> 6) & 0x3f);
          b[p++] = 0x80 | (cp & 0x3f);
          i++;
          continue;
        }
        c = 0xfffd;
      }
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}
