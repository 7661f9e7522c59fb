/**
 * Key groups: keys hash into `maxParallelism` key groups, and each parallel subtask owns a
 * contiguous range of them. The formulas are Flink's (`KeyGroupRangeAssignment`), so a job
 * can be rescaled by moving whole key groups. See docs/KEYS.md.
 */
import { ConfigError } from './errors.js';
import { keyHash, type Key } from './key-encoding.js';
import { KeyGroupRange } from './key-group-range.js';

/** The largest allowed maxParallelism (number of key groups), as in Flink: 2^15. */
export const MAX_PARALLELISM_UPPER_BOUND = 32768;

/** The smallest maxParallelism {@link defaultMaxParallelism} picks. */
const DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 128;

/**
 * The maxParallelism used when none is set:
 * `min(max(roundUpToPowerOfTwo(p + floor(p / 2)), 128), 32768)`.
 * Never throws; check the parallelism with {@link validateParallelism}.
 */
export function defaultMaxParallelism(parallelism: number): number {
  const wanted = parallelism + Math.floor(parallelism / 2);
  if (!(wanted > DEFAULT_LOWER_BOUND_MAX_PARALLELISM)) return DEFAULT_LOWER_BOUND_MAX_PARALLELISM; // also NaN
  if (wanted > MAX_PARALLELISM_UPPER_BOUND / 2) return MAX_PARALLELISM_UPPER_BOUND;
  return 1 << (32 - Math.clz32(wanted - 1)); // round up to a power of two
}

/**
 * The key group of `key`: `keyHash(key) % maxParallelism`.
 *
 * @param maxParallelism - an integer in [1, {@link MAX_PARALLELISM_UPPER_BOUND}]; not checked here.
 * @throws {@link KeyError} if `key` is not a {@link Key}.
 */
export function assignToKeyGroup(key: Key, maxParallelism: number): number {
  return keyHash(key) % maxParallelism;
}

/** The key group of a key whose {@link keyHash} is `hash`. */
export function keyGroupForHash(hash: number, maxParallelism: number): number {
  return hash % maxParallelism;
}

/**
 * The index of the subtask that owns `keyGroup`: `floor(keyGroup * parallelism / maxParallelism)`.
 * Arguments are not checked (hot path); see {@link validateParallelism}.
 */
export function operatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  // keyGroup * parallelism < 2^30, so the product and the quotient are exact.
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The index of the subtask that owns `key`. */
export function assignKeyToParallelOperator(key: Key, maxParallelism: number, parallelism: number): number {
  return operatorIndexForKeyGroup(maxParallelism, parallelism, assignToKeyGroup(key, maxParallelism));
}

/**
 * The key groups owned by subtask `operatorIndex`:
 * `floor((i * maxP + p - 1) / p) ..= floor(((i + 1) * maxP - 1) / p)`. The ranges of
 * subtasks `0 .. p - 1` partition `0 .. maxP - 1` in order, none empty, and agree with
 * {@link operatorIndexForKeyGroup}.
 *
 * @throws {@link ConfigError} for an invalid `maxParallelism` or `parallelism`.
 * @throws RangeError if `operatorIndex` is not an integer in [0, parallelism - 1].
 */
export function keyGroupRangeForOperator(
  maxParallelism: number,
  parallelism: number,
  operatorIndex: number,
): KeyGroupRange {
  validateParallelism(parallelism, maxParallelism, 'keyGroupRangeForOperator');
  if (!Number.isInteger(operatorIndex) || operatorIndex < 0 || operatorIndex >= parallelism) {
    throw new RangeError(`operator index ${operatorIndex} is out of range for parallelism ${parallelism}`);
  }
  // (i + 1) * maxP <= 2^30: every intermediate value is an exact integer.
  const start = Math.floor((operatorIndex * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((operatorIndex + 1) * maxParallelism - 1) / parallelism);
  return KeyGroupRange.of(start, end);
}

/**
 * Checks a (parallelism, maxParallelism) pair: maxParallelism must be an integer in
 * [1, {@link MAX_PARALLELISM_UPPER_BOUND}], parallelism an integer in [1, maxParallelism].
 *
 * @param what - what the values belong to, starting the message: `"operator 'map'"`, `'the job'`.
 * @throws {@link ConfigError} such as `operator 'x': parallelism 200 exceeds maxParallelism 128;
 *   raise maxParallelism or lower the parallelism`.
 */
export function validateParallelism(parallelism: number, maxParallelism: number, what: string): void {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > MAX_PARALLELISM_UPPER_BOUND) {
    throw new ConfigError(
      `${what}: maxParallelism ${maxParallelism} is out of range; it must be an integer from 1 to ${MAX_PARALLELISM_UPPER_BOUND}`,
    );
  }
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new ConfigError(`${what}: parallelism ${parallelism} is invalid; it must be an integer of at least 1`);
  }
  if (parallelism > maxParallelism) {
    throw new ConfigError(
      `${what}: parallelism ${parallelism} exceeds maxParallelism ${maxParallelism}; raise maxParallelism or lower the parallelism`,
    );
  }
}
