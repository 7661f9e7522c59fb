/**
 * The operators of one task, connected by direct calls: operator k's output is operator
 * k+1's `processElement`, and the last operator's output fans out to the task's record
 * writers. The head of a keyed chain sets the current key before each record.
 */
import type { Key } from '../../core/key-encoding.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import { EMPTY_OPERATOR_STATE_SNAPSHOT } from '../../state/operator/operator-state-snapshot.js';
import { OperatorStateStore } from '../../state/operator/operator-state-store.js';
import type { JobVertex } from '../graph/job-graph.js';
import { operatorUid } from '../graph/stream-graph.js';
import type { StreamGraph } from '../graph/stream-graph.js';
import type { RecordWriter } from '../io/record-writer.js';
import type { OperatorInfo, Output, StreamOperator } from '../operators/stream-operator.js';
import { markOperator } from './task-failure.js';
import type { ProcessingTimeService } from '../time/processing-time-service.js';
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
  readonly createKeyedBackend: (operatorName: string) => KeyedStateBackend;
  readonly emitToCoordinator: (channel: string, records: unknown[]) => void;
  /** Counts records leaving the chain. */
  readonly countOut: () => void;
  /** State to start from, when the task restores. */
  readonly restore: TaskRestoreState | undefined;
}

/** The chain of one task. */
export class OperatorChain {
  readonly operators: ChainedOperator[] = [];
  /** Feeds one record into the head operator (setting the key first on a keyed chain). */
  readonly input: (record: unknown) => void;
  /** Where a source's records enter: the head operator of the chain, or the writers. */
  readonly sourceOutput: Output<unknown>;

  constructor(graph: StreamGraph, context: ChainContext) {
    const { vertex } = context;
    const nodes = vertex.nodeIds.map((id) => graph.nodes[id]!);
    let next: Output<unknown> = tailOutput(context.writers, context.countOut);
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
      const keyedBackend = node.stateKeySelector ? context.createKeyedBackend(name) : undefined;
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
        processingTimeService: PENDING_TIME_SERVICE,
        currentTimestamp: () => undefined,
      });
      this.operators.unshift({ name, uid, operator, operatorStateStore, keyedBackend });
      if (keyedBackend && node.stateKeySelector) keyedHead = { backend: keyedBackend, selector: node.stateKeySelector };
      next = guardedInput(operator, name);
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
}

/** Placeholder until tasks own a processing time service (event-time issue, in progress). */
const PENDING_TIME_SERVICE: ProcessingTimeService = {
  getCurrentProcessingTime: () => Date.now(),
  registerTimer: () => {
    throw new Error('processing-time timers are not wired into tasks yet');
  },
};

/** Calls `operator.processElement`, marking errors with the operator's name. */
function guardedInput(operator: StreamOperator<unknown, unknown>, name: string): Output<unknown> {
  return {
    collect(record) {
      try {
        operator.processElement(record);
      } catch (error) {
        throw markOperator(error, name);
      }
    },
    emitWatermark() {},
  };
}

function tailOutput(writers: readonly RecordWriter[], countOut: () => void): Output<unknown> {
  if (writers.length === 0) return { collect: () => countOut(), emitWatermark() {} };
  if (writers.length === 1) {
    const w = writers[0]!;
    return {
      collect(record) {
        countOut();
        w.emit(record);
      },
      emitWatermark() {},
    };
  }
  return {
    collect(record) {
      countOut();
      for (const w of writers) w.emit(record);
    },
    emitWatermark() {},
  };
}
