/**
 * The current key of a heap backend, shared by all its state objects so that one
 * `setCurrentKey` per record scopes every state.
 */
import type { Key, KeyId } from '../../core/key-encoding.js';

/** Where the current key is and what it is. Written only by the backend. */
export class HeapKeyContext {
  /** The current key, `undefined` before the first `setCurrentKey`. */
  key: Key | undefined = undefined;
  /** The current key's id, its identity in the state Maps. */
  keyId: KeyId = 0;
  /** The current key's key group, -1 when unset. */
  keyGroup = -1;
  /** `keyGroup` minus the backend's first key group: the slot index; -1 when unset. */
  slotIndex = -1;
  /** Set when the backend is disposed; every state access then fails. */
  disposed = false;
  /** Prefix of error messages (`operator 'x' (subtask 1/2): `) or `''`. */
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }
}
