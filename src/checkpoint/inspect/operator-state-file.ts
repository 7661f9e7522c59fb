/**
 * Reads an operator state file (format EOPS v1, docs/OPERATOR-STATE.md) for
 * `eddy inspect`: entries and bytes of each state, and the decoded items or map entries.
 */
import { StateSerializationError } from '../../core/errors.js';
import type {
  OperatorBroadcastStateSnapshot,
  OperatorListStateSnapshot,
  OperatorStateEntry,
} from '../../state/operator/operator-state-snapshot.js';
import type { TypeSerializer } from '../../state/serializer.js';
import { serializerFor } from './keyed-state-file.js';

/** How `eddy inspect` names the mode of an operator state: `'split'` is plain list state. */
export type OperatorStateKind = 'list' | 'union' | 'broadcast';

/** What one operator state holds in one file. */
export interface OperatorStateCounts {
  readonly state: OperatorStateEntry;
  readonly kind: OperatorStateKind;
  /** List items, or broadcast map entries. */
  readonly entries: number;
  /** Bytes of the serialized items (broadcast: keys and values). */
  readonly bytes: number;
}

/** The kind `eddy inspect` reports for an operator state. */
export function operatorStateKind(state: OperatorStateEntry): OperatorStateKind {
  return state.mode === 'split' ? 'list' : state.mode;
}

/** Counts the entries and bytes of one operator state. */
export function countOperatorState(state: OperatorStateEntry): OperatorStateCounts {
  if (state.mode === 'broadcast') {
    const bytes = state.entries.reduce((sum, [key, value]) => sum + key.length + value.length, 0);
    return { state, kind: 'broadcast', entries: state.entries.length, bytes };
  }
  const bytes = state.items.reduce((sum, item) => sum + item.length, 0);
  return { state, kind: operatorStateKind(state), entries: state.items.length, bytes };
}

/**
 * The decoded items of a list or union state, in list order. Bytes of a serializer
 * `eddy inspect` does not know come back as `OpaqueBytes`.
 *
 * @throws StateSerializationError naming the state when an item cannot be decoded
 */
export function* operatorListItems(state: OperatorListStateSnapshot): Generator<unknown, void, undefined> {
  const values = serializerFor(state.serializer.id, state.serializer.version);
  for (let i = 0; i < state.items.length; i++) yield decode(values, state.items[i]!, `item ${i} of state '${state.name}'`);
}

/**
 * The decoded `[key, value]` entries of a broadcast state, in stored order (see
 * {@link operatorListItems} for unknown serializers).
 *
 * @throws StateSerializationError naming the state when a key or value cannot be decoded
 */
export function* broadcastEntries(state: OperatorBroadcastStateSnapshot): Generator<readonly [unknown, unknown], void, undefined> {
  const keys = serializerFor(state.keySerializer.id, state.keySerializer.version);
  const values = serializerFor(state.serializer.id, state.serializer.version);
  for (let i = 0; i < state.entries.length; i++) {
    const [key, value] = state.entries[i]!;
    const what = `entry ${i} of state '${state.name}'`;
    yield [decode(keys, key, `the key of ${what}`), decode(values, value, `the value of ${what}`)];
  }
}

function decode(serializer: TypeSerializer<unknown>, bytes: Uint8Array, what: string): unknown {
  try {
    return serializer.deserialize(bytes);
  } catch (cause) {
    throw new StateSerializationError(
      `cannot decode ${what} with serializer '${serializer.id}' v${serializer.version}: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
}
