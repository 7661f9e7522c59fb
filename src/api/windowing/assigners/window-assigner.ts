/**
 * Window assigners (Flink's `WindowAssigner`) say which windows an element belongs to,
 * which trigger fires them by default, and whether they work in event time.
 */
import type { Trigger } from '../triggers/trigger.js';
import type { Window, WindowCodec } from '../windows/window.js';

/** What an assigner may ask of the window operator while it assigns windows. */
export interface WindowAssignerContext {
  /** The task's current processing time, in milliseconds since the epoch. */
  getCurrentProcessingTime(): number;
}

/**
 * Assigns each element to zero or more windows of type `W`.
 *
 * In a keyed stream, windows are per key: the same window of two keys holds two separate
 * groups of elements. Implementations are immutable and may be shared by every parallel
 * instance of the operator.
 */
export abstract class WindowAssigner<T, W extends Window> {
  /**
   * The windows `element` belongs to.
   *
   * @param timestamp - the element's timestamp, `undefined` when it has none (event-time
   *   assigners then throw a {@link JobDefinitionError})
   * @param ctx - gives the current processing time to processing-time assigners
   */
  abstract assignWindows(element: T, timestamp: number | undefined, ctx: WindowAssignerContext): readonly W[];

  /** The trigger that fires this assigner's windows when the job gives none. */
  abstract getDefaultTrigger(): Trigger<T, W>;

  /** Turns this assigner's windows into state namespaces and back. */
  abstract getWindowCodec(): WindowCodec<W>;

  /** Whether the windows are in event time (ended by the watermark) rather than processing time. */
  abstract isEventTime(): boolean;
}
