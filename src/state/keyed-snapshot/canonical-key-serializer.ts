/**
 * The serializer of map-state user keys when the descriptor names none: the canonical key
 * bytes (docs/KEYS.md), the same bytes that give keys their identity.
 */
import { decodeKey, encodeKey, KEY_ENCODING_VERSION, type Key } from '../../core/key-encoding.js';
import type { TypeSerializer } from '../serializer.js';

/** Serializes {@link Key}-like values to their canonical key bytes. */
export const canonicalKeySerializer: TypeSerializer<Key> = {
  id: 'eddy.key',
  version: KEY_ENCODING_VERSION,
  serialize: (key) => encodeKey(key),
  deserialize: (bytes) => decodeKey(bytes),
};
