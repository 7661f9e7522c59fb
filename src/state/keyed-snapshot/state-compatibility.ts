/**
 * How a descriptor maps onto the snapshot format, and whether state written under one
 * descriptor (a restored snapshot, or an earlier request) can be used by another: same
 * kind, same serializers, and a version that is equal or can be migrated.
 */
import { RestoreError, StateAccessError } from '../../core/errors.js';
import type { MapStateDescriptor, StateDescriptor, StateKind } from '../descriptors.js';
import { copyValue } from '../copy-value.js';
import { defaultSerializer, type TypeSerializer } from '../serializer.js';
import { canonicalKeySerializer } from './canonical-key-serializer.js';
import type { KeyedSnapshotStateMeta } from './keyed-snapshot-format.js';
import {
  kindChangedProblem,
  migratedToNothingProblem,
  migrateFailedProblem,
  missingMigrateProblem,
  newerVersionProblem,
} from '../restore-problems.js';
import type { StateBlockCodec } from './state-block-codec.js';

/** The header entry and the serializers of a state, as its descriptor defines them. */
export interface DescribedState {
  readonly meta: KeyedSnapshotStateMeta;
  readonly codec: StateBlockCodec;
}

/** The header entry and serializers for `descriptor`. */
export function describeState(descriptor: StateDescriptor<unknown>): DescribedState {
  const value = (descriptor.serializer ?? defaultSerializer<unknown>()) as TypeSerializer<unknown>;
  // by kind, not instanceof: the descriptor may come from another copy of Eddy than the backend
  const isMap = descriptor.kind === 'map';
  const userKey = ((isMap ? (descriptor as MapStateDescriptor<unknown, unknown>).keySerializer : undefined) ?? canonicalKeySerializer) as TypeSerializer<unknown>;
  return {
    meta: {
      name: descriptor.name,
      kind: descriptor.kind,
      serializerId: value.id,
      serializerVersion: value.version,
      descriptorVersion: descriptor.version,
      userKeySerializerId: isMap ? userKey.id : '',
      userKeySerializerVersion: isMap ? userKey.version : 0,
    },
    codec: { value, userKey },
  };
}

/** A "prefix: " for error messages, or nothing. */
export function ownerPrefix(owner: string | undefined): string {
  return owner ? `${owner}: ` : '';
}

/**
 * Checks that a second request for a registered state asks for the same state.
 *
 * @throws {@link StateAccessError} naming the state and both kinds, serializers or versions
 */
export function checkSameState(registered: KeyedSnapshotStateMeta, requested: KeyedSnapshotStateMeta, owner?: string): void {
  const where = `${ownerPrefix(owner)}state '${registered.name}'`;
  if (registered.kind !== requested.kind) {
    throw new StateAccessError(
      `${where} is registered as ${registered.kind} state and cannot be requested as ${requested.kind} state`,
    );
  }
  const problem = serializerProblem(registered, requested) ?? versionMismatch(registered, requested);
  if (problem !== undefined) throw new StateAccessError(`${where} is already registered ${problem}`);
}

/** Turns stored values into the shape the requesting descriptor expects. */
export interface RestoredStateDecoder {
  readonly codec: StateBlockCodec;
  /** Converts one stored value (list element, map value, accumulator); `undefined` when versions match. */
  readonly migrate: ((value: unknown) => unknown) | undefined;
}

/**
 * Decides how state restored as `restored` is read by `descriptor` (DESIGN §4.4): the
 * same kind and serializers, and a stored version equal to the descriptor's, or older
 * with a `migrate(old, fromVersion)`. Migrated values are copied, so a `migrate` that
 * returns a shared object cannot tie two entries together.
 *
 * @param owner - who holds the state, e.g. `operator 'dedup' (subtask 1/2)`, put in
 *   front of every message
 * @throws {@link RestoreError} naming the owner and the state if the kinds or
 *   serializers differ, the stored version is newer, or it is older and the descriptor
 *   has no `migrate`; the migration itself throws a RestoreError when `migrate` does
 */
export function resolveRestoredState(
  restored: KeyedSnapshotStateMeta,
  descriptor: StateDescriptor<unknown>,
  owner?: string,
): RestoredStateDecoder {
  const cannot = `${ownerPrefix(owner)}state '${restored.name}' cannot be restored: `;
  const { meta, codec } = describeState(descriptor);
  if (restored.kind !== meta.kind) {
    throw new RestoreError(cannot + kindChangedProblem(`${restored.kind} state`, `${meta.kind} state`));
  }
  const serializer = serializerProblem(restored, meta);
  if (serializer !== undefined) {
    throw new RestoreError(`${cannot}it was written ${serializer}; request it with the serializer that wrote it`);
  }
  const from = restored.descriptorVersion;
  const to = descriptor.version;
  if (from === to) return { codec, migrate: undefined };
  if (from > to) throw new RestoreError(cannot + newerVersionProblem(from, to));
  const migrate = descriptor.migrate;
  if (migrate === undefined) throw new RestoreError(cannot + missingMigrateProblem(from, to));
  const what = KIND_VALUES[meta.kind];
  return {
    codec,
    migrate: (value) => {
      let migrated: unknown;
      try {
        migrated = copyValue(migrate(value, from));
      } catch (cause) {
        throw new RestoreError(cannot + migrateFailedProblem(from, to, what, cause), { cause });
      }
      if (meta.kind === 'list' && (migrated === undefined || migrated === null)) {
        throw new RestoreError(cannot + migratedToNothingProblem(from, what, migrated));
      }
      return migrated;
    },
  };
}

/** What one migrated value of each kind is, for messages. */
const KIND_VALUES: Record<StateKind, string> = {
  value: 'a value',
  list: 'a list element',
  map: 'a map value',
  reducing: 'a reduced value',
  aggregating: 'an accumulator',
};

function serializerProblem(a: KeyedSnapshotStateMeta, b: KeyedSnapshotStateMeta): string | undefined {
  if (a.serializerId !== b.serializerId || a.serializerVersion !== b.serializerVersion) {
    return `with serializer '${a.serializerId}' v${a.serializerVersion} but is requested with serializer '${b.serializerId}' v${b.serializerVersion}`;
  }
  if (a.userKeySerializerId !== b.userKeySerializerId || a.userKeySerializerVersion !== b.userKeySerializerVersion) {
    return `with map key serializer '${a.userKeySerializerId}' v${a.userKeySerializerVersion} but is requested with '${b.userKeySerializerId}' v${b.userKeySerializerVersion}`;
  }
  return undefined;
}

function versionMismatch(a: KeyedSnapshotStateMeta, b: KeyedSnapshotStateMeta): string | undefined {
  return a.descriptorVersion === b.descriptorVersion
    ? undefined
    : `with state version ${a.descriptorVersion} but is requested with version ${b.descriptorVersion}`;
}
