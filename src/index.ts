/**
 * Eddy's public API: what a job author or an application that runs jobs needs. Jobs
 * import from here: `import { defineJob, Sinks } from 'eddy'`. Internals are not
 * re-exported, and members marked internal are left out of the published types
 * (`stripInternal`); testing helpers are in `eddy/testing`, key-group functions also in
 * `eddy/keys`.
 */
export { defineJob } from './api/define-job.js';
export type { JobDefinition } from './api/define-job.js';
export { StreamExecutionEnvironment } from './api/environment.js';
export { DataStream, DataStreamSink } from './api/data-stream.js';
export { KeyedStream } from './api/keyed-stream.js';
export type { NumericField } from './api/keyed-stream.js';
export {
  KeyedProcessFunction,
  ProcessFunction,
  RichFilterFunction,
  RichFlatMapFunction,
  RichMapFunction,
} from './api/functions.js';
export type {
  Collector,
  FilterFunction,
  FlatMapFunction,
  KeyedContext,
  KeySelector,
  MapFunction,
  OnTimerContext,
  ProcessContext,
  RichFunction,
  TimeDomain,
  TimerService,
} from './api/functions.js';
export type { RuntimeContext } from './api/runtime-context.js';
export { OutputTag } from './api/output-tag.js';
export { WindowedStream } from './api/windowed-stream.js';
export { ProcessWindowFunction } from './api/process-window-function.js';
export type {
  KeyedStateStore,
  ProcessWindowContext,
  ProcessWindowFunctionLike,
  WindowFunction,
} from './api/process-window-function.js';
export {
  Window,
  TimeWindow,
  GlobalWindow,
  WindowAssigner,
  MergingWindowAssigner,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  EventTimeSessionWindows,
  DynamicEventTimeSessionWindows,
  ProcessingTimeSessionWindows,
  DynamicProcessingTimeSessionWindows,
  GlobalWindows,
  Trigger,
  TriggerResult,
  EventTimeTrigger,
  ProcessingTimeTrigger,
  CountTrigger,
  PurgingTrigger,
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  NeverTrigger,
  CountEvictor,
  TimeEvictor,
  DeltaEvictor,
} from './api/windowing/index.js';
export type {
  WindowCodec,
  WindowAssignerContext,
  MergeCallback,
  SessionWindowTimeGapExtractor,
  TriggerContext,
  OnMergeContext,
  Evictor,
  EvictorContext,
  EvictableElement,
  EvictableElements,
  TimestampedValue,
  DeltaFunction,
} from './api/windowing/index.js';
export { WatermarkStrategy } from './api/watermark-strategy.js';
export type {
  TimestampAssigner,
  WatermarkGenerator,
  WatermarkGeneratorContext,
  WatermarkGeneratorSupplier,
  WatermarkOutput,
} from './api/watermark-strategy.js';
export { MAX_WATERMARK, MIN_WATERMARK } from './runtime/time/watermark.js';
export type { Clock } from './runtime/time/processing-time-service.js';
export type {
  CheckpointedFunction,
  CheckpointListener,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  OperatorStateStoreView,
} from './api/checkpointed-function.js';

export {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from './state/descriptors.js';
export type { MapStateDescriptorOptions, StateDescriptorOptions, StateKind } from './state/descriptors.js';
export type {
  AggregateFunction,
  AggregatingState,
  BroadcastState,
  ListState,
  MapState,
  ReduceFunction,
  ReducingState,
  State,
  ValueState,
} from './state/state.js';
export { MsgpackSerializer } from './state/serializer.js';
export type { TypeSerializer } from './state/serializer.js';

export type { Key } from './keys.js';
export {
  KEY_ENCODING_VERSION,
  KeyGroupRange,
  assignKeyToParallelOperator,
  assignToKeyGroup,
  defaultMaxParallelism,
  keyGroupRangeForOperator,
  operatorIndexForKeyGroup,
} from './keys.js';
export {
  CheckpointError,
  ConfigError,
  EddyError,
  JobDefinitionError,
  JobFailedError,
  KeyError,
  RestoreError,
  StateAccessError,
  StateSerializationError,
  StorageError,
  TaskFailureError,
} from './core/errors.js';
export type { TaskFailureFields } from './core/errors.js';
export { createLogger } from './core/logging/logger.js';
export type { LogFormat, LogLevel, Logger, LoggerOptions } from './core/logging/logger.js';

export type { PollStatus, Source, SourceOutput, SourceReader, SourceReaderContext } from './runtime/source.js';
export type {
  Committer,
  CommitterContext,
  CommittingSinkWriter,
  Sink,
  SinkWriter,
  SinkWriterContext,
  TwoPhaseCommittingSink,
} from './runtime/sink.js';
export { Sinks } from './connectors/sinks.js';
export { Sources } from './connectors/sources.js';
export type { JsonlSinkOptions } from './connectors/jsonl-sink.js';

export { runJob, startJob } from './cluster/run-job.js';
export type { CancelOptions, JobClient, JobDetails, ResumeOutcome, StopOptions, VertexDetails } from './cluster/run-job.js';
export type { JobFailure, JobStatus } from './cluster/job-master.js';
export type { ExceptionHistoryEntry, ExceptionHistorySnapshot } from './cluster/exception-history.js';
export type { CheckpointConfigInput } from './checkpoint/checkpoint-config.js';
export type { CheckpointCounts, CheckpointStats, CheckpointStatus } from './checkpoint/checkpoint-stats.js';
export { SavepointTargetError } from './checkpoint/storage/savepoint-target.js';
export { CheckpointCorruptedError } from './checkpoint/storage/checkpoint-corrupted-error.js';
export { RestartStrategies } from './runtime/failover/restart-strategy.js';
export type { RestartStrategyConfig } from './runtime/failover/restart-strategy.js';
export type { RunOptions } from './cluster/run-options.js';
export type {
  HashMapStateBackendConfig,
  RocksDBStateBackendConfig,
  StateBackendConfig,
  StateBackendKind,
} from './state/state-backend-config.js';
export { JobResult } from './cluster/job-result.js';
export type { JobProgress, VertexMetrics } from './cluster/job-result.js';
