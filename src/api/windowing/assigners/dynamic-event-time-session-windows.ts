/**
 * Session windows in event time whose gap each record chooses (Flink's
 * `DynamicEventTimeSessionWindows`).
 */
import { EventTimeTrigger } from '../triggers/event-time-trigger.js';
import type { Trigger } from '../triggers/trigger.js';
import { TimeWindow } from '../windows/time-window.js';
import type { WindowCodec } from '../windows/window.js';
import { requireTimestamp } from './assigner-arguments.js';
import { MergingWindowAssigner, type MergeCallback } from './merging-window-assigner.js';
import {
  extractGap,
  requireExtractor,
  type SessionWindowTimeGapExtractor,
} from './session-window-time-gap-extractor.js';
import type { WindowAssignerContext } from './window-assigner.js';

/**
 * Gives each record the window `[timestamp, timestamp + extractor(record))` and merges
 * windows that overlap or touch, as {@link EventTimeSessionWindows} does with a fixed gap.
 */
export class DynamicEventTimeSessionWindows<T> extends MergingWindowAssigner<T, TimeWindow> {
  /** Gives each record's gap. */
  readonly extractor: SessionWindowTimeGapExtractor<T>;

  private constructor(extractor: SessionWindowTimeGapExtractor<T>) {
    super();
    this.extractor = extractor;
  }

  /**
   * Sessions whose gap `extractor` gives per record.
   *
   * @throws {@link JobDefinitionError} if `extractor` is not a function or an object with `extract`
   */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicEventTimeSessionWindows<T> {
    return new DynamicEventTimeSessionWindows(requireExtractor<T>('EventTimeSessionWindows.withDynamicGap()', extractor));
  }

  /**
   * @throws {@link JobDefinitionError} for a record without a timestamp, or a gap that is
   *   not a number > 0
   */
  assignWindows(element: T, timestamp: number | undefined, _ctx: WindowAssignerContext): readonly TimeWindow[] {
    const t = requireTimestamp(this, 'ProcessingTimeSessionWindows.withDynamicGap', timestamp);
    return [new TimeWindow(t, t + extractGap(this.extractor, element, this))];
  }

  /** Merges overlapping or touching windows ({@link TimeWindow.mergeWindows}). */
  mergeWindows(windows: Iterable<TimeWindow>, callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  /** {@link EventTimeTrigger}. */
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }

  getWindowCodec(): WindowCodec<TimeWindow> {
    return TimeWindow.codec;
  }

  isEventTime(): boolean {
    return true;
  }

  override toString(): string {
    return 'DynamicEventTimeSessionWindows()';
  }
}
