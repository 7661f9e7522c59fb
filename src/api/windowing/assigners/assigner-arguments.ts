/**
 * The argument checks and the "no timestamp" error that the assigners share, so every
 * assigner words them the same way.
 */
import { JobDefinitionError } from '../../../core/errors.js';

/**
 * Checks that `ms` is a whole number of milliseconds greater than 0.
 *
 * @param call - how the user wrote the call, e.g. `TumblingEventTimeWindows.of(0)`
 * @param what - the argument's name, e.g. `size`
 * @throws {@link JobDefinitionError}
 */
export function requirePositiveMillis(call: string, what: string, ms: unknown): number {
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms <= 0) {
    throw new JobDefinitionError(`${call}: ${what} must be a whole number of milliseconds > 0, got ${String(ms)}`);
  }
  return ms;
}

/**
 * Checks a window offset: a whole number of milliseconds with `|offset| < period`.
 *
 * @param period - the window size (tumbling) or the slide (sliding), already checked
 * @throws {@link JobDefinitionError}
 */
export function requireOffset(call: string, offset: unknown, period: number, periodName: string): number {
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) {
    throw new JobDefinitionError(`${call}: offset must be a whole number of milliseconds, got ${String(offset)}`);
  }
  if (Math.abs(offset) >= period) {
    throw new JobDefinitionError(
      `${call}: the offset must satisfy |offset| < ${periodName}, got offset ${offset} and ${periodName} ${period}`,
    );
  }
  return offset === 0 ? 0 : offset; // -0 → 0
}

/**
 * The element's timestamp, for event-time assigners.
 *
 * @param assigner - the assigner; its `toString()` (e.g. `TumblingEventTimeWindows(1000)`) starts the message
 * @param twin - the processing-time assigner to suggest, e.g. `TumblingProcessingTimeWindows`
 * @throws {@link JobDefinitionError} for a record without a timestamp (or a timestamp that
 *   is not a finite number)
 */
export function requireTimestamp(assigner: object, twin: string, timestamp: number | undefined): number {
  // the common case first, and no string building unless it fails
  if (typeof timestamp === 'number' && Number.isFinite(timestamp)) return timestamp;
  if (timestamp === undefined || timestamp !== timestamp) {
    throw new JobDefinitionError(
      `${String(assigner)}: a record has no timestamp: did you forget assignTimestampsAndWatermarks(...)? ` +
        `Event-time windows need a timestamp on every record; to window by the time records arrive, use ${twin}`,
    );
  }
  throw new JobDefinitionError(
    `${String(assigner)}: a record has the timestamp ${timestamp}; event-time windows need a finite timestamp in milliseconds`,
  );
}
