/**
 * The snapshot of one parallel instance's operator state: plain data (names, modes,
 * serializer ids and item bytes) so it can be redistributed on rescaling without knowing
 * the value types, plus its versioned byte encoding.
 */
import { ByteReader } from '../../core/byte-reader.js';
import { ByteWriter } from '../../core/byte-writer.js';
import { crc32 } from '../../core/crc32.js';
import { StateSerializationError } from '../../core/errors.js';

/**
 * How a state is redistributed when the parallelism changes:
 * `'split'` ({@link OperatorStateStore.getListState}), `'union'`
 * ({@link OperatorStateStore.getUnionListState}) or `'broadcast'`
 * ({@link OperatorStateStore.getBroadcastState}).
 */
export type OperatorStateMode = 'split' | 'union' | 'broadcast';

/** The serializer that wrote some bytes: its {@link TypeSerializer.id} and version. */
export interface SerializerInfo {
  readonly id: string;
  readonly version: number;
}

/** A list state (`'split'` or `'union'`): one byte array per item, in list order. */
export interface OperatorListStateSnapshot {
  readonly name: string;
  readonly mode: 'split' | 'union';
  /** The descriptor's `version` when the snapshot was taken. */
  readonly descriptorVersion: number;
  /** The element serializer. */
  readonly serializer: SerializerInfo;
  readonly items: readonly Uint8Array[];
}

/** A broadcast state: one `[keyBytes, valueBytes]` pair per map entry. */
export interface OperatorBroadcastStateSnapshot {
  readonly name: string;
  readonly mode: 'broadcast';
  /** The descriptor's `version` when the snapshot was taken. */
  readonly descriptorVersion: number;
  /** The value serializer. */
  readonly serializer: SerializerInfo;
  readonly keySerializer: SerializerInfo;
  readonly entries: readonly (readonly [key: Uint8Array, value: Uint8Array])[];
}

/** One named state inside an {@link OperatorStateSnapshot}. */
export type OperatorStateEntry = OperatorListStateSnapshot | OperatorBroadcastStateSnapshot;

/**
 * All operator state of one parallel instance. Names are unique; the order is by name.
 * Snapshots are treated as immutable: redistribution shares item bytes between them.
 */
export interface OperatorStateSnapshot {
  readonly states: readonly OperatorStateEntry[];
}

/** A snapshot with no state, what an instance without operator state reports. */
export const EMPTY_OPERATOR_STATE_SNAPSHOT: OperatorStateSnapshot = Object.freeze({ states: Object.freeze([]) });

/** `"EOPS"`: Eddy Operator State. */
const MAGIC = Uint8Array.of(0x45, 0x4f, 0x50, 0x53);
/** The format version this build writes and reads. */
export const OPERATOR_STATE_FORMAT_VERSION = 1;
const MODE_CODES: Record<OperatorStateMode, number> = { split: 0, union: 1, broadcast: 2 };
const MODES: readonly OperatorStateMode[] = ['split', 'union', 'broadcast'];
const WHAT = 'operator state snapshot';
/** magic + version + state count + crc. */
const MIN_LENGTH = MAGIC.length + 1 + 4 + 4;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes a snapshot into one byte array (format v1, see `docs/OPERATOR-STATE.md`):
 * magic `EOPS`, a version byte, the states, and a CRC-32 of everything before it.
 *
 * @throws {@link StateSerializationError} if two states share a name.
 */
export function encodeOperatorStateSnapshot(snapshot: OperatorStateSnapshot): Uint8Array {
  assertUniqueNames(snapshot.states.map((s) => s.name));
  const out = new ByteWriter(256);
  out.raw(MAGIC);
  out.u8(OPERATOR_STATE_FORMAT_VERSION);
  out.u32(snapshot.states.length);
  for (const state of snapshot.states) {
    writeString(out, state.name);
    out.u8(MODE_CODES[state.mode]);
    out.u32(state.descriptorVersion);
    writeSerializer(out, state.serializer);
    if (state.mode === 'broadcast') {
      writeSerializer(out, state.keySerializer);
      out.u32(state.entries.length);
      for (const [key, value] of state.entries) {
        writeBlob(out, key);
        writeBlob(out, value);
      }
    } else {
      out.u32(state.items.length);
      for (const item of state.items) writeBlob(out, item);
    }
  }
  const body = out.finish();
  const result = new Uint8Array(body.length + 4);
  result.set(body);
  new DataView(result.buffer).setUint32(body.length, crc32(body));
  return result;
}

/**
 * Decodes what {@link encodeOperatorStateSnapshot} wrote.
 *
 * @throws {@link StateSerializationError} if the bytes are not a snapshot, have an
 * unknown version, are truncated, fail the checksum or are malformed.
 */
export function decodeOperatorStateSnapshot(bytes: Uint8Array): OperatorStateSnapshot {
  if (!(bytes instanceof Uint8Array)) throw new StateSerializationError(`${WHAT}: expected a Uint8Array`);
  if (bytes.length < MAGIC.length + 1 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new StateSerializationError(`${WHAT}: not an operator state snapshot (magic 'EOPS' missing)`);
  }
  const version = bytes[MAGIC.length]!;
  if (version !== OPERATOR_STATE_FORMAT_VERSION) {
    throw new StateSerializationError(
      `${WHAT}: unsupported format version ${version} (this build reads version ${OPERATOR_STATE_FORMAT_VERSION})`,
    );
  }
  if (bytes.length < MIN_LENGTH) {
    throw new StateSerializationError(`${WHAT}: truncated, ${bytes.length} bytes is shorter than any snapshot`);
  }
  const bodyLength = bytes.length - 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expected = view.getUint32(bodyLength);
  const actual = crc32(bytes.subarray(0, bodyLength));
  if (expected !== actual) {
    throw new StateSerializationError(
      `${WHAT}: checksum mismatch (stored ${hex(expected)}, computed ${hex(actual)}); the bytes are corrupt or truncated`,
    );
  }
  const input = new ByteReader(bytes, WHAT, MAGIC.length + 1, bodyLength);
  const count = input.u32('state count');
  const states: OperatorStateEntry[] = [];
  for (let i = 0; i < count; i++) states.push(readState(input, i));
  if (!input.atEnd) {
    throw new StateSerializationError(`${WHAT}: ${bodyLength - input.position} unexpected trailing byte(s)`);
  }
  assertUniqueNames(states.map((s) => s.name));
  return { states };
}

function readState(input: ByteReader, index: number): OperatorStateEntry {
  const name = readString(input, `name of state ${index}`);
  const code = input.u8(`mode of state '${name}'`);
  const mode = MODES[code];
  if (mode === undefined) throw new StateSerializationError(`${WHAT}: state '${name}' has unknown mode code ${code}`);
  const descriptorVersion = input.u32(`descriptor version of state '${name}'`);
  const serializer = readSerializer(input, `serializer of state '${name}'`);
  if (mode === 'broadcast') {
    const keySerializer = readSerializer(input, `key serializer of state '${name}'`);
    const count = input.u32(`entry count of state '${name}'`);
    const entries: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < count; i++) {
      const key = readBlob(input, `key of entry ${i} of state '${name}'`);
      entries.push([key, readBlob(input, `value of entry ${i} of state '${name}'`)]);
    }
    return { name, mode, descriptorVersion, serializer, keySerializer, entries };
  }
  const count = input.u32(`item count of state '${name}'`);
  const items: Uint8Array[] = [];
  for (let i = 0; i < count; i++) items.push(readBlob(input, `item ${i} of state '${name}'`));
  return { name, mode, descriptorVersion, serializer, items };
}

function writeSerializer(out: ByteWriter, serializer: SerializerInfo): void {
  writeString(out, serializer.id);
  out.u32(serializer.version);
}

function readSerializer(input: ByteReader, field: string): SerializerInfo {
  const id = readString(input, `id of ${field}`);
  return { id, version: input.u32(`version of ${field}`) };
}

/** A *blob* of format v1: a u32 length, then the bytes (not the core pair's varint length). */
function writeBlob(out: ByteWriter, bytes: Uint8Array): void {
  out.u32(bytes.length);
  out.raw(bytes);
}

/** Reads a blob as a copy, so a decoded snapshot never aliases the input buffer. */
function readBlob(input: ByteReader, field: string): Uint8Array {
  const length = input.u32(`length of ${field}`);
  return input.raw(length, field).slice();
}

/** A *string* of format v1: a blob of UTF-8. */
function writeString(out: ByteWriter, value: string): void {
  writeBlob(out, utf8Encoder.encode(value));
}

function readString(input: ByteReader, field: string): string {
  const length = input.u32(`length of ${field}`);
  const bytes = input.raw(length, field);
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw input.corrupt(`${field} is not valid UTF-8`);
  }
}

function assertUniqueNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new StateSerializationError(`${WHAT}: state '${name}' appears more than once`);
    seen.add(name);
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
