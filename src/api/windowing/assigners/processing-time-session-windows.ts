/**
 * Session windows in processing time (Flink's `ProcessingTimeSessionWindows`): a key's
 * session lasts while its records arrive less than a gap apart, by the task's clock.
 */
import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger.js';
import type { Trigger } from '../triggers/trigger.js';
import { TimeWindow } from '../windows/time-window.js';
import type { WindowCodec } from '../windows/window.js';
import { requirePositiveMillis } from './assigner-arguments.js';
import { DynamicProcessingTimeSessionWindows } from './dynamic-processing-time-session-windows.js';
import { MergingWindowAssigner, type MergeCallback } from './merging-window-assigner.js';
import type { WindowAssignerContext } from './window-assigner.js';
import type { SessionWindowTimeGapExtractor } from './session-window-time-gap-extractor.js';

/**
 * Gives each record the window `[now, now + gap)` in processing time and merges windows
 * that overlap or touch. Fired by {@link ProcessingTimeTrigger} `gap` after the session's
 * last record arrived.
 */
export class ProcessingTimeSessionWindows extends MergingWindowAssigner<unknown, TimeWindow> {
  /** The inactivity gap that ends a session, in milliseconds. */
  readonly gap: number;

  private constructor(gap: number) {
    super();
    this.gap = gap;
  }

  /**
   * Sessions that end after `gap` milliseconds of processing time without records.
   *
   * @throws {@link JobDefinitionError} unless `gap` is a whole number > 0
   */
  static withGap(gap: number): ProcessingTimeSessionWindows {
    return new ProcessingTimeSessionWindows(
      requirePositiveMillis(`ProcessingTimeSessionWindows.withGap(${String(gap)})`, 'the gap', gap),
    );
  }

  /** Sessions whose gap each record chooses. */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicProcessingTimeSessionWindows<T> {
    return DynamicProcessingTimeSessionWindows.withDynamicGap(extractor);
  }

  assignWindows(_element: unknown, _timestamp: number | undefined, ctx: WindowAssignerContext): readonly TimeWindow[] {
    const now = ctx.getCurrentProcessingTime();
    return [new TimeWindow(now, now + this.gap)];
  }

  /** Merges overlapping or touching windows ({@link TimeWindow.mergeWindows}). */
  mergeWindows(windows: Iterable<TimeWindow>, callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  /** {@link ProcessingTimeTrigger}. */
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  getWindowCodec(): WindowCodec<TimeWindow> {
    return TimeWindow.codec;
  }

  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return `ProcessingTimeSessionWindows(${this.gap})`;
  }
}
