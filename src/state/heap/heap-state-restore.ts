/**
 * Loads the restored blocks of one state into its {@link StateTable}, decoding them with
 * the requesting descriptor's serializers and migrating values to its version.
 */
import { StateSerializationError } from '../../core/errors.js';
import { keyId, type KeyId } from '../../core/key-encoding.js';
import type { StateKind } from '../descriptors.js';
import { decodeEntryKey } from '../keyed-snapshot/keyed-snapshot-reader.js';
import type { RestoredKeyedState } from '../keyed-snapshot/restored-keyed-state.js';
import type { RestoredStateDecoder } from '../keyed-snapshot/state-compatibility.js';
import { readStateBlock } from '../keyed-snapshot/state-block-codec.js';
import type { StateTable } from './state-table.js';

/**
 * Puts every entry of `restored` into `table` (whose slot 0 is key group `firstKeyGroup`),
 * replacing entries of the same key and namespace.
 *
 * @throws {@link StateSerializationError} for undecodable entries
 * @throws {@link RestoreError} if a migration fails
 */
export function loadRestoredState(
  table: StateTable,
  kind: StateKind,
  restored: RestoredKeyedState,
  decoder: RestoredStateDecoder,
  firstKeyGroup: number,
  prefix: string,
): void {
  const name = restored.meta.name;
  const migrate = decoder.migrate;
  for (const [keyGroup, block] of restored.blocks) {
    const slot = table.writableSlot(keyGroup - firstKeyGroup);
    const what = `${prefix}state '${name}' in key group ${keyGroup}`;
    readStateBlock(block, kind, decoder.codec, what, (entry) => {
      const id = keyId(decodeEntryKey(entry.keyBytes, name, keyGroup));
      let value: unknown;
      switch (kind) {
        case 'list': {
          const elements = entry.value as unknown[];
          if (elements.length === 0) return;
          value = migrate === undefined ? elements : elements.map(migrate);
          break;
        }
        case 'map': {
          const pairs = entry.value as Array<[unknown, unknown]>;
          if (pairs.length === 0) return;
          const userMap = new Map<KeyId, unknown>();
          for (const [userKey, userValue] of pairs) {
            userMap.set(userKeyId(userKey, what), migrate === undefined ? userValue : migrate(userValue));
          }
          value = userMap;
          break;
        }
        default:
          value = migrate === undefined ? entry.value : migrate(entry.value);
      }
      if (value === undefined) return;
      const map =
        entry.namespaceBytes === undefined
          ? slot.data
          : table.namespaceForWrite(slot, keyId(decodeEntryKey(entry.namespaceBytes, name, keyGroup)));
      map.set(id, value);
      if (slot.owned !== undefined && typeof value === 'object' && value !== null) slot.owned.add(value);
    });
  }
}

function userKeyId(userKey: unknown, what: string): KeyId {
  try {
    return keyId(userKey as never);
  } catch (cause) {
    throw new StateSerializationError(`${what}: a restored map key is not a key-like value: ${(cause as Error).message}`, {
      cause,
    });
  }
}
