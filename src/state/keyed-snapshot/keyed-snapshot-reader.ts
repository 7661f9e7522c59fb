/**
 * Reads keyed snapshots (format v1): the header, the state blocks of one key group, and
 * the decoded entries of one key group, for restores and for `eddy inspect`. Nothing
 * outside the requested key group is decoded; every section's checksum is verified before
 * it is read.
 */
import { ByteReader } from '../../core/byte-reader.js';
import { crc32 } from '../../core/crc32.js';
import { StateSerializationError } from '../../core/errors.js';
import { decodeKey, type Key } from '../../core/key-encoding.js';
import { KeyGroupRange } from '../../core/key-group-range.js';
import type { StateKind } from '../descriptors.js';
import { VOID_NAMESPACE, type Namespace } from '../namespace.js';
import { MsgpackSerializer, type TypeSerializer } from '../serializer.js';
import { canonicalKeySerializer } from './canonical-key-serializer.js';
import {
  KEYED_SNAPSHOT_MAGIC,
  KEYED_SNAPSHOT_VERSION,
  stateKindFromCode,
  type KeyGroupIndexEntry,
  type KeyedSnapshotHeader,
  type KeyedSnapshotStateMeta,
} from './keyed-snapshot-format.js';
import { readStateBlock, type StateBlockCodec } from './state-block-codec.js';

/** The bytes of one state inside one key group's section. */
export interface KeyGroupStateBlock {
  /** Index of the state in {@link KeyedSnapshotHeader.states}. */
  readonly stateIndex: number;
  readonly state: KeyedSnapshotStateMeta;
  /** The block's entries (a view into the snapshot bytes). */
  readonly bytes: Uint8Array;
}

/** One decoded entry of a keyed snapshot. */
export interface KeyedSnapshotEntry {
  /** The state's name. */
  readonly state: string;
  readonly kind: StateKind;
  readonly key: Key;
  readonly namespace: Namespace;
  /**
   * The value: for list state an array of elements, for map state an array of
   * `[userKey, value]` pairs, for aggregating state the accumulator. A value whose
   * serializer is not known to the reader is given as its raw bytes.
   */
  readonly value: unknown;
}

/** Serializers that override the defaults by state name (for custom serializers). */
export type KeyedSnapshotSerializers = Readonly<
  Record<string, { readonly value?: TypeSerializer<unknown>; readonly userKey?: TypeSerializer<unknown> }>
>;

const SNAPSHOT = 'keyed snapshot';

/**
 * Reads and checks the header of a keyed snapshot.
 *
 * @throws {@link StateSerializationError} if the bytes are not a keyed snapshot, have an
 *   unknown format version, or are corrupt or truncated
 */
export function readKeyedSnapshotHeader(bytes: Uint8Array): KeyedSnapshotHeader {
  const reader = new ByteReader(bytes, SNAPSHOT);
  const magic = reader.raw(4, 'magic');
  if (!KEYED_SNAPSHOT_MAGIC.every((b, i) => magic[i] === b)) {
    throw new StateSerializationError(
      `not a keyed snapshot: it starts with bytes ${hex(magic)}, expected ${hex(KEYED_SNAPSHOT_MAGIC)} ('EDKS')`,
    );
  }
  const formatVersion = reader.u16('format version');
  if (formatVersion !== KEYED_SNAPSHOT_VERSION) {
    throw new StateSerializationError(
      `keyed snapshot format version ${formatVersion} is not supported (this version of Eddy reads version ${KEYED_SNAPSHOT_VERSION})`,
    );
  }
  const headerLength = reader.u32('header length');
  const headerEnd = reader.position + headerLength;
  const checkReader = new ByteReader(bytes, SNAPSHOT, headerEnd);
  const storedCrc = checkReader.u32('header checksum');
  const actualCrc = crc32(bytes.subarray(0, headerEnd));
  if (storedCrc !== actualCrc) {
    throw new StateSerializationError(
      `keyed snapshot header is corrupt: checksum ${hex32(actualCrc)} does not match the stored ${hex32(storedCrc)}`,
    );
  }
  const body = new ByteReader(bytes, 'keyed snapshot header', reader.position, headerEnd);
  const maxParallelism = body.u32('maxParallelism');
  const start = body.u32('first key group');
  const count = body.u32('number of key groups');
  if (maxParallelism < 1 || start + count > maxParallelism) {
    throw body.corrupt(`key groups ${start}..${start + count - 1} do not fit maxParallelism ${maxParallelism}`);
  }
  const checkpointId = body.u64('checkpoint id');
  const stateCount = body.varint('number of states');
  const states: KeyedSnapshotStateMeta[] = [];
  for (let i = 0; i < stateCount; i++) {
    const name = body.string('state name');
    const code = body.u8('state kind');
    const kind = stateKindFromCode(code);
    if (kind === undefined) throw body.corrupt(`state '${name}' has unknown kind code ${code}`);
    states.push({
      name,
      kind,
      serializerId: body.string('serializer id'),
      serializerVersion: body.u32('serializer version'),
      descriptorVersion: body.u32('descriptor version'),
      userKeySerializerId: body.string('user key serializer id'),
      userKeySerializerVersion: body.u32('user key serializer version'),
    });
  }
  const keyGroupCount = body.varint('number of key group sections');
  const keyGroups: KeyGroupIndexEntry[] = [];
  const dataStart = headerEnd + 4;
  let previous = -1;
  for (let i = 0; i < keyGroupCount; i++) {
    const entry = {
      keyGroup: body.u32('key group'),
      offset: body.u64('section offset'),
      length: body.u32('section length'),
      crc32: body.u32('section checksum'),
    };
    if (entry.keyGroup <= previous || entry.keyGroup < start || entry.keyGroup >= start + count) {
      throw body.corrupt(`index entry ${i} names key group ${entry.keyGroup}, out of order or outside the snapshot's range`);
    }
    if (entry.offset < dataStart || entry.offset + entry.length > bytes.length) {
      throw new StateSerializationError(
        `keyed snapshot is truncated: the section of key group ${entry.keyGroup} ends at byte ${entry.offset + entry.length} but the snapshot has ${bytes.length} bytes`,
      );
    }
    previous = entry.keyGroup;
    keyGroups.push(entry);
  }
  if (!body.atEnd) throw body.corrupt('unexpected bytes after the key group index');
  return {
    formatVersion,
    maxParallelism,
    keyGroupRange: KeyGroupRange.of(start, start + count - 1),
    checkpointId,
    states,
    keyGroups,
    totalBytes: bytes.length,
  };
}

/** The index entry of `keyGroup`, or `undefined` when the snapshot holds nothing for it. */
export function findKeyGroup(header: KeyedSnapshotHeader, keyGroup: number): KeyGroupIndexEntry | undefined {
  const groups = header.keyGroups;
  let low = 0;
  let high = groups.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const entry = groups[mid]!;
    if (entry.keyGroup === keyGroup) return entry;
    if (entry.keyGroup < keyGroup) low = mid + 1;
    else high = mid - 1;
  }
  return undefined;
}

/**
 * The state blocks of `keyGroup` (empty when the snapshot holds nothing for it), after
 * checking the section's checksum.
 *
 * @throws {@link StateSerializationError} if the section is corrupt
 */
export function readKeyGroupBlocks(
  bytes: Uint8Array,
  header: KeyedSnapshotHeader,
  keyGroup: number,
): KeyGroupStateBlock[] {
  const entry = findKeyGroup(header, keyGroup);
  if (entry === undefined) return [];
  const section = bytes.subarray(entry.offset, entry.offset + entry.length);
  const actual = crc32(section);
  if (actual !== entry.crc32) {
    throw new StateSerializationError(
      `keyed snapshot section of key group ${keyGroup} is corrupt: checksum ${hex32(actual)} does not match the stored ${hex32(entry.crc32)}`,
    );
  }
  const reader = new ByteReader(bytes, `keyed snapshot section of key group ${keyGroup}`, entry.offset, entry.offset + entry.length);
  const blocks: KeyGroupStateBlock[] = [];
  while (!reader.atEnd) {
    const stateIndex = reader.varint('state index');
    const state = header.states[stateIndex];
    if (state === undefined) throw reader.corrupt(`state index ${stateIndex} is not in the header`);
    const length = reader.u32('state block length');
    blocks.push({ stateIndex, state, bytes: reader.raw(length, `block of state '${state.name}'`) });
  }
  return blocks;
}

/**
 * Decodes every entry of `keyGroup`. Values are decoded with the serializers named in the
 * header when the reader knows them (`eddy.msgpack`, `eddy.key`) or when `serializers`
 * gives one for the state; otherwise they are returned as raw bytes.
 *
 * @throws {@link StateSerializationError} if the section is corrupt
 */
export function readKeyGroupEntries(
  bytes: Uint8Array,
  keyGroup: number,
  options: { header?: KeyedSnapshotHeader; serializers?: KeyedSnapshotSerializers } = {},
): KeyedSnapshotEntry[] {
  const header = options.header ?? readKeyedSnapshotHeader(bytes);
  const entries: KeyedSnapshotEntry[] = [];
  for (const block of readKeyGroupBlocks(bytes, header, keyGroup)) {
    const { state } = block;
    const custom = options.serializers?.[state.name];
    const codec: StateBlockCodec = {
      value: custom?.value ?? knownSerializer(state.serializerId, state.serializerVersion),
      userKey: custom?.userKey ?? knownSerializer(state.userKeySerializerId, state.userKeySerializerVersion),
    };
    readStateBlock(block.bytes, state.kind, codec, `state '${state.name}' in key group ${keyGroup}`, (entry) => {
      entries.push({
        state: state.name,
        kind: state.kind,
        key: decodeEntryKey(entry.keyBytes, state.name, keyGroup),
        namespace: entry.namespaceBytes === undefined ? VOID_NAMESPACE : decodeEntryKey(entry.namespaceBytes, state.name, keyGroup),
        value: entry.value,
      });
    });
  }
  return entries;
}

/** Decodes canonical key bytes, turning a bad encoding into a {@link StateSerializationError}. */
export function decodeEntryKey(bytes: Uint8Array, stateName: string, keyGroup: number): Key {
  try {
    return decodeKey(bytes);
  } catch (cause) {
    throw new StateSerializationError(
      `state '${stateName}' in key group ${keyGroup}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

const msgpack = new MsgpackSerializer<unknown>();
const rawBytes: TypeSerializer<unknown> = {
  id: 'raw',
  version: 1,
  serialize: (value) => value as Uint8Array,
  deserialize: (bytes) => bytes.slice(),
};

function knownSerializer(id: string, version: number): TypeSerializer<unknown> {
  if (id === msgpack.id && version === msgpack.version) return msgpack;
  if (id === canonicalKeySerializer.id && version === canonicalKeySerializer.version) {
    return canonicalKeySerializer as TypeSerializer<unknown>;
  }
  return rawBytes;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
