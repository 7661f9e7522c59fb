/**
 * The operators of one task, connected by direct calls: operator k's output is operator
 * k+1's `processElement`, and the last operator's output fans out to the task's record
 * writers. The head of a keyed chain sets the current key before each record.
 *
 * The chain holds the task's "current timestamp" register: the timestamp of the record
 * being processed. A record emitted without a timestamp inherits it; one emitted with a
 * timestamp sets it for the operators after it, and the emitting operator gets its own
 * back when the call returns. Watermarks and watermark statuses enter at the head and
 * pass through every operator (an operator with `processWatermark` emits them itself);
 * the tail broadcasts them on every record writer, watermarks only when they increase.
 */
import type { Key } from '../../core/key-encoding.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import { EMPTY_OPERATOR_STATE_SNAPSHOT } from '../../state/operator/operator-state-snapshot.js';
import { OperatorStateStore } from '../../state/operator/operator-state-store.js';
import type { JobVertex } from '../graph/job-graph.js';
import { operatorUid } from '../graph/stream-graph.js';
import type { StreamGraph } from '../graph/stream-graph.js';
import type { RecordWriter } from '../io/record-writer.js';
import type { ChannelEvent } from '../io/channel-event.js';
import type { BatchTimestamps } from '../io/channel-writer.js';
import type { OperatorInfo, Output, StreamOperator } from '../operators/stream-operator.js';
import { markOperator } from './task-failure.js';
import type { ProcessingTimeService } from '../time/processing-time-service.js';
import { MIN_WATERMARK } from '../time/watermark.js';
import type { WatermarkStatus } from '../time/watermark.js';
import type { TaskRestoreState } from '../../checkpoint/restore/task-restore-state.js';

/** One operator of the chain with what the task needs to drive it. */
export interface ChainedOperator {
  readonly name: string;
  /** The uid its state is stored under. */
  readonly uid: string;
  readonly operator: StreamOperator<unknown, unknown>;
  readonly operatorStateStore: OperatorStateStore;
  readonly keyedBackend: KeyedStateBackend | undefined;
}

/** What the chain needs from its task. */
export interface ChainContext {
  readonly jobId: string;
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  readonly attemptNumber: number;
  readonly parameters: ReadonlyMap<string, string>;
  readonly writers: readonly RecordWriter[];
  /** Creates the keyed backend of a keyed operator, given its name (for messages) and its uid. */
  readonly createKeyedBackend: (operatorName: string, operatorUid: string) => KeyedStateBackend;
  readonly emitToCoordinator: (channel: string, records: unknown[]) => void;
  /** Counts records leaving the chain. */
  readonly countOut: () => void;
  /** State to start from, when the task restores. */
  readonly restore: TaskRestoreState | undefined;
  /** The task's processing time. */
  readonly processingTimeService: ProcessingTimeService;
}

/** An output inside the chain: it also passes watermark statuses on. */
export type ChainOutput = Required<Output<unknown>>;

const IDLE: ChannelEvent = Object.freeze({ type: 'watermark-status', status: 'idle' });
const ACTIVE: ChannelEvent = Object.freeze({ type: 'watermark-status', status: 'active' });

/** The chain of one task. */
export class OperatorChain {
  readonly operators: ChainedOperator[] = [];
  /** Feeds one record into the head operator (setting the key first on a keyed chain). */
  readonly input: (record: unknown) => void;
  /** Where a source's records and watermarks enter: the head operator of the chain, or the writers. */
  readonly sourceOutput: ChainOutput;
  /** The timestamp of the record being processed (undefined: it has none). */
  timestamp: number | undefined = undefined;

  constructor(graph: StreamGraph, context: ChainContext) {
    const { vertex } = context;
    const nodes = vertex.nodeIds.map((id) => graph.nodes[id]!);
    let next: ChainOutput = tailOutput(context.writers, context.countOut, this);
    let keyedHead: { backend: KeyedStateBackend; selector: (r: unknown) => Key } | undefined;

    // build from the tail, so each operator's output is the operator after it
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]!;
      if (node.kind === 'source') continue; // the task drives the source reader
      const name = node.uid ?? node.name;
      const uid = operatorUid(node);
      const restored = context.restore?.operators.get(uid);
      const info: OperatorInfo = {
        jobId: context.jobId,
        operatorName: name,
        uid,
        taskName: vertex.name,
        subtaskIndex: context.subtaskIndex,
        parallelism: vertex.parallelism,
        maxParallelism: vertex.maxParallelism,
        attemptNumber: context.attemptNumber,
        parameters: context.parameters,
      };
      const keyedBackend = node.stateKeySelector ? context.createKeyedBackend(name, uid) : undefined;
      if (keyedBackend && restored && restored.keyed.length > 0) keyedBackend.restore(restored.keyed);
      const operatorStateStore = new OperatorStateStore({
        operator: name,
        subtaskIndex: context.subtaskIndex,
        parallelism: vertex.parallelism,
      });
      // a restoring task restores every operator, so isRestored() is true even for one without state
      if (context.restore) operatorStateStore.restore(restored?.operatorState ?? EMPTY_OPERATOR_STATE_SNAPSHOT);
      const operator = node.operatorFactory!();
      operator.setup({
        info,
        output: next,
        keyedBackend,
        operatorStateStore,
        emitToCoordinator: context.emitToCoordinator,
        processingTimeService: context.processingTimeService,
        currentTimestamp: () => this.timestamp,
      });
      this.operators.unshift({ name, uid, operator, operatorStateStore, keyedBackend });
      if (keyedBackend && node.stateKeySelector) keyedHead = { backend: keyedBackend, selector: node.stateKeySelector };
      next = chainLink(operator, name, next, this);
    }

    this.sourceOutput = next;
    if (keyedHead) {
      const { backend, selector } = keyedHead;
      const head = next;
      const headName = this.operators[0]!.name;
      this.input = (record) => {
        try {
          backend.setCurrentKey(selector(record));
        } catch (error) {
          throw markOperator(error, headName);
        }
        head.collect(record);
      };
    } else {
      const head = next;
      this.input = (record) => head.collect(record);
    }
  }

  /** Feeds a batch from an input channel into the head, each record with its timestamp (NaN: none). */
  processBatch(records: readonly unknown[], timestamps: BatchTimestamps | undefined): void {
    const input = this.input;
    if (timestamps === undefined) {
      this.timestamp = undefined;
      for (let i = 0; i < records.length; i++) input(records[i]);
      return;
    }
    for (let i = 0; i < records.length; i++) {
      const t = timestamps[i]!;
      this.timestamp = t === t ? t : undefined;
      input(records[i]);
    }
    this.timestamp = undefined;
  }

  /** The task's watermark advanced: the head operator processes it (or it passes on). */
  processWatermark(watermark: number): void {
    this.sourceOutput.emitWatermark(watermark);
  }

  /** The task's input became idle or active. */
  processWatermarkStatus(status: WatermarkStatus): void {
    this.sourceOutput.emitWatermarkStatus(status);
  }
}

/**
 * The input side of one operator: `processElement` with the timestamp register set,
 * watermarks and statuses to the operator's hooks or on to the next operator; errors are
 * marked with the operator's name.
 */
function chainLink(operator: StreamOperator<unknown, unknown>, name: string, next: ChainOutput, chain: OperatorChain): ChainOutput {
  return {
    collect(record, timestamp) {
      if (timestamp === undefined) {
        try {
          operator.processElement(record);
        } catch (error) {
          throw markOperator(error, name);
        }
        return;
      }
      const own = chain.timestamp;
      chain.timestamp = timestamp;
      try {
        operator.processElement(record);
      } catch (error) {
        throw markOperator(error, name);
      }
      chain.timestamp = own;
    },
    emitWatermark(watermark) {
      if (!operator.processWatermark) {
        next.emitWatermark(watermark);
        return;
      }
      // records an operator emits on a watermark carry no timestamp unless it gives one
      const own = chain.timestamp;
      chain.timestamp = undefined;
      try {
        operator.processWatermark(watermark);
      } catch (error) {
        throw markOperator(error, name);
      }
      chain.timestamp = own;
    },
    emitSide() {
      // side outputs are read only from a chain's tail (edges with a tag never chain)
    },
    emitWatermarkStatus(status) {
      if (!operator.processWatermarkStatus) {
        next.emitWatermarkStatus(status);
        return;
      }
      try {
        operator.processWatermarkStatus(status);
      } catch (error) {
        throw markOperator(error, name);
      }
    },
  };
}

/**
 * The end of the chain: records to the main output's record writers, side outputs to
 * those of their tag, watermarks, statuses (and, from the task, barriers) broadcast on
 * all of them.
 */
function tailOutput(allWriters: readonly RecordWriter[], countOut: () => void, chain: OperatorChain): ChainOutput {
  const writers = allWriters.filter((w) => w.outputTag === undefined);
  const sideWriters = new Map<string, RecordWriter[]>();
  for (const w of allWriters) {
    if (w.outputTag !== undefined) sideWriters.set(w.outputTag, [...(sideWriters.get(w.outputTag) ?? []), w]);
  }
  let lastWatermark = MIN_WATERMARK;
  let status: WatermarkStatus = 'active';
  const broadcast = (event: ChannelEvent) => {
    for (const w of allWriters) w.broadcastEvent(event);
  };
  const events = {
    emitSide(tag: string, record: unknown, timestamp?: number) {
      const targets = sideWriters.get(tag);
      if (targets === undefined) return;
      const t = timestamp === undefined ? chain.timestamp : timestamp;
      for (const w of targets) w.emit(record, t);
    },
    emitWatermark(watermark: number) {
      if (!(watermark > lastWatermark)) return;
      lastWatermark = watermark;
      if (status === 'idle') {
        status = 'active';
        broadcast(ACTIVE);
      }
      broadcast({ type: 'watermark', watermark });
    },
    emitWatermarkStatus(next: WatermarkStatus) {
      if (next === status) return;
      status = next;
      broadcast(next === 'idle' ? IDLE : ACTIVE);
    },
  };
  if (writers.length === 0) return { collect: () => countOut(), ...events };
  if (writers.length === 1) {
    const w = writers[0]!;
    return {
      collect(record, timestamp) {
        countOut();
        w.emit(record, timestamp === undefined ? chain.timestamp : timestamp);
      },
      ...events,
    };
  }
  return {
    collect(record, timestamp) {
      countOut();
      const t = timestamp === undefined ? chain.timestamp : timestamp;
      for (const w of writers) w.emit(record, t);
    },
    ...events,
  };
}

