/**
 * Version 1 of the keyed snapshot format, the canonical (backend-independent) form of
 * keyed state: a header that says what is inside, an index of key groups, then one
 * checksummed section per key group, so a restore reads only the key groups it owns.
 * The byte layout is in docs/STATE.md; the writer and readers are beside this file.
 */
import type { KeyGroupRange } from '../../core/key-group-range.js';
import type { StateKind } from '../descriptors.js';

/** The first four bytes of every keyed snapshot: `EDKS`. */
export const KEYED_SNAPSHOT_MAGIC: Uint8Array = Uint8Array.of(0x45, 0x44, 0x4b, 0x53);

/** The format version written after the magic. */
export const KEYED_SNAPSHOT_VERSION = 1;

/** Namespace tag of an entry: the default namespace (no bytes follow). */
export const NAMESPACE_TAG_VOID = 0;
/** Namespace tag of an entry: a key-like namespace (its canonical key bytes follow). */
export const NAMESPACE_TAG_KEY = 1;

/** How each state kind is written in the header. */
export const STATE_KIND_CODES: Readonly<Record<StateKind, number>> = {
  value: 1,
  list: 2,
  map: 3,
  reducing: 4,
  aggregating: 5,
};

/** The state kind of a header code, or `undefined` for an unknown code. */
export function stateKindFromCode(code: number): StateKind | undefined {
  for (const [kind, value] of Object.entries(STATE_KIND_CODES)) {
    if (value === code) return kind as StateKind;
  }
  return undefined;
}

/** What the header records of one state. */
export interface KeyedSnapshotStateMeta {
  /** The descriptor name. */
  readonly name: string;
  readonly kind: StateKind;
  /** Id of the serializer of values (list elements, map values, accumulators). */
  readonly serializerId: string;
  readonly serializerVersion: number;
  /** The descriptor's `version` of the value schema. */
  readonly descriptorVersion: number;
  /** Map state only: id of the serializer of user keys (`''` for other kinds). */
  readonly userKeySerializerId: string;
  /** Map state only: version of the user-key serializer (0 for other kinds). */
  readonly userKeySerializerVersion: number;
}

/** Where one key group's section lies. */
export interface KeyGroupIndexEntry {
  readonly keyGroup: number;
  /** Offset of the section from the start of the snapshot bytes. */
  readonly offset: number;
  /** Length of the section in bytes. */
  readonly length: number;
  /** CRC-32 of the section's bytes. */
  readonly crc32: number;
}

/** The decoded header of a keyed snapshot. */
export interface KeyedSnapshotHeader {
  readonly formatVersion: number;
  readonly maxParallelism: number;
  /** The key groups of the backend that wrote the snapshot. */
  readonly keyGroupRange: KeyGroupRange;
  readonly checkpointId: number;
  /** States in header order; sections refer to them by index. */
  readonly states: readonly KeyedSnapshotStateMeta[];
  /** The key groups that hold any entry, ascending; empty key groups have no section. */
  readonly keyGroups: readonly KeyGroupIndexEntry[];
  /** The total length of the snapshot in bytes. */
  readonly totalBytes: number;
}
