/**
 * A growable big-endian byte writer with varints and back-patching, shared by the snapshot
 * formats (keyed snapshots and operator state). {@link ByteWriter.bytes} and
 * {@link ByteWriter.string} prefix a varint length; a format with fixed-width lengths
 * writes {@link ByteWriter.u32} and then {@link ByteWriter.raw}.
 */
import { StateSerializationError } from './errors.js';

const utf8 = new TextEncoder();

/** Appends fixed-width big-endian integers, unsigned LEB128 varints, bytes and strings. */
export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialCapacity = 1024) {
    this.buffer = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buffer.buffer);
  }

  /** The number of bytes written so far. */
  get position(): number {
    return this.length;
  }

  /** Appends one byte. */
  u8(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** Appends an unsigned 16-bit integer. */
  u16(value: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, value);
    this.length += 2;
  }

  /** Appends an unsigned 32-bit integer. */
  u32(value: number): void {
    checkRange(value, 0xffffffff);
    this.reserve(4);
    this.view.setUint32(this.length, value);
    this.length += 4;
  }

  /** Overwrites the unsigned 32-bit integer at `at` (reserved earlier with {@link ByteWriter.u32}). */
  patchU32(at: number, value: number): void {
    checkRange(value, 0xffffffff);
    this.view.setUint32(at, value);
  }

  /** Appends a non-negative safe integer as 8 bytes. */
  u64(value: number): void {
    checkRange(value, Number.MAX_SAFE_INTEGER);
    this.reserve(8);
    this.view.setBigUint64(this.length, BigInt(value));
    this.length += 8;
  }

  /** Appends a non-negative safe integer as an unsigned LEB128 varint. */
  varint(value: number): void {
    checkRange(value, Number.MAX_SAFE_INTEGER);
    this.reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[this.length++] = rest;
  }

  /** Appends bytes with no length prefix. */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Appends a varint length, then the bytes. */
  bytes(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.raw(bytes);
  }

  /** Appends a UTF-8 string as {@link ByteWriter.bytes}. */
  string(value: string): void {
    this.bytes(utf8.encode(value));
  }

  /** A view of the bytes written between `start` and `end` (valid until the next write). */
  subarray(start: number, end = this.length): Uint8Array {
    return this.buffer.subarray(start, end);
  }

  /** A copy of everything written. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }
}

function checkRange(value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new StateSerializationError(`cannot encode ${String(value)} as an unsigned integer up to ${max}`);
  }
}
