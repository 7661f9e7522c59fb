/**
 * Which values may be keys, and the {@link KeyError} that says why one may not. Kept apart
 * from the encoder so the hot path stays small: the encoder only detects a bad key, this
 * module walks it again to say where the problem is.
 */
import { KeyError } from './errors.js';

/**
 * A key Eddy can partition and store state by: a string, a number (not NaN), a bigint,
 * a boolean, or an array (tuple) of keys. See docs/KEYS.md for how each is encoded.
 */
export type Key = string | number | bigint | boolean | readonly Key[];

/** How deeply tuples may nest inside a key; a deeper (or cyclic) array is rejected. */
export const MAX_KEY_DEPTH = 32;

const SUPPORTED =
  'supported key types are string, number (not NaN), bigint, boolean and arrays (tuples) of these. ' +
  'Convert the key to one of these in the key selector (for example a string or a tuple of fields), ' +
  'or give keyBy a key serializer for your type';

/**
 * Checks that `key` is a {@link Key} and returns it. Called at `keyBy` time so a bad key
 * fails with a clear message instead of deep inside the runtime.
 *
 * @throws {@link KeyError} naming the offending value and, inside a tuple, its position
 *   (`element 2 of the key`).
 */
export function validateKey(key: unknown): Key {
  if (typeof key === 'string') return key;
  const problem = findKeyProblem(key, [], 0);
  if (problem !== undefined) throw new KeyError(problem);
  return key as Key;
}

/**
 * The {@link KeyError} for a key the encoder refused. Walks the whole key to find the
 * first offending element.
 *
 * @internal
 */
export function invalidKeyError(key: unknown): KeyError {
  return new KeyError(findKeyProblem(key, [], 0) ?? `unsupported key ${describeValue(key)}; ${SUPPORTED}`);
}

/** The problem with `value` (at `path` inside the key), or `undefined` if it is a valid key. */
function findKeyProblem(value: unknown, path: number[], depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'bigint':
    case 'boolean':
      return undefined;
    case 'number':
      return value === value
        ? undefined
        : `unsupported key: ${where(path)} is NaN, which is not equal to itself and so cannot identify a key`;
    default:
      if (!Array.isArray(value)) return `unsupported key: ${where(path)} is ${describeValue(value)}; ${SUPPORTED}`;
      if (depth >= MAX_KEY_DEPTH) {
        return `unsupported key: ${where(path)} nests arrays more than ${MAX_KEY_DEPTH} levels deep (is it cyclic?)`;
      }
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const problem = findKeyProblem(value[i], path, depth + 1);
        path.pop();
        if (problem !== undefined) return problem;
      }
      return undefined;
  }
}

/** `the key`, `element 2 of the key`, `element 0 of element 2 of the key`. */
function where(path: readonly number[]): string {
  let text = 'the key';
  for (const index of path) text = `element ${index} of ${text}`;
  return text;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    case 'object': {
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === null || proto === Object.prototype) return 'a plain object';
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      return typeof name === 'string' && name !== '' ? `an object of class ${name}` : 'an object';
    }
    default:
      return `a ${typeof value}`;
  }
}
