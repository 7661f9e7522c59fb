/**
 * The current key of a heap backend, with what the heap states need to find its values:
 * the key's id in the state Maps and its slot in each {@link StateTable}.
 */
import type { KeyId } from '../../core/key-encoding.js';
import { KeyContext } from '../key-context.js';

/** The heap backend's {@link KeyContext}. Written only by the backend. */
export class HeapKeyContext extends KeyContext {
  /** The current key's id, its identity in the state Maps. */
  keyId: KeyId = 0;
  /** `keyGroup` minus the backend's first key group: the slot index; -1 when unset. */
  slotIndex = -1;
}
