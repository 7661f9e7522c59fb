/**
 * A contiguous, inclusive range of key groups: what one parallel subtask owns of the keyed
 * state of an operator, and the unit restores and snapshots are organised by.
 */

/** The key groups `startKeyGroup ..= endKeyGroup` (both inclusive); empty when end < start. */
export class KeyGroupRange implements Iterable<number> {
  /** The range with no key groups (`{0..-1}`), as Flink's `EMPTY_KEY_GROUP_RANGE`. */
  static readonly EMPTY: KeyGroupRange = new KeyGroupRange(0, -1);

  private constructor(
    /** First key group in the range. */
    readonly startKeyGroup: number,
    /** Last key group in the range (inclusive). */
    readonly endKeyGroup: number,
  ) {}

  /**
   * The range `start ..= end`; {@link KeyGroupRange.EMPTY} when `end < start`.
   *
   * @throws RangeError if either bound is not an integer or `start` is negative.
   */
  static of(start: number, end: number): KeyGroupRange {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0) {
      throw new RangeError(`KeyGroupRange.of(${start}, ${end}): bounds must be integers and start must be >= 0`);
    }
    return end < start ? KeyGroupRange.EMPTY : new KeyGroupRange(start, end);
  }

  /** How many key groups the range holds (0 when empty). */
  get numberOfKeyGroups(): number {
    return this.endKeyGroup - this.startKeyGroup + 1;
  }

  /** Whether the range holds no key group. */
  get isEmpty(): boolean {
    return this.endKeyGroup < this.startKeyGroup;
  }

  /** Whether `keyGroup` is in the range. */
  contains(keyGroup: number): boolean {
    return keyGroup >= this.startKeyGroup && keyGroup <= this.endKeyGroup;
  }

  /** The key groups in both ranges ({@link KeyGroupRange.EMPTY} if none). */
  intersection(other: KeyGroupRange): KeyGroupRange {
    const start = Math.max(this.startKeyGroup, other.startKeyGroup);
    const end = Math.min(this.endKeyGroup, other.endKeyGroup);
    return end < start ? KeyGroupRange.EMPTY : new KeyGroupRange(start, end);
  }

  /** Whether both ranges hold the same key groups (all empty ranges are equal). */
  equals(other: KeyGroupRange): boolean {
    if (this.isEmpty || other.isEmpty) return this.isEmpty && other.isEmpty;
    return this.startKeyGroup === other.startKeyGroup && this.endKeyGroup === other.endKeyGroup;
  }

  /** The key groups in ascending order. */
  *[Symbol.iterator](): Iterator<number> {
    for (let keyGroup = this.startKeyGroup; keyGroup <= this.endKeyGroup; keyGroup++) yield keyGroup;
  }

  /** `KeyGroupRange{0..63}`, or `KeyGroupRange{}` when empty. */
  toString(): string {
    return this.isEmpty ? 'KeyGroupRange{}' : `KeyGroupRange{${this.startKeyGroup}..${this.endKeyGroup}}`;
  }
}
