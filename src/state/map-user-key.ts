/**
 * The rule for map state user keys, the same in every backend: key-like values, as record
 * keys are (strings, numbers but not NaN, bigints, booleans and tuples of these),
 * identified by their canonical bytes.
 */
import { StateAccessError } from '../core/errors.js';
import { keyId, type KeyId } from '../core/key-encoding.js';

/**
 * The id of map user key `key` (see `keyId`).
 *
 * @param where - names the state in the error, e.g. `operator 'x': map state 'seen'`
 *   (called only for an error: map operations are on the per-record path)
 * @throws {@link StateAccessError} if `key` is not key-like
 */
export function mapUserKeyId(key: unknown, where: () => string): KeyId {
  switch (typeof key) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      if (key === key) return keyId(key as string); // NaN falls through to the error
      break;
    default:
      if (Array.isArray(key)) {
        try {
          return keyId(key);
        } catch (cause) {
          throw badUserKey(key, where, cause);
        }
      }
  }
  throw badUserKey(key, where);
}

function badUserKey(key: unknown, where: () => string, cause?: unknown): StateAccessError {
  const what = cause instanceof Error ? cause.message : `got ${describe(key)}`;
  return new StateAccessError(
    `${where()}: unsupported map key; map state keys must be strings, numbers (not NaN), bigints, booleans or tuples of these (${what})`,
    { cause },
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return 'NaN';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `an object of class ${name}` : 'an object';
}
