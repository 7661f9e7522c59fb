/**
 * Builds the tasks of one thread and connects their channels: a channel whose two ends
 * live in this thread passes record arrays by reference; one that crosses threads sends
 * encoded batches and credits over the threads' MessagePort. Subtask i of every vertex
 * runs in slot i mod slots.
 */
import type { Logger } from '../../core/logging/logger.js';
import { keyGroupRangeForOperator } from '../../core/key-groups.js';
import { keyedBackendInstanceName } from '../../state/keyed-backend-instance-name.js';
import type { KeyedStateBackendFactory } from '../../state/keyed-state-backend.js';
import type { JobGraph } from '../graph/job-graph.js';
import type { StreamGraph } from '../graph/stream-graph.js';
import { channelKey } from '../io/channel-event.js';
import { ChannelWriter } from '../io/channel-writer.js';
import type { ChannelTransport } from '../io/channel-writer.js';
import { InputGate } from '../io/input-gate.js';
import type { InputChannel } from '../io/input-gate.js';
import type { PeerMessage, PeerSender } from '../io/peer-message.js';
import { decodeTimestamps, encodeBatch, encodeTimestamps } from '../io/record-codec.js';
import { RecordWriter, connectedConsumers } from '../io/record-writer.js';
import type { Clock } from '../time/processing-time-service.js';
import { StreamTask } from './stream-task.js';
import type { TaskCheckpointing } from './stream-task.js';
import type { TaskRestoreState } from '../../checkpoint/restore/task-restore-state.js';

/** Tuning of the data path. */
export interface DataPathOptions {
  /** Records per buffer. @default 512 */
  readonly batchSize: number;
  /** Buffers a consumer grants each channel up front. @default 4 */
  readonly credits: number;
  /** Records per source poll. @default 512 */
  readonly pollBatch: number;
  /** Longest wait (ms) of a partial buffer. @default 50 */
  readonly flushIntervalMs: number;
  /**
   * Where the tasks' processing time comes from (`RunOptions.clock`). Only single-thread
   * runs set it: a clock cannot be sent to a worker thread. @default SYSTEM_CLOCK
   */
  readonly clock?: Clock | undefined;
}

/** What one thread runs. */
export interface ThreadAssignment {
  readonly jobId: string;
  readonly jobGraph: JobGraph;
  readonly slots: number;
  /** This thread's slot. */
  readonly slot: number;
  readonly attemptNumber: number;
  readonly parameters: ReadonlyMap<string, string>;
  readonly dataPath: DataPathOptions;
  /** Builds a fresh stream graph (fresh user function instances) for one task. */
  readonly buildGraph: () => StreamGraph;
  readonly keyedBackendFactory: KeyedStateBackendFactory;
  readonly emitToCoordinator: (channel: string, records: unknown[]) => void;
  /** Sends to other threads; unused when `slots` is 1. */
  readonly send: PeerSender;
  /** Wakes this thread's scheduler. */
  readonly signal: () => void;
  /** State to restore, by `${vertexId}:${subtaskIndex}`; absent for a fresh start. */
  readonly restore: ReadonlyMap<string, TaskRestoreState> | undefined;
  readonly checkpointing: TaskCheckpointing;
  /** A task has ended its input and waits for the final checkpoint. */
  readonly onEndOfInput: (task: StreamTask) => void;
  /** This thread's logger (job and attempt bound); each task adds its own fields. */
  readonly logger?: Logger | undefined;
}

/** The tasks of one thread and the handler for messages from other threads. */
export interface WiredThread {
  readonly tasks: StreamTask[];
  readonly receive: (message: PeerMessage) => void;
}

/** Subtasks of every vertex that run in `slot`. */
export function subtasksOfSlot(jobGraph: JobGraph, slots: number, slot: number): { vertexId: number; subtaskIndex: number }[] {
  const out: { vertexId: number; subtaskIndex: number }[] = [];
  for (const v of jobGraph.vertices) {
    for (let i = slot; i < v.parallelism; i += slots) out.push({ vertexId: v.id, subtaskIndex: i });
  }
  return out;
}

/** Creates this thread's tasks with all their channels. */
export function wireThread(a: ThreadAssignment): WiredThread {
  const { jobGraph, slots, slot, dataPath } = a;
  const slotOf = (subtask: number) => subtask % slots;
  const inputs = new Map<string, InputChannel>();
  const writers = new Map<string, ChannelWriter>();
  const mine = subtasksOfSlot(jobGraph, slots, slot);

  // consumer ends first, so producers in this thread can find them
  const gates = new Map<string, InputGate>();
  for (const { vertexId, subtaskIndex: to } of mine) {
    const vertex = jobGraph.vertices[vertexId]!;
    if (vertex.isSource) continue;
    const gate = new InputGate(a.signal);
    for (const edgeId of vertex.inputEdgeIds) {
      const edge = jobGraph.edges[edgeId]!;
      const producer = jobGraph.vertices[edge.sourceVertexId]!;
      for (let from = 0; from < producer.parallelism; from++) {
        if (!connectedConsumers(edge.partitioner, from, producer.parallelism, vertex.parallelism).includes(to)) continue;
        const key = channelKey(edgeId, from, to);
        const returnCredits =
          slotOf(from) === slot
            ? (n: number) => writers.get(key)!.grantCredits(n)
            : (n: number) => a.send(slotOf(from), { type: 'credit', edge: edgeId, from, to, credits: n });
        inputs.set(key, gate.addChannel(edgeId, from, returnCredits));
      }
    }
    gates.set(`${vertexId}:${to}`, gate);
  }

  const tasks: StreamTask[] = [];
  for (const { vertexId, subtaskIndex: from } of mine) {
    const vertex = jobGraph.vertices[vertexId]!;
    const graph = a.buildGraph();
    const recordWriters = vertex.outputEdgeIds.map((edgeId) => {
      const edge = jobGraph.edges[edgeId]!;
      const consumer = jobGraph.vertices[edge.targetVertexId]!;
      const targets = connectedConsumers(edge.partitioner, from, vertex.parallelism, consumer.parallelism);
      const channelWriters = targets.map((to) => {
        const key = channelKey(edgeId, from, to);
        const transport: ChannelTransport =
          slotOf(to) === slot ? localTransport(inputs, key) : remoteTransport(a.send, slotOf(to), edgeId, from, to);
        const writer = new ChannelWriter(transport, dataPath.credits, dataPath.batchSize, a.signal);
        writers.set(key, writer);
        return writer;
      });
      const targetNode = graph.nodes[edge.targetNodeId]!;
      const inEdge = targetNode.inputs.find((e) => e.sourceNodeId === edge.sourceNodeId && e.outputTag === edge.outputTag);
      return new RecordWriter(edge.partitioner, channelWriters, from, consumer.parallelism, consumer.maxParallelism, inEdge?.keySelector, edge.outputTag);
    });
    const range = keyGroupRangeForOperator(vertex.maxParallelism, vertex.parallelism, from);
    tasks.push(
      new StreamTask({
        jobId: a.jobId,
        vertex,
        subtaskIndex: from,
        attemptNumber: a.attemptNumber,
        parameters: a.parameters,
        graph,
        inputGate: gates.get(`${vertexId}:${from}`),
        writers: recordWriters,
        // the chain passes the uid (ChainContext); StreamTaskSpec still declares the name only
        createKeyedBackend: (operatorName: string, operatorUid: string = operatorName) =>
          a.keyedBackendFactory({
            maxParallelism: vertex.maxParallelism,
            keyGroupRange: range,
            owner: `operator '${operatorName}' (subtask ${from + 1}/${vertex.parallelism})`,
            instanceName: keyedBackendInstanceName(operatorUid, from, a.attemptNumber),
          }),
        emitToCoordinator: a.emitToCoordinator,
        restore: a.restore?.get(`${vertexId}:${from}`),
        checkpointing: a.checkpointing,
        onEndOfInput: a.onEndOfInput,
        signal: a.signal,
        pollBatch: dataPath.pollBatch,
        flushIntervalMs: dataPath.flushIntervalMs,
        clock: dataPath.clock,
        logger: a.logger?.child({ task: vertex.name, subtask: from }),
      }),
    );
  }

  const receive = (m: PeerMessage): void => {
    const key = channelKey(m.edge, m.from, m.to);
    switch (m.type) {
      case 'data':
        inputs.get(key)!.push({
          kind: 'encoded',
          bytes: new Uint8Array(m.bytes),
          timestamps: m.timestamps ? decodeTimestamps(m.timestamps) : undefined,
        });
        break;
      case 'event':
        inputs.get(key)!.push({ kind: 'event', event: m.event });
        break;
      case 'credit':
        writers.get(key)!.grantCredits(m.credits);
        break;
    }
  };
  return { tasks, receive };
}

function localTransport(inputs: Map<string, InputChannel>, key: string): ChannelTransport {
  let channel: InputChannel | undefined;
  const target = () => (channel ??= inputs.get(key)!);
  return {
    sendRecords: (records, timestamps) => target().push({ kind: 'records', records, timestamps }),
    sendEvent: (event) => target().push({ kind: 'event', event }),
  };
}

function remoteTransport(send: PeerSender, slot: number, edge: number, from: number, to: number): ChannelTransport {
  return {
    sendRecords(records, timestamps) {
      const bytes = encodeBatch(records);
      if (timestamps === undefined) {
        send(slot, { type: 'data', edge, from, to, bytes }, [bytes]);
      } else {
        const encoded = encodeTimestamps(timestamps);
        send(slot, { type: 'data', edge, from, to, bytes, timestamps: encoded }, [bytes, encoded]);
      }
    },
    sendEvent(event) {
      send(slot, { type: 'event', edge, from, to, event });
    },
  };
}
