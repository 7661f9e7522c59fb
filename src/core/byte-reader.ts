/**
 * The bounds-checked reader matching {@link ByteWriter}. A read past the end throws
 * {@link StateSerializationError} naming what was being read, so truncated bytes never
 * decode into garbage.
 */
import { StateSerializationError } from './errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads what {@link ByteWriter} wrote, from `start` up to `end` of `bytes`. */
export class ByteReader {
  private readonly data: Uint8Array;
  private readonly view: DataView;
  private readonly end: number;
  private offset: number;
  /** Names the byte string in error messages, e.g. `keyed snapshot` or `operator state snapshot`. */
  private readonly what: string;

  constructor(bytes: Uint8Array, what: string, start = 0, end = bytes.length) {
    this.data = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = start;
    this.end = end;
    this.what = what;
  }

  /** The offset of the next read, from the start of `bytes`. */
  get position(): number {
    return this.offset;
  }

  /** Whether every byte up to `end` has been read. */
  get atEnd(): boolean {
    return this.offset >= this.end;
  }

  /** Reads one byte. */
  u8(field: string): number {
    this.need(1, field);
    return this.data[this.offset++]!;
  }

  /** Reads an unsigned 16-bit integer. */
  u16(field: string): number {
    this.need(2, field);
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  /** Reads an unsigned 32-bit integer. */
  u32(field: string): number {
    this.need(4, field);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  /** Reads an 8-byte unsigned integer that must be a safe integer. */
  u64(field: string): number {
    this.need(8, field);
    const value = this.view.getBigUint64(this.offset);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw this.corrupt(`${field} ${value} is too large`);
    return Number(value);
  }

  /** Reads an unsigned LEB128 varint (at most a safe integer). */
  varint(field: string): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      this.need(1, field);
      const byte = this.data[this.offset++]!;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 0x80;
    }
    throw this.corrupt(`${field} is not a valid varint`);
  }

  /** Reads a varint length and returns a view of that many bytes. */
  bytes(field: string): Uint8Array {
    const length = this.varint(`length of ${field}`);
    return this.raw(length, field);
  }

  /** Returns a view of the next `length` bytes. */
  raw(length: number, field: string): Uint8Array {
    this.need(length, field);
    const out = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  /** Reads a UTF-8 string written by `ByteWriter.string`. */
  string(field: string): string {
    const bytes = this.bytes(field);
    try {
      return utf8.decode(bytes);
    } catch {
      throw this.corrupt(`${field} is not valid UTF-8`);
    }
  }

  /** A {@link StateSerializationError} that names the byte string and the offset. */
  corrupt(problem: string): StateSerializationError {
    return new StateSerializationError(`${this.what} is corrupt at byte ${this.offset}: ${problem}`);
  }

  private need(count: number, field: string): void {
    if (this.offset + count > this.end) {
      throw new StateSerializationError(
        `${this.what} is truncated: ${field} needs ${count} byte(s) at offset ${this.offset} but only ${Math.max(0, this.end - this.offset)} remain`,
      );
    }
  }
}
