/**
 * Broadcast state keys are compared by value, tuples included, so the map is indexed by a
 * canonical text form of each key rather than by the key itself.
 */
import { StateAccessError } from '../../core/errors.js';

/** A key that broadcast state accepts: a string, number, bigint, boolean, or a tuple of those. */
export type BroadcastKey = string | number | bigint | boolean | readonly (string | number | bigint | boolean)[];

/**
 * The canonical identity of a broadcast state key: two keys have the same id exactly when
 * they are equal by value (`0` and `-0` are the same key).
 *
 * @throws {@link StateAccessError} naming the state for any other value, NaN or a nested array
 */
export function broadcastKeyId(key: unknown, stateName: string): string {
  if (Array.isArray(key)) {
    return `(${key.map((part: unknown) => scalarId(part, stateName, key)).join(',')})`;
  }
  return scalarId(key, stateName, key);
}

function scalarId(value: unknown, stateName: string, key: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (Number.isNaN(value)) throw rejected(stateName, key, 'NaN');
      return `n${Object.is(value, -0) ? 0 : value}`;
    case 'bigint':
      return `b${value}`;
    case 'boolean':
      return value ? 't' : 'f';
    default:
      throw rejected(stateName, key, Array.isArray(value) ? 'a nested array' : value === null ? 'null' : typeof value);
  }
}

function rejected(stateName: string, key: unknown, found: string): StateAccessError {
  const shown = safeText(key);
  return new StateAccessError(
    `broadcast state '${stateName}': key ${shown} is not supported (found ${found}); ` +
      'keys must be strings, numbers, bigints, booleans or tuples of those',
  );
}

function safeText(value: unknown): string {
  try {
    return typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  } catch {
    try {
      return String(value);
    } catch {
      return '(unprintable value)';
    }
  }
}
