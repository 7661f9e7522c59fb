/**
 * How dynamic session windows get their gap from each element (Flink's
 * `SessionWindowTimeGapExtractor`).
 */
import { JobDefinitionError } from '../../../core/errors.js';

/**
 * The session gap for an element, in milliseconds (> 0): a plain function or an object
 * with `extract`.
 */
export type SessionWindowTimeGapExtractor<T> = ((element: T) => number) | { extract(element: T): number };

/**
 * Calls `extractor` whichever form it has and checks the gap.
 *
 * @param assigner - the assigner, whose `toString()` starts the error message
 * @throws {@link JobDefinitionError} if the gap is not a number > 0
 */
export function extractGap<T>(extractor: SessionWindowTimeGapExtractor<T>, element: T, assigner: object): number {
  const gap = typeof extractor === 'function' ? extractor(element) : extractor.extract(element);
  if (typeof gap !== 'number' || !Number.isFinite(gap) || gap <= 0) {
    throw new JobDefinitionError(
      `${String(assigner)}: the gap extractor returned ${String(gap)}; a session gap must be a number of milliseconds > 0`,
    );
  }
  return gap;
}

/**
 * Checks that `extractor` is a function or has `extract`.
 *
 * @throws {@link JobDefinitionError}
 */
export function requireExtractor<T>(call: string, extractor: unknown): SessionWindowTimeGapExtractor<T> {
  if (
    typeof extractor === 'function' ||
    (typeof extractor === 'object' && extractor !== null && typeof (extractor as { extract?: unknown }).extract === 'function')
  ) {
    return extractor as SessionWindowTimeGapExtractor<T>;
  }
  throw new JobDefinitionError(`${call} needs a function (element) => gap in milliseconds, or an object with extract(element)`);
}
