/**
 * One parallel subtask of one job vertex. The thread's scheduler calls {@link StreamTask.step}
 * repeatedly; each step does a bounded amount of work (one input buffer, or one poll of
 * the source) so that the tasks of a thread share it fairly and messages from other
 * threads get through between steps.
 */
import { performance } from 'node:perf_hooks';
import type { JobVertex } from '../graph/job-graph.js';
import type { StreamGraph } from '../graph/stream-graph.js';
import { END_OF_PARTITION } from '../io/channel-event.js';
import type { InputGate } from '../io/input-gate.js';
import { decodeBatch } from '../io/record-codec.js';
import type { RecordWriter } from '../io/record-writer.js';
import type { SourceOutput, SourceReader } from '../source.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import { OperatorChain } from './operator-chain.js';
import { markOperator } from './task-failure.js';

/** Lifecycle of a task; {@link StreamTask} owns every transition. */
export type TaskStatus = 'created' | 'running' | 'finishing' | 'finished' | 'failed' | 'canceled';

/** What a step reports to the scheduler. */
export type StepResult = 'busy' | 'idle' | 'done';

/** Records counted by a task, for progress and metrics. */
export interface TaskCounters {
  recordsIn: number;
  recordsOut: number;
}

/** Everything a task is made of. */
export interface StreamTaskSpec {
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
  /** Records per source poll. */
  readonly pollBatch: number;
  /** Longest time (ms) a partial output batch may wait before it is sent. */
  readonly flushIntervalMs: number;
}

/** One running subtask. */
export class StreamTask {
  status: TaskStatus = 'created';
  readonly counters: TaskCounters = { recordsIn: 0, recordsOut: 0 };
  readonly name: string;
  private readonly chain: OperatorChain;
  private readonly reader: SourceReader<unknown> | undefined;
  private readonly sourceOutput: SourceOutput<unknown> | undefined;
  private lastFlush = performance.now();

  constructor(private readonly spec: StreamTaskSpec) {
    const { vertex, subtaskIndex } = spec;
    this.name = `${vertex.name} (${subtaskIndex + 1}/${vertex.parallelism})`;
    const counters = this.counters;
    this.chain = new OperatorChain(spec.graph, {
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
    });
    if (vertex.isSource) {
      const head = spec.graph.nodes[vertex.nodeIds[0]!]!;
      this.reader = head.source!.createReader({
        subtaskIndex,
        parallelism: vertex.parallelism,
        attemptNumber: spec.attemptNumber,
      });
      const into = this.chain.sourceOutput;
      this.sourceOutput = {
        collect(record) {
          counters.recordsIn++;
          into.collect(record);
        },
      };
    }
  }

  /** The display name of the head operator, or of the operator named by the error. */
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

  /** setup is done in the constructor; this restores and opens the operators, tail first. */
  async open(): Promise<void> {
    const ops = this.chain.operators;
    for (const op of ops) await blame(op.name, () => op.operator.initializeState?.());
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i]!;
      await blame(op.name, () => op.operator.open?.());
    }
    this.status = 'running';
  }

  /** Does one bounded piece of work. */
  step(): StepResult | Promise<StepResult> {
    if (this.status === 'finishing') return this.tryFinish();
    if (this.status !== 'running') return 'done';
    if (!this.writersAvailable()) return 'idle';
    return this.reader ? this.stepSource(this.reader) : this.stepInput(this.spec.inputGate!);
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
    if (item.kind === 'event') {
      // the only event so far: end-of-partition
      gate.markEnded(channelIndex);
      return gate.allEnded ? this.endOfInput() : 'busy';
    }
    const records = item.kind === 'records' ? item.records : decodeBatch(item.bytes);
    const input = this.chain.input;
    this.counters.recordsIn += records.length;
    for (let i = 0; i < records.length; i++) input(records[i]);
    gate.channels[channelIndex]!.returnCredits(1);
    this.maybeTimedFlush();
    return 'busy';
  }

  /** All input has arrived: finish operators head to tail, then send end-of-partition. */
  private async endOfInput(): Promise<StepResult> {
    for (const op of this.chain.operators) await blame(op.name, () => op.operator.finish?.());
    for (const w of this.spec.writers) w.broadcastEvent(END_OF_PARTITION);
    this.status = 'finishing';
    return this.tryFinish();
  }

  /** Ends the task once every output buffer has been handed over. */
  private async tryFinish(): Promise<StepResult> {
    if (!this.writersAvailable()) return 'idle';
    await this.close();
    this.status = 'finished';
    return 'done';
  }

  /** Closes operators (also on cancel); errors from close are reported by the caller. */
  async close(): Promise<void> {
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
    if (this.status === 'finished' || this.status === 'canceled' || this.status === 'failed') return;
    this.status = 'canceled';
    try {
      await this.close();
    } catch {
      // a canceled task's close errors are not the job's failure
    }
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
