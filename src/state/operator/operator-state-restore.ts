/**
 * Turning restored bytes back into values once a descriptor claims them: serializer
 * compatibility, descriptor version migration (DESIGN §4.4) and decoding.
 */
import { RestoreError } from '../../core/errors.js';
import type { ListStateDescriptor, MapStateDescriptor, StateDescriptor } from '../descriptors.js';
import { defaultSerializer, type TypeSerializer } from '../serializer.js';
import {
  migratedToNothingProblem,
  migrateFailedProblem,
  missingMigrateProblem,
  newerVersionProblem,
} from '../restore-problems.js';
import type { OperatorBroadcastStateSnapshot, OperatorListStateSnapshot, SerializerInfo } from './operator-state-snapshot.js';

/**
 * Decodes restored list items with the claiming descriptor's serializer, migrating each
 * item when the descriptor's version is newer than the snapshot's.
 *
 * @param where - message prefix naming the operator and subtask (may be empty)
 * @throws {@link RestoreError} naming the state on any incompatibility or undecodable item
 */
export function decodeListItems<T>(where: string, entry: OperatorListStateSnapshot, desc: ListStateDescriptor<T>): T[] {
  const serializer = desc.serializer ?? defaultSerializer<T>();
  checkSerializer(where, entry.name, 'element', entry.serializer, serializer);
  const migrate = migration(where, entry.name, entry.descriptorVersion, desc, true);
  return entry.items.map((bytes, i) => migrate(decode(where, entry.name, serializer, bytes, `item ${i}`), `item ${i}`));
}

/**
 * Decodes restored broadcast entries; keys with the key serializer, values with the value
 * serializer, values migrated like list items (keys are never migrated).
 *
 * @throws {@link RestoreError} naming the state on any incompatibility or undecodable entry
 */
export function decodeBroadcastEntries<K, V>(
  where: string,
  entry: OperatorBroadcastStateSnapshot,
  desc: MapStateDescriptor<K, V>,
): [K, V][] {
  const keySerializer = desc.keySerializer ?? defaultSerializer<K>();
  const valueSerializer = desc.serializer ?? defaultSerializer<V>();
  checkSerializer(where, entry.name, 'key', entry.keySerializer, keySerializer);
  checkSerializer(where, entry.name, 'value', entry.serializer, valueSerializer);
  const migrate = migration(where, entry.name, entry.descriptorVersion, desc, false);
  return entry.entries.map(([keyBytes, valueBytes], i) => {
    const key = decode(where, entry.name, keySerializer, keyBytes, `key of entry ${i}`);
    const value = decode(where, entry.name, valueSerializer, valueBytes, `value of entry ${i}`);
    return [key, migrate(value, `value of entry ${i}`)];
  });
}

/** The serializer info written next to the bytes of `serializer`. */
export function serializerInfo(serializer: TypeSerializer<unknown>): SerializerInfo {
  return { id: serializer.id, version: serializer.version };
}

/**
 * A serializer reads the bytes of its own id at its own or an older version (it is
 * expected to read its earlier formats); a different id or a newer version is an error.
 */
function checkSerializer(
  where: string,
  name: string,
  role: string,
  stored: SerializerInfo,
  current: TypeSerializer<unknown>,
): void {
  if (stored.id !== current.id) {
    throw new RestoreError(
      `${cannotRestore(where, name)}its ${role} serializer was '${stored.id}' but the descriptor's is '${current.id}'; ` +
        'request it with the serializer that wrote it',
    );
  }
  if (stored.version > current.version) {
    throw new RestoreError(
      `${cannotRestore(where, name)}its ${role} serializer '${stored.id}' wrote version ${stored.version}, ` +
        `newer than this build's version ${current.version}; restore it with a build whose serializer reads version ${stored.version}`,
    );
  }
}

/** Returns the per-item step that brings a stored value up to the descriptor's version. */
function migration<T>(
  where: string,
  name: string,
  storedVersion: number,
  desc: StateDescriptor<T>,
  listItems: boolean,
): (value: T, what: string) => T {
  const cannot = cannotRestore(where, name);
  if (storedVersion === desc.version) return (value) => value;
  if (storedVersion > desc.version) throw new RestoreError(cannot + newerVersionProblem(storedVersion, desc.version));
  const migrate = desc.migrate;
  if (migrate === undefined) throw new RestoreError(cannot + missingMigrateProblem(storedVersion, desc.version));
  return (value, what) => {
    let migrated: T;
    try {
      migrated = migrate(value, storedVersion);
    } catch (cause) {
      throw new RestoreError(cannot + migrateFailedProblem(storedVersion, desc.version, what, cause), { cause });
    }
    if (listItems && (migrated === undefined || migrated === null)) {
      throw new RestoreError(cannot + migratedToNothingProblem(storedVersion, what, migrated));
    }
    return migrated;
  };
}

function decode<T>(where: string, name: string, serializer: TypeSerializer<T>, bytes: Uint8Array, what: string): T {
  try {
    return serializer.deserialize(bytes);
  } catch (cause) {
    throw new RestoreError(
      `${cannotRestore(where, name)}cannot decode ${what} with serializer '${serializer.id}' v${serializer.version}: ${messageOf(cause)}`,
      { cause },
    );
  }
}

/** `<where>operator state '<name>' cannot be restored: `, the start of every message here. */
export function cannotRestore(where: string, name: string): string {
  return `${where}operator state '${name}' cannot be restored: `;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
