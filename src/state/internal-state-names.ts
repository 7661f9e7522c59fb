/**
 * Eddy keeps some of its own data as keyed state beside the user's (timers), so that it is
 * snapshotted, restored and rescaled by key group like any state. Those states' names
 * start with a reserved prefix that user descriptors may not use.
 */
import { StateAccessError } from '../core/errors.js';

/** The prefix of the names of Eddy's internal keyed states; user state names may not start with it. */
export const INTERNAL_STATE_PREFIX = '_eddy/';

/** Whether `name` is reserved for an internal state. */
export function isInternalStateName(name: string): boolean {
  return name.startsWith(INTERNAL_STATE_PREFIX);
}

/**
 * Checks a state name that comes from user code.
 *
 * @param where - who asks, at the start of the message, e.g. `operator 'x' (subtask 1/2): `
 * @throws {@link StateAccessError} if the name starts with {@link INTERNAL_STATE_PREFIX}
 */
export function checkUserStateName(name: string, where = ''): void {
  if (isInternalStateName(name)) {
    throw new StateAccessError(
      `${where}state name '${name}' starts with '${INTERNAL_STATE_PREFIX}', which is reserved for Eddy's internal state (timers); choose another name`,
    );
  }
}
