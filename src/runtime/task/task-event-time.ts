/**
 * Event time of one task: where its watermark comes from and where it goes. A task that
 * reads channels combines their watermarks in a {@link StatusWatermarkValve}; a source
 * task runs its source's watermark strategy, if it has one (`env.fromSource(…, strategy)`),
 * and at the end of its input emits MAX_WATERMARK so every event-time timer downstream
 * fires. Either way the task's watermark enters its chain at the head.
 */
import type { WatermarkEvent, WatermarkStatusEvent } from '../io/channel-event.js';
import type { Source, SourceOutput } from '../source.js';
import type { ProcessingTimeService } from '../time/processing-time-service.js';
import { SourceWithWatermarks } from '../time/source-with-watermarks.js';
import { StatusWatermarkValve } from '../time/status-watermark-valve.js';
import { TimestampsAndWatermarks, WatermarkToDataOutput } from '../time/timestamps-and-watermarks.js';
import type { WatermarkSink } from '../time/timestamps-and-watermarks.js';
import { MAX_WATERMARK } from '../time/watermark.js';
import type { OperatorChain } from './operator-chain.js';

/** The watermarks of one task. */
export class TaskEventTime {
  private readonly chain: OperatorChain;
  /** For a task that reads channels. */
  private readonly valve: StatusWatermarkValve | undefined;
  /** For a source task: what its strategy (or, without one, only the end of input) emits. */
  private readonly sourceWatermarks: WatermarkToDataOutput | undefined;
  /** For a source added with a watermark strategy. */
  readonly sourceStrategy: TimestampsAndWatermarks<unknown> | undefined;

  constructor(
    chain: OperatorChain,
    options: {
      /** The number of input channels; undefined for a source task. */
      readonly channelCount: number | undefined;
      readonly source: Source<unknown> | undefined;
      readonly processingTime: ProcessingTimeService;
      readonly subtaskIndex: number;
    },
  ) {
    this.chain = chain;
    const sink: WatermarkSink = {
      emitWatermark: (watermark) => chain.processWatermark(watermark),
      emitWatermarkStatus: (status) => chain.processWatermarkStatus(status),
    };
    if (options.channelCount !== undefined) this.valve = new StatusWatermarkValve(options.channelCount, sink);
    const { source } = options;
    if (source instanceof SourceWithWatermarks) {
      const strategy = new TimestampsAndWatermarks<unknown>(
        source.strategy,
        sink,
        options.processingTime,
        source.autoWatermarkInterval(),
        options.subtaskIndex,
      );
      this.sourceStrategy = strategy;
      this.sourceWatermarks = strategy.output;
    } else if (source) {
      this.sourceWatermarks = new WatermarkToDataOutput(sink);
    }
  }

  /**
   * Where a source task's reader emits: each record gets its timestamp (from the
   * strategy's assigner, or as the reader gives it) and enters the chain.
   */
  sourceOutput(counters: { recordsIn: number }): SourceOutput<unknown> {
    const chain = this.chain;
    const into = chain.sourceOutput;
    const strategy = this.sourceStrategy;
    if (!strategy) {
      return {
        collect(record, timestamp) {
          counters.recordsIn++;
          chain.timestamp = timestamp;
          into.collect(record);
        },
      };
    }
    return {
      collect(record, timestamp) {
        counters.recordsIn++;
        chain.timestamp = strategy.onRecord(record, timestamp);
        into.collect(record);
      },
    };
  }

  /** The task starts: periodic watermark emission of a source's strategy begins. */
  start(): void {
    this.sourceStrategy?.startPeriodicEmission();
  }

  /** A watermark or watermark status arrived on an input channel. */
  onChannelEvent(channel: number, event: WatermarkEvent | WatermarkStatusEvent): void {
    if (event.type === 'watermark') this.valve?.inputWatermark(channel, event.watermark);
    else this.valve?.inputWatermarkStatus(channel, event.status);
  }

  /** An input channel ended (not by a stop without drain: such a channel keeps holding the watermark back). */
  channelEnded(channel: number): void {
    this.valve?.channelEnded(channel);
  }

  /**
   * A source task's input ended (bounded source or drained stop): event time ends, so
   * MAX_WATERMARK goes through the chain before the operators finish.
   */
  endEventTime(): void {
    if (this.sourceStrategy) this.sourceStrategy.endEventTime();
    else this.sourceWatermarks?.emitWatermark(MAX_WATERMARK);
  }

  /** No more periodic emissions (the input ended, or the task stops). */
  stop(): void {
    this.sourceStrategy?.stopPeriodicEmission();
  }
}
