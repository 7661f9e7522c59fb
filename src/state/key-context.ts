/**
 * The current key of a keyed state backend, shared by the backend and all its state
 * objects so that one `setCurrentKey` per record scopes every state. Each backend extends
 * it with what its states need to find the key's values quickly (a slot index and key id
 * on the heap, the entry-key prefix in RocksDB).
 */
import type { Key } from '../core/key-encoding.js';

/** Where the current key is and what it is. Written only by the backend. */
export class KeyContext {
  /** The current key, `undefined` before the first `setCurrentKey`. */
  key: Key | undefined = undefined;
  /** The current key's key group, -1 when unset. */
  keyGroup = -1;
  /** Set when the backend is disposed; every state access then fails. */
  disposed = false;
  /** Prefix of error messages (`operator 'x' (subtask 1/2): `) or `''`. */
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }
}
