import { describe, expect, it } from 'vitest';
import { StateSerializationError } from '../../src/core/errors.js';
import { encodeKey } from '../../src/core/key-encoding.js';
import { KeyGroupRange } from '../../src/core/key-group-range.js';
import { KeyedSnapshotWriter } from '../../src/state/keyed-snapshot/keyed-snapshot-writer.js';
import {
  readKeyedSnapshotHeader,
  readKeyGroupBlocks,
  readKeyGroupEntries,
} from '../../src/state/keyed-snapshot/keyed-snapshot-reader.js';
import { writeEntryKey, writeListPayload, writeSinglePayload } from '../../src/state/keyed-snapshot/state-block-codec.js';
import type { KeyedSnapshotStateMeta } from '../../src/state/keyed-snapshot/keyed-snapshot-format.js';
import { MsgpackSerializer } from '../../src/state/serializer.js';
import { canonicalKeySerializer } from '../../src/state/keyed-snapshot/canonical-key-serializer.js';
import { VOID_NAMESPACE } from '../../src/state/namespace.js';

const meta = (name: string, kind: KeyedSnapshotStateMeta['kind'], serializerId = 'eddy.msgpack'): KeyedSnapshotStateMeta => ({
  name,
  kind,
  serializerId,
  serializerVersion: 1,
  descriptorVersion: 1,
  userKeySerializerId: '',
  userKeySerializerVersion: 0,
});
const codec = { value: new MsgpackSerializer<unknown>(), userKey: canonicalKeySerializer as never };

function sample(): Uint8Array {
  const writer = new KeyedSnapshotWriter({
    maxParallelism: 16,
    keyGroupRange: KeyGroupRange.of(4, 11),
    checkpointId: 42,
    states: [meta('v', 'value'), meta('l', 'list'), meta('custom', 'value', 'my.proto')],
  });
  for (let keyGroup = 4; keyGroup <= 11; keyGroup++) {
    writer.beginKeyGroup(keyGroup);
    if (keyGroup === 5) {
      const out = writer.beginStateBlock(0);
      writeEntryKey(out, encodeKey('a'), undefined);
      writeSinglePayload(out, { x: 1 }, codec);
      writeEntryKey(out, encodeKey('a'), encodeKey([0, 10]));
      writeSinglePayload(out, 7, codec);
      writer.endStateBlock();
      const list = writer.beginStateBlock(1);
      writeEntryKey(list, encodeKey(3), undefined);
      writeListPayload(list, [1, 2], codec);
      writer.endStateBlock();
    }
    if (keyGroup === 9) {
      const out = writer.beginStateBlock(2);
      writeEntryKey(out, encodeKey('b'), undefined);
      out.bytes(Uint8Array.of(1, 2, 3));
      writer.endStateBlock();
    }
    writer.endKeyGroup();
  }
  return writer.finish();
}

describe('keyed snapshot format v1', () => {
  it('starts with the magic EDKS and format version 1', () => {
    const bytes = sample();
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('EDKS');
    expect(new DataView(bytes.buffer).getUint16(4)).toBe(1);
  });

  it('records maxParallelism, range, checkpoint, states and an index of only the non-empty key groups', () => {
    const header = readKeyedSnapshotHeader(sample());
    expect(header.formatVersion).toBe(1);
    expect(header.maxParallelism).toBe(16);
    expect(header.keyGroupRange.equals(KeyGroupRange.of(4, 11))).toBe(true);
    expect(header.checkpointId).toBe(42);
    expect(header.states.map((s) => s.name)).toEqual(['v', 'l', 'custom']);
    expect(header.keyGroups.map((entry) => entry.keyGroup)).toEqual([5, 9]);
    expect(readKeyGroupBlocks(sample(), header, 6)).toEqual([]);
  });

  it('decodes the entries of one key group, giving raw bytes for unknown serializers', () => {
    const bytes = sample();
    expect(readKeyGroupEntries(bytes, 5)).toEqual([
      { state: 'v', kind: 'value', key: 'a', namespace: VOID_NAMESPACE, value: { x: 1 } },
      { state: 'v', kind: 'value', key: 'a', namespace: [0, 10], value: 7 },
      { state: 'l', kind: 'list', key: 3, namespace: VOID_NAMESPACE, value: [1, 2] },
    ]);
    expect(readKeyGroupEntries(bytes, 9)).toEqual([
      { state: 'custom', kind: 'value', key: 'b', namespace: VOID_NAMESPACE, value: Uint8Array.of(1, 2, 3) },
    ]);
  });

  it('writes an empty snapshot that still names its states', () => {
    const writer = new KeyedSnapshotWriter({
      maxParallelism: 128,
      keyGroupRange: KeyGroupRange.of(0, 127),
      checkpointId: 1,
      states: [meta('v', 'value')],
    });
    const header = readKeyedSnapshotHeader(writer.finish());
    expect(header.states).toHaveLength(1);
    expect(header.keyGroups).toEqual([]);
  });

  it('refuses an unknown format version with a message that names it', () => {
    const bytes = sample();
    new DataView(bytes.buffer).setUint16(4, 7);
    expect(() => readKeyedSnapshotHeader(bytes)).toThrow(StateSerializationError);
    expect(() => readKeyedSnapshotHeader(bytes)).toThrow(/format version 7 is not supported/);
  });

  it('detects every truncation of the snapshot', () => {
    const bytes = sample();
    for (let length = 0; length < bytes.length; length++) {
      const cut = bytes.subarray(0, length);
      expect(() => {
        const header = readKeyedSnapshotHeader(cut);
        for (const entry of header.keyGroups) readKeyGroupEntries(cut, entry.keyGroup, { header });
      }).toThrow(StateSerializationError);
    }
  });

  it('detects a changed byte anywhere in the snapshot', () => {
    const bytes = sample();
    for (let at = 0; at < bytes.length; at++) {
      const damaged = bytes.slice();
      damaged[at] = damaged[at]! ^ 0x01;
      expect(() => {
        const header = readKeyedSnapshotHeader(damaged);
        for (const entry of header.keyGroups) readKeyGroupEntries(damaged, entry.keyGroup, { header });
      }, `byte ${at}`).toThrow(StateSerializationError);
    }
  });
});
