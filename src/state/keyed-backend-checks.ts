/**
 * Checks every keyed state backend makes the same way: its options when it is created, and
 * that each current key belongs to its key groups.
 */
import { ConfigError, StateAccessError } from '../core/errors.js';
import type { Key } from '../core/key-encoding.js';
import type { KeyGroupRange } from '../core/key-group-range.js';
import { assignToKeyGroup, MAX_PARALLELISM_UPPER_BOUND } from '../core/key-groups.js';

/**
 * @param prefix - `operator 'x' (subtask 1/2): ` or `''`
 * @throws {@link ConfigError} if maxParallelism is out of range or the key-group range does not fit it
 */
export function checkBackendOptions(maxParallelism: number, keyGroupRange: KeyGroupRange, prefix: string): void {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > MAX_PARALLELISM_UPPER_BOUND) {
    throw new ConfigError(
      `${prefix}maxParallelism ${maxParallelism} is out of range; it must be an integer from 1 to ${MAX_PARALLELISM_UPPER_BOUND}`,
    );
  }
  if (keyGroupRange.isEmpty || keyGroupRange.endKeyGroup >= maxParallelism) {
    throw new ConfigError(`${prefix}key group range ${keyGroupRange} does not fit maxParallelism ${maxParallelism}`);
  }
}

/**
 * The key group of `key`.
 *
 * @throws {@link KeyError} if `key` is not a valid key
 * @throws {@link StateAccessError} if its key group is outside `keyGroupRange`
 */
export function ownedKeyGroup(key: Key, maxParallelism: number, keyGroupRange: KeyGroupRange, prefix: string): number {
  const keyGroup = assignToKeyGroup(key, maxParallelism);
  if (keyGroup < keyGroupRange.startKeyGroup || keyGroup > keyGroupRange.endKeyGroup) {
    throw new StateAccessError(
      `${prefix}key ${describeKey(key)} belongs to key group ${keyGroup}, which is not in this backend's ${keyGroupRange}; records must be partitioned by the same key and maxParallelism as the state`,
    );
  }
  return keyGroup;
}

function describeKey(key: Key): string {
  try {
    return JSON.stringify(key, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    return String(key);
  }
}
