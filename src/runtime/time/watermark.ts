/**
 * Watermarks (DESIGN §4.5): a watermark t says that no more records with a timestamp
 * ≤ t are expected. Timestamps and watermarks are milliseconds (JS numbers); the end of
 * event time is +Infinity, the start -Infinity. docs/TIME.md has the exact semantics.
 */

/** The watermark before any: every timestamp is still to come. */
export const MIN_WATERMARK = Number.NEGATIVE_INFINITY;

/** The watermark at the end of input (and of a drained stop-with-savepoint): every event-time timer fires. */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

/**
 * Whether a stream currently takes part in event time (Flink's WatermarkStatus). An
 * `'idle'` stream (a quiet source, see `WatermarkStrategy.withIdleness`) does not hold
 * back the watermark of the tasks that read it until it becomes `'active'` again.
 */
export type WatermarkStatus = 'active' | 'idle';
