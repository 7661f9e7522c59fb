import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/core/byte-reader.js';
import { ByteWriter } from '../../src/core/byte-writer.js';
import { StateSerializationError } from '../../src/core/errors.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('ByteWriter', () => {
  it('writes fixed-width integers big-endian', () => {
    const out = new ByteWriter();
    out.u8(0xab);
    out.u16(0x0102);
    out.u32(0x01020304);
    out.u64(2 ** 40 + 5);
    expect(hex(out.finish())).toBe('ab' + '0102' + '01020304' + '0000010000000005');
  });

  it('writes unsigned LEB128 varints and varint-prefixed bytes and strings', () => {
    const out = new ByteWriter();
    out.varint(0);
    out.varint(127);
    out.varint(128);
    out.varint(300);
    out.bytes(Uint8Array.of(9, 8));
    out.string('é');
    expect(hex(out.finish())).toBe('00' + '7f' + '8001' + 'ac02' + '02' + '0908' + '02' + 'c3a9');
  });

  it('back-patches a u32 and grows past its initial capacity', () => {
    const out = new ByteWriter(16);
    out.u32(0);
    for (let i = 0; i < 100; i++) out.u8(i);
    out.patchU32(0, out.position - 4);
    const bytes = out.finish();
    expect(bytes).toHaveLength(104);
    expect(new DataView(bytes.buffer).getUint32(0)).toBe(100);
    expect(bytes[103]).toBe(99);
    expect(hex(out.subarray(4, 6))).toBe('0001');
  });

  it('rejects values out of range with a StateSerializationError', () => {
    const out = new ByteWriter();
    expect(() => out.u32(-1)).toThrow(StateSerializationError);
    expect(() => out.u32(2 ** 32)).toThrow(StateSerializationError);
    expect(() => out.u32(1.5)).toThrow(StateSerializationError);
    expect(() => out.varint(Number.MAX_SAFE_INTEGER + 1)).toThrow(StateSerializationError);
    expect(() => out.u64(-1)).toThrow(StateSerializationError);
  });
});

describe('ByteReader', () => {
  it('reads back everything the writer wrote', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xff }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.maxSafeNat(),
        fc.maxSafeNat(),
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ unit: 'grapheme' }),
        (a, b, c, d, e, bytes, text) => {
          const out = new ByteWriter(16);
          out.u8(a);
          out.u16(b);
          out.u32(c);
          out.u64(d);
          out.varint(e);
          out.bytes(bytes);
          out.string(text);
          out.raw(bytes);
          const input = new ByteReader(out.finish(), 'test bytes');
          expect(input.u8('a')).toBe(a);
          expect(input.u16('b')).toBe(b);
          expect(input.u32('c')).toBe(c);
          expect(input.u64('d')).toBe(d);
          expect(input.varint('e')).toBe(e);
          expect(input.bytes('bytes')).toEqual(bytes);
          expect(input.string('text')).toBe(text);
          expect(input.raw(bytes.length, 'raw')).toEqual(bytes);
          expect(input.atEnd).toBe(true);
        },
      ),
    );
  });

  it('reads only between start and end of a view into a larger buffer', () => {
    const buffer = new Uint8Array(12);
    buffer.set([0, 0, 0, 0, 0, 0, 0, 42], 2);
    const input = new ByteReader(buffer.subarray(2, 10), 'test bytes', 4, 8);
    expect(input.position).toBe(4);
    expect(input.u32('value')).toBe(42);
    expect(input.atEnd).toBe(true);
    expect(() => input.u8('next')).toThrow(StateSerializationError);
  });

  it('names the byte string and the field when truncated', () => {
    const input = new ByteReader(Uint8Array.of(0, 1), 'test bytes');
    expect(() => input.u32('count')).toThrow(
      /^test bytes is truncated: count needs 4 byte\(s\) at offset 0 but only 2 remain$/,
    );
    expect(() => new ByteReader(Uint8Array.of(5, 1), 'test bytes').bytes('blob')).toThrow(/blob needs 5 byte\(s\)/);
    expect(() => new ByteReader(Uint8Array.of(0x80), 'test bytes').varint('n')).toThrow(/truncated: n needs 1/);
  });

  it('reports malformed varints, oversized u64s and invalid UTF-8 as corrupt', () => {
    expect(() => new ByteReader(new Uint8Array(9).fill(0x80), 'test bytes').varint('n')).toThrow(
      /^test bytes is corrupt at byte 8: n is not a valid varint$/,
    );
    expect(() => new ByteReader(new Uint8Array(8).fill(0xff), 'test bytes').u64('big')).toThrow(/big .* is too large/);
    expect(() => new ByteReader(Uint8Array.of(1, 0xff), 'test bytes').string('name')).toThrow(
      /test bytes is corrupt at byte 2: name is not valid UTF-8/,
    );
  });
});
