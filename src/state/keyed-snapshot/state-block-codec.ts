/**
 * The entries of one state inside one key-group section ("state block"). Each entry is
 * `key bytes, namespace, payload`, and the payload's shape depends on the state kind:
 * one serialized value (value, reducing, aggregating), a counted list of elements (list),
 * or a counted list of user-key/value pairs (map). Blocks carry no entry count; they end
 * where their length says.
 */
import { ByteReader } from '../../core/byte-reader.js';
import type { ByteWriter } from '../../core/byte-writer.js';
import { StateSerializationError } from '../../core/errors.js';
import type { StateKind } from '../descriptors.js';
import type { TypeSerializer } from '../serializer.js';
import { NAMESPACE_TAG_KEY, NAMESPACE_TAG_VOID } from './keyed-snapshot-format.js';

/** The serializers a state block is written and read with. */
export interface StateBlockCodec {
  /** Values, list elements, map values or accumulators. */
  readonly value: TypeSerializer<unknown>;
  /** Map state user keys (unused by other kinds). */
  readonly userKey: TypeSerializer<unknown>;
}

/** A decoded entry: the value is a list's elements as an array, a map's pairs as an array. */
export interface DecodedStateEntry {
  readonly keyBytes: Uint8Array;
  /** Canonical key bytes of the namespace, `undefined` for the default namespace. */
  readonly namespaceBytes: Uint8Array | undefined;
  readonly value: unknown;
}

/** Writes the key and namespace that start an entry. */
export function writeEntryKey(writer: ByteWriter, keyBytes: Uint8Array, namespaceBytes: Uint8Array | undefined): void {
  writer.bytes(keyBytes);
  if (namespaceBytes === undefined) {
    writer.u8(NAMESPACE_TAG_VOID);
  } else {
    writer.u8(NAMESPACE_TAG_KEY);
    writer.bytes(namespaceBytes);
  }
}

/** Writes the payload of a value, reducing or aggregating entry. */
export function writeSinglePayload(writer: ByteWriter, value: unknown, codec: StateBlockCodec): void {
  writer.bytes(codec.value.serialize(value));
}

/** Writes the payload of a list entry. */
export function writeListPayload(writer: ByteWriter, elements: readonly unknown[], codec: StateBlockCodec): void {
  writer.varint(elements.length);
  for (const element of elements) writer.bytes(codec.value.serialize(element));
}

/** Writes the payload of a map entry: `size` pairs of user key and value. */
export function writeMapPayload(
  writer: ByteWriter,
  size: number,
  pairs: Iterable<readonly [unknown, unknown]>,
  codec: StateBlockCodec,
): void {
  writer.varint(size);
  let written = 0;
  for (const [userKey, value] of pairs) {
    writer.bytes(codec.userKey.serialize(userKey));
    writer.bytes(codec.value.serialize(value));
    written++;
  }
  if (written !== size) throw new StateSerializationError(`map entry has ${written} pairs but its size said ${size}`);
}

/** Reads the key and namespace that start an entry (see {@link writeEntryKey}). */
export function readEntryKey(reader: ByteReader): { keyBytes: Uint8Array; namespaceBytes: Uint8Array | undefined } {
  const keyBytes = reader.bytes('key');
  const tag = reader.u8('namespace tag');
  if (tag === NAMESPACE_TAG_VOID) return { keyBytes, namespaceBytes: undefined };
  if (tag === NAMESPACE_TAG_KEY) return { keyBytes, namespaceBytes: reader.bytes('namespace') };
  throw reader.corrupt(`unknown namespace tag ${tag}`);
}

/**
 * Decodes every entry of a state block and hands it to `visit`.
 *
 * @param what - names the block in errors, e.g. `state 'counts' in key group 7`
 * @throws {@link StateSerializationError} for truncated or undecodable bytes
 */
export function readStateBlock(
  block: Uint8Array,
  kind: StateKind,
  codec: StateBlockCodec,
  what: string,
  visit: (entry: DecodedStateEntry) => void,
): void {
  const reader = new ByteReader(block, what);
  const decode = (serializer: TypeSerializer<unknown>, bytes: Uint8Array, field: string): unknown => {
    try {
      return serializer.deserialize(bytes);
    } catch (cause) {
      throw new StateSerializationError(
        `${what}: cannot decode ${field} with serializer '${serializer.id}' v${serializer.version}: ${(cause as Error)?.message ?? String(cause)}`,
        { cause },
      );
    }
  };
  while (!reader.atEnd) {
    const { keyBytes, namespaceBytes } = readEntryKey(reader);
    let value: unknown;
    switch (kind) {
      case 'list': {
        const count = reader.varint('list length');
        const elements: unknown[] = [];
        for (let i = 0; i < count; i++) elements.push(decode(codec.value, reader.bytes('list element'), 'a list element'));
        value = elements;
        break;
      }
      case 'map': {
        const count = reader.varint('map size');
        const pairs: Array<[unknown, unknown]> = [];
        for (let i = 0; i < count; i++) {
          const userKey = decode(codec.userKey, reader.bytes('map key'), 'a map key');
          pairs.push([userKey, decode(codec.value, reader.bytes('map value'), 'a map value')]);
        }
        value = pairs;
        break;
      }
      default:
        value = decode(codec.value, reader.bytes('value'), 'a value');
    }
    visit({ keyBytes, namespaceBytes, value });
  }
}
