/**
 * How the RocksDB backend lays out its keys (DESIGN §4.3, docs/ROCKSDB.md): every entry of
 * a state (one column family per state) is keyed by
 *
 * ```
 * [key group: 1 byte if maxParallelism ≤ 128, else 2 bytes; big-endian]
 * [varint length][canonical key bytes]
 * [namespace: 0x00 for the default namespace | 0x01 varint length, canonical key bytes]
 * [map state only: the user key, as its serializer writes it]
 * ```
 *
 * so each key group is one contiguous key range, and each (key, namespace) of a map state
 * is one contiguous range too. The lengths make the parts self-delimiting: one
 * (key, namespace) prefix never starts another.
 */
import { StateSerializationError } from '../../core/errors.js';

/** The byte that stands for the default namespace. */
export const VOID_NAMESPACE_BYTES: Uint8Array = Uint8Array.of(0);

/** How many bytes the key group takes at `maxParallelism`. */
export function keyGroupPrefixBytes(maxParallelism: number): 1 | 2 {
  return maxParallelism <= 128 ? 1 : 2;
}

/** The first key of `keyGroup` (the key group bytes alone). */
export function keyGroupStart(keyGroup: number, prefixBytes: 1 | 2): Uint8Array {
  return prefixBytes === 1 ? Uint8Array.of(keyGroup) : Uint8Array.of(keyGroup >>> 8, keyGroup & 0xff);
}

/** The key group an entry key starts with. */
export function keyGroupOf(key: Uint8Array, prefixBytes: 1 | 2): number {
  return prefixBytes === 1 ? key[0]! : (key[0]! << 8) | key[1]!;
}

/** `[key group][varint length][key bytes]`: the part of every entry key that the current key fixes. */
export function encodeKeyPrefix(keyGroup: number, keyBytes: Uint8Array, prefixBytes: 1 | 2): Uint8Array {
  const lengthBytes = varintSize(keyBytes.length);
  const out = new Uint8Array(prefixBytes + lengthBytes + keyBytes.length);
  if (prefixBytes === 1) out[0] = keyGroup;
  else {
    out[0] = keyGroup >>> 8;
    out[1] = keyGroup & 0xff;
  }
  writeVarint(out, prefixBytes, keyBytes.length);
  out.set(keyBytes, prefixBytes + lengthBytes);
  return out;
}

/** The namespace part of an entry key for a key-like namespace's canonical bytes. */
export function encodeNamespace(namespaceBytes: Uint8Array): Uint8Array {
  const lengthBytes = varintSize(namespaceBytes.length);
  const out = new Uint8Array(1 + lengthBytes + namespaceBytes.length);
  out[0] = 1;
  writeVarint(out, 1, namespaceBytes.length);
  out.set(namespaceBytes, 1 + lengthBytes);
  return out;
}

/** Whether `a` and `b` hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `a` followed by `b`, and `c` when given, in a fresh array. */
export function concatBytes(a: Uint8Array, b: Uint8Array, c?: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length + (c?.length ?? 0));
  out.set(a, 0);
  out.set(b, a.length);
  if (c !== undefined) out.set(c, a.length + b.length);
  return out;
}

/**
 * The smallest key greater than every key starting with `prefix`: the prefix with its last
 * byte below 0xff incremented (and the bytes after it dropped); `undefined` if every byte
 * is 0xff (no upper bound).
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      const end = prefix.slice(0, i + 1);
      end[i]!++;
      return end;
    }
  }
  return undefined;
}

/** An entry key taken apart (views into the key's bytes). */
export interface ParsedEntryKey {
  readonly keyGroup: number;
  readonly keyBytes: Uint8Array;
  /** Canonical bytes of the namespace; `undefined` for the default namespace. */
  readonly namespaceBytes: Uint8Array | undefined;
  /** Where the (key, namespace) prefix ends: the user key of a map entry starts here. */
  readonly prefixLength: number;
}

/**
 * Takes an entry key apart.
 *
 * @throws {@link StateSerializationError} if the key does not follow the layout
 */
export function parseEntryKey(key: Uint8Array, prefixBytes: 1 | 2, stateName: string): ParsedEntryKey {
  const bad = (what: string): StateSerializationError =>
    new StateSerializationError(`state '${stateName}': a RocksDB entry key is malformed (${what})`);
  if (key.length < prefixBytes + 2) throw bad('too short');
  const keyGroup = keyGroupOf(key, prefixBytes);
  let at: number = prefixBytes;
  const [keyLength, afterKeyLength] = readVarint(key, at);
  at = afterKeyLength;
  if (at + keyLength + 1 > key.length) throw bad('key bytes truncated');
  const keyBytes = key.subarray(at, at + keyLength);
  at += keyLength;
  const tag = key[at++];
  let namespaceBytes: Uint8Array | undefined;
  if (tag === 1) {
    const [namespaceLength, afterNamespaceLength] = readVarint(key, at);
    at = afterNamespaceLength;
    if (at + namespaceLength > key.length) throw bad('namespace truncated');
    namespaceBytes = key.subarray(at, at + namespaceLength);
    at += namespaceLength;
  } else if (tag !== 0) {
    throw bad(`unknown namespace tag ${String(tag)}`);
  }
  return { keyGroup, keyBytes, namespaceBytes, prefixLength: at };
}

/** Bytes of an unsigned LEB128 varint of `value`. */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Writes `value` as an unsigned LEB128 varint at `at`; returns the offset after it. */
export function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 0x80) {
    out[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

/** Reads an unsigned LEB128 varint at `at`: `[value, offset after it]`. */
export function readVarint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (at >= bytes.length) throw new StateSerializationError('a varint is truncated');
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return [value, at];
    scale *= 128;
    if (scale > 2 ** 49) throw new StateSerializationError('a varint is too long');
  }
}

/** The column family of state `stateName` (prefixed, so no state can be RocksDB's `default`). */
export function columnFamilyName(stateName: string): string {
  return `state/${stateName}`;
}

/** The state a column family belongs to, or `undefined` for RocksDB's own (`default`). */
export function stateNameOf(columnFamily: string): string | undefined {
  return columnFamily.startsWith('state/') ? columnFamily.slice('state/'.length) : undefined;
}

/** `[first key, end key)` of the key groups `first..last` (inclusive). */
export function keyGroupSpan(first: number, last: number, prefixBytes: 1 | 2): [Uint8Array, Uint8Array] {
  return [keyGroupStart(first, prefixBytes), keyGroupStart(last + 1, prefixBytes)];
}
