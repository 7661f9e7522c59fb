import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/core/crc32.js';
import { StateSerializationError } from '../../../src/core/errors.js';
import {
  decodeOperatorStateSnapshot,
  EMPTY_OPERATOR_STATE_SNAPSHOT,
  encodeOperatorStateSnapshot,
  type OperatorStateEntry,
  type OperatorStateSnapshot,
} from '../../../src/state/operator/operator-state-snapshot.js';

const serializerInfo = fc.record({ id: fc.string({ minLength: 1, maxLength: 20 }), version: fc.integer({ min: 1, max: 0xffffffff }) });

const listEntry = (name: string): fc.Arbitrary<OperatorStateEntry> =>
  fc.record({
    name: fc.constant(name),
    mode: fc.constantFrom('split' as const, 'union' as const),
    descriptorVersion: fc.integer({ min: 1, max: 1000 }),
    serializer: serializerInfo,
    items: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }),
  });

const broadcastEntry = (name: string): fc.Arbitrary<OperatorStateEntry> =>
  fc.record({
    name: fc.constant(name),
    mode: fc.constant('broadcast' as const),
    descriptorVersion: fc.integer({ min: 1, max: 1000 }),
    serializer: serializerInfo,
    keySerializer: serializerInfo,
    entries: fc.array(fc.tuple(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 40 })), { maxLength: 20 }),
  });

const snapshotArb: fc.Arbitrary<OperatorStateSnapshot> = fc
  .uniqueArray(fc.string({ maxLength: 12, unit: 'grapheme' }), { maxLength: 6 })
  .chain((names) => fc.tuple(...names.map((n) => fc.oneof(listEntry(n), broadcastEntry(n)))))
  .map((states) => ({ states }));

const sample: OperatorStateSnapshot = {
  states: [
    { name: 'offsets', mode: 'split', descriptorVersion: 2, serializer: { id: 'eddy.msgpack', version: 1 }, items: [Uint8Array.of(1, 2), Uint8Array.of()] },
    {
      name: 'rules',
      mode: 'broadcast',
      descriptorVersion: 1,
      serializer: { id: 'eddy.msgpack', version: 1 },
      keySerializer: { id: 'test.utf8', version: 3 },
      entries: [[Uint8Array.of(97), Uint8Array.of(7, 8, 9)]],
    },
  ],
};

describe('operator state snapshot encoding', () => {
  it('round-trips any snapshot through bytes', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        expect(decodeOperatorStateSnapshot(encodeOperatorStateSnapshot(snapshot))).toEqual(snapshot);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips the empty snapshot', () => {
    const bytes = encodeOperatorStateSnapshot(EMPTY_OPERATOR_STATE_SNAPSHOT);
    expect(bytes).toHaveLength(13);
    expect(decodeOperatorStateSnapshot(bytes)).toEqual({ states: [] });
  });

  it('starts with the magic EOPS and version 1 and ends with the CRC-32 of the rest', () => {
    const bytes = encodeOperatorStateSnapshot(sample);
    expect([...bytes.subarray(0, 5)]).toEqual([0x45, 0x4f, 0x50, 0x53, 1]);
    const crc = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 4);
    expect(crc).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
  });

  it('decodes from a view into a larger buffer', () => {
    const bytes = encodeOperatorStateSnapshot(sample);
    const padded = new Uint8Array(bytes.length + 10);
    padded.set(bytes, 7);
    expect(decodeOperatorStateSnapshot(padded.subarray(7, 7 + bytes.length))).toEqual(sample);
  });

  it('rejects every truncation with a StateSerializationError', () => {
    const bytes = encodeOperatorStateSnapshot(sample);
    for (let length = 0; length < bytes.length; length++) {
      expect(() => decodeOperatorStateSnapshot(bytes.subarray(0, length))).toThrow(StateSerializationError);
    }
  });

  it('rejects any single flipped bit with a StateSerializationError', () => {
    const bytes = encodeOperatorStateSnapshot(sample);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), (bit) => {
        const corrupt = bytes.slice();
        corrupt[bit >> 3]! ^= 1 << (bit & 7);
        expect(() => decodeOperatorStateSnapshot(corrupt)).toThrow(StateSerializationError);
      }),
    );
  });

  it('names the checksum when the body is corrupt', () => {
    const corrupt = encodeOperatorStateSnapshot(sample);
    corrupt[20]! ^= 0xff;
    expect(() => decodeOperatorStateSnapshot(corrupt)).toThrow(/checksum mismatch/);
  });

  it('rejects bytes that are not a snapshot and versions it does not know', () => {
    expect(() => decodeOperatorStateSnapshot(new TextEncoder().encode('hello world, not a snapshot'))).toThrow(/magic/);
    const future = encodeOperatorStateSnapshot(sample);
    future[4] = 2;
    expect(() => decodeOperatorStateSnapshot(future)).toThrow(/unsupported format version 2/);
  });

  it('rejects trailing bytes even with a valid checksum', () => {
    const bytes = encodeOperatorStateSnapshot(EMPTY_OPERATOR_STATE_SNAPSHOT);
    const body = new Uint8Array(bytes.length - 4 + 1);
    body.set(bytes.subarray(0, bytes.length - 4));
    const withCrc = new Uint8Array(body.length + 4);
    withCrc.set(body);
    new DataView(withCrc.buffer).setUint32(body.length, crc32(body));
    expect(() => decodeOperatorStateSnapshot(withCrc)).toThrow(/trailing/);
  });

  it('writes format v1 byte for byte as docs/OPERATOR-STATE.md describes (u32 lengths, big-endian)', () => {
    const hex = Buffer.from(encodeOperatorStateSnapshot(sample)).toString('hex');
    expect(hex).toBe(
      '454f5053' + '01' + '00000002' +
        // 'offsets': split, descriptor v2, eddy.msgpack v1, items [01 02] and []
        '00000007' + '6f666673657473' + '00' + '00000002' + '0000000c' + '656464792e6d73677061636b' + '00000001' +
        '00000002' + '00000002' + '0102' + '00000000' +
        // 'rules': broadcast, descriptor v1, eddy.msgpack v1, key test.utf8 v3, entry [61] -> [07 08 09]
        '00000005' + '72756c6573' + '02' + '00000001' + '0000000c' + '656464792e6d73677061636b' + '00000001' +
        '00000009' + '746573742e75746638' + '00000003' + '00000001' + '00000001' + '61' + '00000003' + '070809' +
        '6234cfb3',
    );
    const empty = Buffer.from(encodeOperatorStateSnapshot(EMPTY_OPERATOR_STATE_SNAPSHOT)).toString('hex');
    expect(empty).toBe('454f5053' + '01' + '00000000' + '161e38f9');
  });

  it('names the format and the field when a checksummed body is truncated or malformed', () => {
    // One state announced, none present.
    expect(() => decodeOperatorStateSnapshot(withCrc(Uint8Array.of(0x45, 0x4f, 0x50, 0x53, 1, 0, 0, 0, 1)))).toThrow(
      /operator state snapshot is truncated: length of name of state 0 needs 4 byte\(s\)/,
    );
    // A name that is not UTF-8.
    const badName = Uint8Array.of(0x45, 0x4f, 0x50, 0x53, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xff);
    expect(() => decodeOperatorStateSnapshot(withCrc(badName))).toThrow(
      /operator state snapshot is corrupt at byte \d+: name of state 0 is not valid UTF-8/,
    );
  });

  it('decodes items into copies that do not alias the input', () => {
    const bytes = encodeOperatorStateSnapshot(sample);
    const decoded = decodeOperatorStateSnapshot(bytes);
    bytes.fill(0);
    expect(decoded).toEqual(sample);
  });

  it('refuses to encode a snapshot that names a state twice', () => {
    const twice = { states: [sample.states[0]!, sample.states[0]!] };
    expect(() => encodeOperatorStateSnapshot(twice)).toThrow(/'offsets' appears more than once/);
  });
});

/** `body` followed by its CRC-32, as the encoder appends it. */
function withCrc(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32(body));
  return out;
}
