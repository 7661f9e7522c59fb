/**
 * Reads a keyed state file (keyed snapshot format v1) for `eddy inspect`: how many
 * entries and bytes each state holds, and the decoded entries of one state, one key
 * group at a time. Only the snapshot's exported readers are used, so this never changes
 * how restores read the same bytes.
 */
import { KEY_ENCODING_VERSION, type Key } from '../../core/key-encoding.js';
import { canonicalKeySerializer } from '../../state/keyed-snapshot/canonical-key-serializer.js';
import type { KeyedSnapshotHeader, KeyedSnapshotStateMeta } from '../../state/keyed-snapshot/keyed-snapshot-format.js';
import { decodeEntryKey, readKeyGroupBlocks } from '../../state/keyed-snapshot/keyed-snapshot-reader.js';
import { readStateBlock, type StateBlockCodec } from '../../state/keyed-snapshot/state-block-codec.js';
import { VOID_NAMESPACE, type Namespace } from '../../state/namespace.js';
import { MsgpackSerializer, type TypeSerializer } from '../../state/serializer.js';
import { OpaqueBytes } from './inspect-json.js';

/** What one keyed state holds in one file. */
export interface KeyedStateCounts {
  readonly meta: KeyedSnapshotStateMeta;
  /** (key, namespace) entries. */
  readonly entries: number;
  /** List elements or map entries over all entries (list and map state only; 0 otherwise). */
  readonly elements: number;
  /** Bytes of the state's blocks: keys, namespaces and serialized values. */
  readonly bytes: number;
}

/** One decoded (key, namespace) entry of a keyed state. */
export interface KeyedStateEntry {
  readonly keyGroup: number;
  readonly key: Key;
  readonly namespace: Namespace;
  /**
   * The value (an {@link OpaqueBytes} when its serializer is unknown here): for list
   * state an array of elements, for map state an array of `[userKey, value]` pairs.
   */
  readonly value: unknown;
}

/** Reads nothing: counting entries needs no value decoded. */
const skip: TypeSerializer<unknown> = { id: 'skip', version: 0, serialize: () => new Uint8Array(0), deserialize: () => undefined };
const countingCodec: StateBlockCodec = { value: skip, userKey: skip };

/**
 * Counts the entries and bytes of every state of a keyed snapshot, in header order.
 * Every key-group section's checksum is checked.
 *
 * @throws StateSerializationError if a section is corrupt
 */
export function countKeyedStates(bytes: Uint8Array, header: KeyedSnapshotHeader): KeyedStateCounts[] {
  const counts = header.states.map((meta) => ({ meta, entries: 0, elements: 0, bytes: 0 }));
  for (const { keyGroup } of header.keyGroups) {
    for (const block of readKeyGroupBlocks(bytes, header, keyGroup)) {
      const count = counts[block.stateIndex]!;
      count.bytes += block.bytes.length;
      readStateBlock(block.bytes, block.state.kind, countingCodec, describe(block.state, keyGroup), (entry) => {
        count.entries++;
        if (Array.isArray(entry.value)) count.elements += entry.value.length;
      });
    }
  }
  return counts;
}

/**
 * The entries of state `stateIndex`, key group by key group in ascending order. Values
 * written by the default serializer (`eddy.msgpack` v1) and map keys written as canonical
 * key bytes (`eddy.key`) are decoded; anything else is an {@link OpaqueBytes}.
 *
 * @throws StateSerializationError if a section or a value is corrupt
 */
export function* keyedStateEntries(
  bytes: Uint8Array,
  header: KeyedSnapshotHeader,
  stateIndex: number,
): Generator<KeyedStateEntry, void, undefined> {
  const meta = header.states[stateIndex];
  if (meta === undefined) throw new RangeError(`no state ${stateIndex} in a snapshot of ${header.states.length} states`);
  const codec: StateBlockCodec = {
    value: serializerFor(meta.serializerId, meta.serializerVersion),
    userKey: serializerFor(meta.userKeySerializerId, meta.userKeySerializerVersion),
  };
  for (const { keyGroup } of header.keyGroups) {
    const entries: KeyedStateEntry[] = [];
    for (const block of readKeyGroupBlocks(bytes, header, keyGroup)) {
      if (block.stateIndex !== stateIndex) continue;
      readStateBlock(block.bytes, meta.kind, codec, describe(meta, keyGroup), (entry) => {
        entries.push({
          keyGroup,
          key: decodeEntryKey(entry.keyBytes, meta.name, keyGroup),
          namespace: entry.namespaceBytes === undefined ? VOID_NAMESPACE : decodeEntryKey(entry.namespaceBytes, meta.name, keyGroup),
          value: entry.value,
        });
      });
    }
    yield* entries;
  }
}

const msgpack = new MsgpackSerializer<unknown>();

/** The serializer `eddy inspect` decodes bytes of `id` v`version` with: a known one, or none (opaque bytes). */
export function serializerFor(id: string, version: number): TypeSerializer<unknown> {
  if (id === msgpack.id && version === msgpack.version) return msgpack;
  if (id === canonicalKeySerializer.id && version === KEY_ENCODING_VERSION) return canonicalKeySerializer as TypeSerializer<unknown>;
  return {
    id,
    version,
    serialize: () => {
      throw new TypeError(`inspect does not write state`);
    },
    deserialize: (raw) => new OpaqueBytes(raw.slice()),
  };
}

function describe(meta: KeyedSnapshotStateMeta, keyGroup: number): string {
  return `state '${meta.name}' in key group ${keyGroup}`;
}
