/**
 * Session windows in event time (Flink's `EventTimeSessionWindows`): a key's session
 * lasts while its records come less than a gap apart, by their timestamps.
 */
import { EventTimeTrigger } from '../triggers/event-time-trigger.js';
import type { Trigger } from '../triggers/trigger.js';
import { TimeWindow } from '../windows/time-window.js';
import type { WindowCodec } from '../windows/window.js';
import { requirePositiveMillis, requireTimestamp } from './assigner-arguments.js';
import { DynamicEventTimeSessionWindows } from './dynamic-event-time-session-windows.js';
import { MergingWindowAssigner, type MergeCallback } from './merging-window-assigner.js';
import type { SessionWindowTimeGapExtractor } from './session-window-time-gap-extractor.js';
import type { WindowAssignerContext } from './window-assigner.js';

/**
 * Gives each record the window `[timestamp, timestamp + gap)`; the window operator merges
 * windows that overlap or touch, so a session is the records of a key with no silence
 * longer than `gap` between them (in any arrival order), and it ends `gap` after its last
 * record. Fired by {@link EventTimeTrigger} when the watermark passes the session's end.
 *
 * ```ts
 * keyed.window(EventTimeSessionWindows.withGap(30 * 60_000)) // 30 minutes of inactivity
 * ```
 */
export class EventTimeSessionWindows extends MergingWindowAssigner<unknown, TimeWindow> {
  /** The inactivity gap that ends a session, in milliseconds. */
  readonly gap: number;

  private constructor(gap: number) {
    super();
    this.gap = gap;
  }

  /**
   * Sessions that end after `gap` milliseconds without records.
   *
   * @throws {@link JobDefinitionError} unless `gap` is a whole number > 0
   */
  static withGap(gap: number): EventTimeSessionWindows {
    return new EventTimeSessionWindows(requirePositiveMillis(`EventTimeSessionWindows.withGap(${String(gap)})`, 'the gap', gap));
  }

  /**
   * Sessions whose gap each record chooses: a record at `t` with gap `g` keeps the session
   * open until at least `t + g`.
   */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicEventTimeSessionWindows<T> {
    return DynamicEventTimeSessionWindows.withDynamicGap(extractor);
  }

  /** @throws {@link JobDefinitionError} for a record without a timestamp */
  assignWindows(_element: unknown, timestamp: number | undefined, _ctx: WindowAssignerContext): readonly TimeWindow[] {
    const t = requireTimestamp(this, 'ProcessingTimeSessionWindows', timestamp);
    return [new TimeWindow(t, t + this.gap)];
  }

  /** Merges overlapping or touching windows ({@link TimeWindow.mergeWindows}). */
  mergeWindows(windows: Iterable<TimeWindow>, callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  /** {@link EventTimeTrigger}. */
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  getWindowCodec(): WindowCodec<TimeWindow> {
    return TimeWindow.codec;
  }

  isEventTime(): boolean {
    return true;
  }

  override toString(): string {
    return `EventTimeSessionWindows(${this.gap})`;
  }
}
