/**
 * Session windows in processing time whose gap each record chooses (Flink's
 * `DynamicProcessingTimeSessionWindows`).
 */
import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger.js';
import type { Trigger } from '../triggers/trigger.js';
import { TimeWindow } from '../windows/time-window.js';
import type { WindowCodec } from '../windows/window.js';
import { MergingWindowAssigner, type MergeCallback } from './merging-window-assigner.js';
import {
  extractGap,
  requireExtractor,
  type SessionWindowTimeGapExtractor,
} from './session-window-time-gap-extractor.js';
import type { WindowAssignerContext } from './window-assigner.js';

/**
 * Gives each record the window `[now, now + extractor(record))` in processing time and
 * merges windows that overlap or touch.
 */
export class DynamicProcessingTimeSessionWindows<T> extends MergingWindowAssigner<T, TimeWindow> {
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
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicProcessingTimeSessionWindows<T> {
    return new DynamicProcessingTimeSessionWindows(
      requireExtractor<T>('ProcessingTimeSessionWindows.withDynamicGap()', extractor),
    );
  }

  /** @throws {@link JobDefinitionError} for a gap that is not a number > 0 */
  assignWindows(element: T, _timestamp: number | undefined, ctx: WindowAssignerContext): readonly TimeWindow[] {
    const now = ctx.getCurrentProcessingTime();
    return [new TimeWindow(now, now + extractGap(this.extractor, element, this))];
  }

  /** Merges overlapping or touching windows ({@link TimeWindow.mergeWindows}). */
  mergeWindows(windows: Iterable<TimeWindow>, callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  /** {@link ProcessingTimeTrigger}. */
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  getWindowCodec(): WindowCodec<TimeWindow> {
    return TimeWindow.codec;
  }

  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return 'DynamicProcessingTimeSessionWindows()';
  }
}
