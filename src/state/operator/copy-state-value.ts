/**
 * Operator state copies values on the way in and on the way out with the same deep copy
 * as the heap backend ({@link copyValue}), so mutating an object after `add`/`put`, or
 * mutating what `get` returned, never changes stored state. This wrapper only turns a
 * failed copy into an error that names the state.
 */
import { StateAccessError } from '../../core/errors.js';
import { copyValue } from '../copy-value.js';

/**
 * A deep copy of `value` by {@link copyValue}; primitives are returned as they are.
 *
 * @param stateName - named in the error when the value cannot be copied
 * @throws {@link StateAccessError} for values that cannot be cloned (e.g. a class instance
 * holding a function)
 */
export function copyStateValue<T>(value: T, stateName: string): T {
  try {
    return copyValue(value);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new StateAccessError(`operator state '${stateName}': cannot copy the value (${reason}); values must be plain data`, {
      cause,
    });
  }
}
