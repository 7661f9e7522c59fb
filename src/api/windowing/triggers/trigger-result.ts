/**
 * What a trigger tells the window operator after each call (Flink's `TriggerResult`):
 * whether to evaluate the window now (fire) and whether to drop its contents (purge).
 */

/**
 * - `'CONTINUE'`: do nothing.
 * - `'FIRE'`: evaluate the window function on the window's contents and emit the result;
 *   the contents stay (a later fire sees them again).
 * - `'PURGE'`: drop the window's contents without evaluating them.
 * - `'FIRE_AND_PURGE'`: evaluate, then drop the contents.
 *
 * The window itself (its trigger state and timers) lives on until the operator clears it
 * at `maxTimestamp() + allowedLateness`, whatever the result.
 */
export type TriggerResult = 'CONTINUE' | 'FIRE' | 'PURGE' | 'FIRE_AND_PURGE';

/** The {@link TriggerResult} values by name, and their two flags. */
export const TriggerResult = {
  CONTINUE: 'CONTINUE',
  FIRE: 'FIRE',
  PURGE: 'PURGE',
  FIRE_AND_PURGE: 'FIRE_AND_PURGE',

  /** Whether the window function runs: `FIRE` or `FIRE_AND_PURGE`. */
  isFire(result: TriggerResult): boolean {
    return result === 'FIRE' || result === 'FIRE_AND_PURGE';
  },

  /** Whether the contents are dropped: `PURGE` or `FIRE_AND_PURGE`. */
  isPurge(result: TriggerResult): boolean {
    return result === 'PURGE' || result === 'FIRE_AND_PURGE';
  },

  /** The result with these flags. */
  of(flags: { readonly fire: boolean; readonly purge: boolean }): TriggerResult {
    if (flags.fire) return flags.purge ? 'FIRE_AND_PURGE' : 'FIRE';
    return flags.purge ? 'PURGE' : 'CONTINUE';
  },
} as const;
