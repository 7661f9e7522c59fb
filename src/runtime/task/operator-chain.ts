/**
 * The operators of one task, connected by direct calls: operator k's output is operator
 * k+1's `processElement`, and the last operator's output fans out to the task's record
 * writers. The head of a keyed chain sets the current key before each record.
 */
import type { Key } from '../../core/key-encoding.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import { OperatorStateStore } from '../../state/operator/operator-state-store.js';
import type { JobVertex } from '../graph/job-graph.js';
import type { StreamGraph } from '../graph/stream-graph.js';
import type { RecordWriter } from '../io/record-writer.js';
import type { OperatorInfo, Output, StreamOperator } from '../operators/stream-operator.js';
import { markOperator } from './task-failure.js';

/** One operator of the chain with what the task needs to drive it. */
export interface ChainedOperator {
  readonly name: string;
  readonly operator: StreamOperator<unknown, unknown>;
  readonly operatorStateStore: OperatorStateStore;
  readonly keyedBackend: KeyedStateBackend | undefined;
}

/** What the chain needs from its task. */
export interface ChainContext {
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  readonly attemptNumber: number;
  readonly parameters: ReadonlyMap<string, string>;
  readonly writers: readonly RecordWriter[];
  readonly createKeyedBackend: (operatorName: string) => KeyedStateBackend;
  readonly emitToCoordinator: (channel: string, records: unknown[]) => void;
  /** Counts records leaving the chain. */
  readonly countOut: () => void;
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
      const info: OperatorInfo = {
        operatorName: name,
        uid: node.uid ?? `${node.id}`,
        taskName: vertex.name,
        subtaskIndex: context.subtaskIndex,
        parallelism: vertex.parallelism,
        maxParallelism: vertex.maxParallelism,
        attemptNumber: context.attemptNumber,
        parameters: context.parameters,
      };
      const keyedBackend = node.stateKeySelector ? context.createKeyedBackend(name) : undefined;
      const operatorStateStore = new OperatorStateStore({
        operator: name,
        subtaskIndex: context.subtaskIndex,
        parallelism: vertex.parallelism,
      });
      const operator = node.operatorFactory!();
      operator.setup({ info, output: next, keyedBackend, operatorStateStore, emitToCoordinator: context.emitToCoordinator });
      this.operators.unshift({ name, operator, operatorStateStore, keyedBackend });
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
  };
}

function tailOutput(writers: readonly RecordWriter[], countOut: () => void): Output<unknown> {
  if (writers.length === 0) return { collect: () => countOut() };
  if (writers.length === 1) {
    const w = writers[0]!;
    return {
      collect(record) {
        countOut();
        w.emit(record);
      },
    };
  }
  return {
    collect(record) {
      countOut();
      for (const w of writers) w.emit(record);
    },
  };
}
