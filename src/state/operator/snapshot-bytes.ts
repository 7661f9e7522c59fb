/**
 * A tiny growable byte writer and a bounds-checked reader for the operator state
 * snapshot format. Every read that would run past the end throws
 * {@link StateSerializationError}, so truncated input never decodes into garbage.
 */
import { StateSerializationError } from '../../core/errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Appends big-endian integers, length-prefixed byte strings and UTF-8 strings. */
export class ByteWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  /** Appends one unsigned byte. */
  u8(value: number): void {
    this.reserve(1);
    this.view.setUint8(this.length, value);
    this.length += 1;
  }

  /** Appends an unsigned 32-bit big-endian integer. */
  u32(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new StateSerializationError(`cannot encode ${String(value)} as an unsigned 32-bit integer`);
    }
    this.reserve(4);
    this.view.setUint32(this.length, value);
    this.length += 4;
  }

  /** Appends raw bytes with no length prefix. */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Appends a u32 length and then the bytes. */
  bytes(bytes: Uint8Array): void {
    this.u32(bytes.length);
    this.raw(bytes);
  }

  /** Appends a UTF-8 string as length-prefixed bytes. */
  string(value: string): void {
    this.bytes(encoder.encode(value));
  }

  /** A copy of everything written so far. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
}

/** Reads what {@link ByteWriter} wrote; `what` names the format in error messages. */
export class ByteReader {
  private readonly view: DataView;
  private position = 0;

  constructor(
    private readonly input: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.input.length - this.position;
  }

  /** Reads one unsigned byte. */
  u8(): number {
    this.need(1);
    const value = this.view.getUint8(this.position);
    this.position += 1;
    return value;
  }

  /** Reads an unsigned 32-bit big-endian integer. */
  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.position);
    this.position += 4;
    return value;
  }

  /** Reads `length` raw bytes (a copy, independent of the input buffer). */
  raw(length: number): Uint8Array {
    this.need(length);
    const value = this.input.slice(this.position, this.position + length);
    this.position += length;
    return value;
  }

  /** Reads a u32 length and then that many bytes. */
  bytes(): Uint8Array {
    return this.raw(this.u32());
  }

  /** Reads a length-prefixed UTF-8 string; invalid UTF-8 is an error. */
  string(): string {
    const bytes = this.bytes();
    try {
      return decoder.decode(bytes);
    } catch (cause) {
      throw new StateSerializationError(`${this.what}: invalid UTF-8 string at byte ${this.position - bytes.length}`, {
        cause,
      });
    }
  }

  private need(count: number): void {
    if (count > this.remaining) {
      throw new StateSerializationError(
        `${this.what}: truncated, needed ${count} more byte(s) at offset ${this.position} but only ${this.remaining} remain`,
      );
    }
  }
}
