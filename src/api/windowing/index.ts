/**
 * The windowing library: windows, assigners, triggers, evictors and the merging window
 * set, after Flink's `org.apache.flink.streaming.api.windowing`. docs/WINDOWS.md describes
 * them. The window operator that runs them (`keyBy(...).window(...)`) is built on top.
 */
export { Window, type WindowCodec } from './windows/window.js';
export { TimeWindow } from './windows/time-window.js';
export { GlobalWindow } from './windows/global-window.js';

export { WindowAssigner, type WindowAssignerContext } from './assigners/window-assigner.js';
export {
  MergingWindowAssigner,
  isMergingWindowAssigner,
  type MergeCallback,
} from './assigners/merging-window-assigner.js';
export { TumblingEventTimeWindows } from './assigners/tumbling-event-time-windows.js';
export { TumblingProcessingTimeWindows } from './assigners/tumbling-processing-time-windows.js';
export { SlidingEventTimeWindows } from './assigners/sliding-event-time-windows.js';
export { SlidingProcessingTimeWindows } from './assigners/sliding-processing-time-windows.js';
export { EventTimeSessionWindows } from './assigners/event-time-session-windows.js';
export { DynamicEventTimeSessionWindows } from './assigners/dynamic-event-time-session-windows.js';
export { ProcessingTimeSessionWindows } from './assigners/processing-time-session-windows.js';
export { DynamicProcessingTimeSessionWindows } from './assigners/dynamic-processing-time-session-windows.js';
export { GlobalWindows } from './assigners/global-windows.js';
export type { SessionWindowTimeGapExtractor } from './assigners/session-window-time-gap-extractor.js';

export { Trigger, type TriggerContext, type OnMergeContext } from './triggers/trigger.js';
export { TriggerResult } from './triggers/trigger-result.js';
export { EventTimeTrigger } from './triggers/event-time-trigger.js';
export { ProcessingTimeTrigger } from './triggers/processing-time-trigger.js';
export { CountTrigger } from './triggers/count-trigger.js';
export { PurgingTrigger } from './triggers/purging-trigger.js';
export { ContinuousEventTimeTrigger } from './triggers/continuous-event-time-trigger.js';
export { ContinuousProcessingTimeTrigger } from './triggers/continuous-processing-time-trigger.js';
export { NeverTrigger } from './triggers/never-trigger.js';

export type {
  Evictor,
  EvictorContext,
  EvictableElement,
  EvictableElements,
  TimestampedValue,
} from './evictors/evictor.js';
export { EvictionBuffer } from './evictors/eviction-buffer.js';
export { CountEvictor } from './evictors/count-evictor.js';
export { TimeEvictor } from './evictors/time-evictor.js';
export { DeltaEvictor, type DeltaFunction } from './evictors/delta-evictor.js';

export { MergingWindowSet, type MergeFunction, type MergingWindowStore } from './merging-window-set.js';
