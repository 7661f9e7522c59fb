/**
 * The errors every backend's state objects throw the same way, so a job sees the same
 * message whichever backend it runs on.
 */
import { StateAccessError } from '../core/errors.js';

/**
 * A state was used outside a keyed function (no current key) or after its backend was
 * disposed.
 *
 * @param where - `operator 'x' (subtask 1/2): value state 'name'`
 */
export function noCurrentKeyError(where: string, disposed: boolean): StateAccessError {
  return new StateAccessError(
    disposed
      ? `${where} was used after its state backend was disposed`
      : `${where} was used with no current key; keyed state can only be used while a keyed function processes a record or timer`,
  );
}

/** A value that no state can hold (a function, a symbol, or an object holding one). */
export function cannotStoreError(where: string, what: string, cause?: unknown): StateAccessError {
  return new StateAccessError(
    `${where}: cannot store ${what}; state values must be plain data (primitives, plain objects, arrays, Map, Set, Date, typed arrays)`,
    { cause },
  );
}
