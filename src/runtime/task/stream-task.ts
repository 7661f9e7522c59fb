/**
 * One parallel subtask of one job vertex. The thread's scheduler calls {@link StreamTask.step}
 * repeatedly; each step does a bounded amount of work (one mail, one input buffer or
 * event, or one poll of the source) so that the tasks of a thread share it fairly and
 * messages from other threads get through between steps. Everything the coordinator
 * asks of a task (trigger a checkpoint, notify, final checkpoint) arrives as mail and
 * runs between two steps, never in the middle of a record.
 */
import type { Logger } from '../../core/logging/logger.js';
import { performance } from 'node:perf_hooks';
import {
  AlignedBarrierHandler,
  AtLeastOnceBarrierHandler,
} from '../../checkpoint/barrier/checkpoint-barrier-handler.js';
import type { BarrierHandlerHost, CheckpointBarrierHandler } from '../../checkpoint/barrier/checkpoint-barrier-handler.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import type { JobVertex } from '../graph/job-graph.js';
import { operatorUid } from '../graph/stream-graph.js';
import type { StreamGraph } from '../graph/stream-graph.js';
import { END_OF_PARTITION, STOPPED_PARTITION } from '../io/channel-event.js';
import type { ChannelEvent } from '../io/channel-event.js';
import type { CheckpointBarrier } from '../../checkpoint/barrier/checkpoint-barrier.js';
import type { InputGate } from '../io/input-gate.js';
import { decodeBatch } from '../io/record-codec.js';
import type { RecordWriter } from '../io/record-writer.js';
import type { SourceOutput, SourceReader } from '../source.js';
import { SYSTEM_CLOCK } from '../time/processing-time-service.js';
import type { Clock } from '../time/processing-time-service.js';
import { TaskProcessingTimeService } from '../time/task-processing-time-service.js';
import { OperatorChain } from './operator-chain.js';
import { TaskEventTime } from './task-event-time.js';
import { TaskCheckpointer } from './task-checkpointer.js';
import type { CheckpointResponder, StateFileWriter } from './task-checkpointer.js';
import { markOperator } from './task-failure.js';
import type { TaskRestoreState } from '../../checkpoint/restore/task-restore-state.js';

/**
 * Lifecycle of a task; {@link StreamTask} owns every transition:
 * created → running → draining (end-of-partition sent, output backlog emptying) →
 * awaiting-final-checkpoint → finished; or failed / canceled from any state before those.
 */
export type TaskStatus = 'created' | 'running' | 'draining' | 'awaiting-final-checkpoint' | 'finished' | 'failed' | 'canceled';

/** The legal moves of {@link TaskStatus}; the three ends have none. */
const NEXT_STATUS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  created: ['running', 'failed', 'canceled'],
  running: ['draining', 'failed', 'canceled'],
  draining: ['awaiting-final-checkpoint', 'failed', 'canceled'],
  'awaiting-final-checkpoint': ['finished', 'failed', 'canceled'],
  finished: [],
  failed: [],
  canceled: [],
};

/** Whether a task in `status` has ended (and will do nothing more). */
export function isTaskEnded(status: TaskStatus): boolean {
  return NEXT_STATUS[status].length === 0;
}

/** What a step reports to the scheduler. */
export type StepResult = 'busy' | 'idle' | 'done';

/** Records counted by a task, for progress and metrics. */
export interface TaskCounters {
  recordsIn: number;
  recordsOut: number;
}

/** How a task takes part in checkpoints. */
export interface TaskCheckpointing {
  readonly mode: 'exactly-once' | 'at-least-once';
  /** Where state files go; undefined when checkpointing is off (the final commit still runs). */
  readonly storage: StateFileWriter | undefined;
  readonly responder: CheckpointResponder;
}

/** Everything a task is made of. */
export interface StreamTaskSpec {
  readonly jobId: string;
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  readonly attemptNumber: number;
  readonly parameters: ReadonlyMap<string, string>;
  /** This task's own build of the stream graph: its user functions are its own. */
  readonly graph: StreamGraph;
  readonly inputGate: InputGate | undefined;
  readonly writers: readonly RecordWriter[];
  readonly createKeyedBackend: (operatorName: string) => KeyedStateBackend;
  readonly emitToCoordinator: (channel: string, records: unknown[]) => void;
  readonly restore: TaskRestoreState | undefined;
  readonly checkpointing: TaskCheckpointing;
  /** Called once the task's input has ended and its output has been handed over. */
  readonly onEndOfInput: (task: StreamTask) => void;
  /** Wakes the scheduler (mail arrived). */
  readonly signal: () => void;
  /** Records per source poll. */
  readonly pollBatch: number;
  /** Longest time (ms) a partial output batch may wait before it is sent. */
  readonly flushIntervalMs: number;
  /** Where processing time comes from. @default SYSTEM_CLOCK */
  readonly clock?: Clock | undefined;
  /** The task's logger (job, task, subtask and attempt bound). @default none: nothing is logged */
  readonly logger?: Logger | undefined;
}

/** One running subtask. */
export class StreamTask {
  private current: TaskStatus = 'created';
  readonly counters: TaskCounters = { recordsIn: 0, recordsOut: 0 };
  readonly name: string;
  private readonly chain: OperatorChain;
  private readonly reader: SourceReader<unknown> | undefined;
  private readonly sourceOutput: SourceOutput<unknown> | undefined;
  private readonly checkpointer: TaskCheckpointer;
  private readonly barriers: CheckpointBarrierHandler | undefined;
  private readonly mail: (() => void | Promise<void>)[] = [];
  /** Processing time: timers run as mail; quiesced when the input ends and on close. */
  readonly processingTime: TaskProcessingTimeService;
  private readonly eventTime: TaskEventTime;
  private lastFlush = performance.now();
  /** Set when an input channel ended because the job is stopping with a savepoint (no draining). */
  private inputStopped = false;

  constructor(private readonly spec: StreamTaskSpec) {
    const { vertex, subtaskIndex } = spec;
    this.name = `${vertex.name} (${subtaskIndex + 1}/${vertex.parallelism})`;
    const counters = this.counters;
    this.processingTime = new TaskProcessingTimeService(spec.clock ?? SYSTEM_CLOCK, (action) => this.post(action));
    this.chain = new OperatorChain(spec.graph, {
      jobId: spec.jobId,
      vertex,
      subtaskIndex,
      attemptNumber: spec.attemptNumber,
      parameters: spec.parameters,
      writers: spec.writers,
      createKeyedBackend: spec.createKeyedBackend,
      emitToCoordinator: spec.emitToCoordinator,
      countOut: () => {
        counters.recordsOut++;
      },
      restore: spec.restore,
      processingTimeService: this.processingTime,
    });
    let source: { uid: string; reader: SourceReader<unknown> } | undefined;
    const head = spec.graph.nodes[vertex.nodeIds[0]!]!;
    this.eventTime = new TaskEventTime(this.chain, {
      channelCount: spec.inputGate?.channels.length,
      source: vertex.isSource ? head.source : undefined,
      processingTime: this.processingTime,
      subtaskIndex,
    });
    if (vertex.isSource) {
      const reader = head.source!.createReader({
        subtaskIndex,
        parallelism: vertex.parallelism,
        attemptNumber: spec.attemptNumber,
      });
      const uid = operatorUid(head);
      const position = spec.restore?.operators.get(uid)?.sourcePosition;
      if (position) reader.restorePosition?.(position.value);
      source = { uid, reader };
      this.reader = reader;
      this.sourceOutput = this.eventTime.sourceOutput(counters);
    }
    const { checkpointing } = spec;
    this.checkpointer = new TaskCheckpointer(
      vertex.id,
      subtaskIndex,
      this.chain.operators,
      source,
      spec.writers,
      checkpointing.storage,
      checkpointing.responder,
      spec.logger,
    );
    if (spec.inputGate) {
      const host = this.barrierHost(spec.inputGate);
      this.barriers = checkpointing.mode === 'exactly-once' ? new AlignedBarrierHandler(host) : new AtLeastOnceBarrierHandler(host);
    }
  }

  /** Where the task is in its lifecycle; only the task changes it (see {@link markFailed}, {@link cancel}). */
  get status(): TaskStatus {
    return this.current;
  }

  /** The display name of the head operator. */
  get headOperatorName(): string {
    const head = this.spec.graph.nodes[this.spec.vertex.nodeIds[0]!]!;
    return head.uid ?? head.name;
  }

  get vertex(): JobVertex {
    return this.spec.vertex;
  }

  get subtaskIndex(): number {
    return this.spec.subtaskIndex;
  }

  /** Restores and opens the operators (state was handed to them when the chain was built), tail first. */
  async open(): Promise<void> {
    const ops = this.chain.operators;
    for (const op of ops) await blame(op.name, () => op.operator.initializeState?.());
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i]!;
      await blame(op.name, () => op.operator.open?.());
    }
    this.eventTime.start();
    if (this.current === 'created') this.moveTo('running'); // unless canceled meanwhile
  }

  /** A source task starts checkpoint `barrier.checkpointId` (between two polls). */
  triggerCheckpoint(barrier: CheckpointBarrier): void {
    this.post(() => {
      if (this.status !== 'running') {
        this.checkpointer.decline(barrier.checkpointId, new Error(`task ${this.name} is ${this.status}`), false);
        return;
      }
      return this.checkpointer.checkpoint(barrier, 0);
    });
  }

  /** Every task has ended its input: snapshot once more (sinks pre-commit their last data). */
  triggerFinalCheckpoint(barrier: CheckpointBarrier): void {
    this.post(() => this.checkpointer.checkpoint(barrier, 0, false));
  }

  /**
   * Checkpoint `checkpointId` completed: keyed backends may refer to its files in later
   * incremental snapshots, operators may commit; a task waiting for its final checkpoint ends.
   */
  notifyCheckpointComplete(checkpointId: number, isFinal: boolean): void {
    this.post(async () => {
      for (const op of this.chain.operators) {
        await blame(op.name, () => op.keyedBackend?.notifyCheckpointComplete?.(checkpointId));
        await blame(op.name, () => op.operator.notifyCheckpointComplete?.(checkpointId));
      }
      if (isFinal && this.current === 'awaiting-final-checkpoint') {
        await this.close();
        if (this.current === 'awaiting-final-checkpoint') this.moveTo('finished'); // unless canceled meanwhile
      }
    });
  }

  /** Checkpoint `checkpointId` was aborted: its asynchronous part stops, keyed backends and operators forget it. */
  notifyCheckpointAborted(checkpointId: number): void {
    this.post(() => {
      this.checkpointer.abort(checkpointId);
      for (const op of this.chain.operators) {
        op.keyedBackend?.notifyCheckpointAborted?.(checkpointId);
        op.operator.notifyCheckpointAborted?.(checkpointId);
      }
    });
  }

  /**
   * A source task ends its input now (stop-with-savepoint): with `drain` as at the end of
   * a bounded input (operators finish); without, the operators and everything downstream
   * end as they are, so the savepoint that follows holds their state unchanged.
   */
  stopInput(drain: boolean): void {
    this.post(() => {
      if (this.status !== 'running' || !this.reader) return;
      this.inputStopped = !drain;
      return this.endOfInput().then(() => undefined);
    });
  }

  /** Does one bounded piece of work. */
  step(): StepResult | Promise<StepResult> {
    const mail = this.mail.shift();
    if (mail) return this.runMail(mail);
    switch (this.status) {
      case 'running':
        if (!this.writersAvailable()) return 'idle';
        return this.reader ? this.stepSource(this.reader) : this.stepInput(this.spec.inputGate!);
      case 'draining':
        return this.tryEndInput();
      case 'awaiting-final-checkpoint':
        return 'idle';
      default:
        return 'done';
    }
  }

  private async runMail(mail: () => void | Promise<void>): Promise<StepResult> {
    this.chain.timestamp = undefined; // mail (timers) runs outside any record
    await mail();
    return this.status === 'finished' ? 'done' : 'busy';
  }

  private post(action: () => void | Promise<void>): void {
    this.mail.push(action);
    this.spec.signal();
  }

  private stepSource(reader: SourceReader<unknown>): StepResult | Promise<StepResult> {
    const status = reader.poll(this.sourceOutput!, this.spec.pollBatch);
    if (status instanceof Promise) return status.then((s) => this.afterPoll(s));
    return this.afterPoll(status);
  }

  private afterPoll(status: 'more' | 'idle' | 'end'): StepResult | Promise<StepResult> {
    if (status === 'end') return this.endOfInput();
    if (status === 'idle') {
      this.flushWriters();
      return 'idle';
    }
    this.maybeTimedFlush();
    return 'busy';
  }

  private stepInput(gate: InputGate): StepResult | Promise<StepResult> {
    const polled = gate.poll();
    if (polled === undefined && gate.allEnded) return this.endOfInput(); // a gate without channels
    if (polled === undefined) {
      this.flushWriters();
      return 'idle';
    }
    const { item, channelIndex } = polled;
    if (item.kind === 'event') return this.onEvent(gate, channelIndex, item.event);
    const records = item.kind === 'records' ? item.records : decodeBatch(item.bytes);
    this.counters.recordsIn += records.length;
    this.chain.processBatch(records, item.timestamps);
    gate.channels[channelIndex]!.returnCredits(1);
    this.maybeTimedFlush();
    return 'busy';
  }

  private async onEvent(gate: InputGate, channel: number, event: ChannelEvent): Promise<StepResult> {
    const barriers = this.barriers!;
    switch (event.type) {
      case 'watermark':
      case 'watermark-status':
        this.eventTime.onChannelEvent(channel, event);
        return 'busy';
      case 'barrier':
        await barriers.onBarrier(channel, event);
        return 'busy';
      case 'cancel-checkpoint':
        barriers.onCancelMarker(channel, event);
        return 'busy';
      case 'end-of-partition':
        if (event.stopped) this.inputStopped = true;
        else this.eventTime.channelEnded(channel);
        gate.markEnded(channel);
        await barriers.onChannelEnded(channel);
        return gate.allEnded ? this.endOfInput() : 'busy';
    }
  }

  /**
   * All input has arrived: processing time stops (timers left do not fire), a source
   * task ends event time (MAX_WATERMARK through the chain), operators finish head to
   * tail, then end-of-partition goes out. A stopped input (stop-with-savepoint without
   * drain) neither advances event time nor finishes the operators.
   */
  private async endOfInput(): Promise<StepResult> {
    this.processingTime.quiesce();
    this.eventTime.stop();
    if (!this.inputStopped) {
      this.chain.timestamp = undefined;
      if (this.reader) this.eventTime.endEventTime();
      for (const op of this.chain.operators) await blame(op.name, () => op.operator.finish?.());
    }
    for (const w of this.spec.writers) w.broadcastEvent(this.inputStopped ? STOPPED_PARTITION : END_OF_PARTITION);
    if (this.current !== 'running') return 'idle'; // canceled while the operators finished
    this.moveTo('draining');
    return this.tryEndInput();
  }

  /** Once every output buffer has been handed over, waits for the job's final checkpoint. */
  private tryEndInput(): StepResult {
    if (!this.writersAvailable()) return 'idle';
    this.moveTo('awaiting-final-checkpoint');
    this.spec.onEndOfInput(this);
    return 'idle';
  }

  /** Closes operators (also on cancel); errors from close are reported by the caller. */
  async close(): Promise<void> {
    this.processingTime.quiesce();
    await this.checkpointer.dispose();
    const ops = this.chain.operators;
    let first: unknown;
    for (const op of ops) {
      try {
        await blame(op.name, () => op.operator.close?.());
      } catch (error) {
        first ??= error;
      }
      op.keyedBackend?.dispose();
    }
    await this.reader?.close?.();
    if (first !== undefined) throw first;
  }

  /** Stops the task where it is (job canceled or another task failed). */
  async cancel(): Promise<void> {
    if (isTaskEnded(this.current)) return;
    this.moveTo('canceled');
    try {
      await this.close();
    } catch (error) {
      // a canceled task's close errors are not the job's failure, but the user should see them
      this.spec.logger?.warn({ err: error }, 'closing the canceled task failed');
    }
  }

  /**
   * A step of this task threw (the scheduler reports it): the task is failed, unless it
   * had already ended (canceled while the step ran), which a failure no longer changes.
   *
   * @returns whether the task was marked failed
   */
  markFailed(): boolean {
    if (isTaskEnded(this.current)) return false;
    this.moveTo('failed');
    return true;
  }

  /** The one place the status changes; a move the lifecycle does not allow is a bug. */
  private moveTo(next: TaskStatus): void {
    if (!NEXT_STATUS[this.current].includes(next)) {
      throw new Error(`task ${this.name} cannot become ${next} from ${this.current} (a bug in the task lifecycle)`);
    }
    this.current = next;
  }

  private barrierHost(gate: InputGate): BarrierHandlerHost {
    return {
      channelCount: gate.channels.length,
      isEnded: (c) => gate.channels[c]!.ended,
      block: (c) => gate.block(c),
      unblock: (c) => gate.unblock(c),
      snapshot: (barrier, alignmentMs) => this.checkpointer.checkpoint(barrier, alignmentMs),
      abort: (checkpointId, reason) => {
        for (const w of this.spec.writers) w.broadcastEvent({ type: 'cancel-checkpoint', checkpointId });
        this.checkpointer.abort(checkpointId);
        this.checkpointer.decline(checkpointId, new Error(reason), false);
      },
      now: () => performance.now(),
    };
  }

  private writersAvailable(): boolean {
    for (const w of this.spec.writers) if (!w.isAvailable) return false;
    return true;
  }

  private flushWriters(): void {
    for (const w of this.spec.writers) w.flush();
    this.lastFlush = performance.now();
  }

  private maybeTimedFlush(): void {
    const now = performance.now();
    if (now - this.lastFlush >= this.spec.flushIntervalMs) {
      for (const w of this.spec.writers) w.flush();
      this.lastFlush = now;
    }
  }
}

/** Runs one lifecycle hook of an operator, marking what it throws with the operator's name. */
async function blame(operator: string, hook: () => void | Promise<void>): Promise<void> {
  try {
    await hook();
  } catch (error) {
    throw markOperator(error, operator);
  }
}
