/**
 * The producer side of one job edge for one subtask: a partitioner picks the channel(s)
 * of each record, and each channel has its own {@link ChannelWriter}.
 */
import { keyHash } from '../../core/key-encoding.js';
import type { Key } from '../../core/key-encoding.js';
import type { PartitionerKind } from '../graph/stream-graph.js';
import type { ChannelEvent } from './channel-event.js';
import type { ChannelWriter } from './channel-writer.js';

/**
 * Which consumer subtasks a producer subtask is connected to on an edge. A `global` edge
 * connects every consumer (records go to the first one only), so that end-of-partition
 * reaches the others and they finish.
 */
export function connectedConsumers(
  partitioner: PartitionerKind,
  producerSubtask: number,
  producerParallelism: number,
  consumerParallelism: number,
): number[] {
  switch (partitioner) {
    case 'forward':
      return [producerSubtask];
    case 'rescale': {
      const all = range(consumerParallelism);
      if (producerParallelism >= consumerParallelism) {
        return [Math.floor((producerSubtask * consumerParallelism) / producerParallelism)];
      }
      return all.filter((c) => Math.floor((c * producerParallelism) / consumerParallelism) === producerSubtask);
    }
    default:
      return range(consumerParallelism);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Routes each record of one subtask on one edge to its channel(s). */
export class RecordWriter {
  private next = 0;
  private readonly emitOne: (record: unknown, timestamp: number | undefined) => void;

  /**
   * @param writers one per connected consumer, in the order of {@link connectedConsumers}
   * @param keySelector for `hash` edges
   */
  constructor(
    partitioner: PartitionerKind,
    readonly writers: readonly ChannelWriter[],
    producerSubtask: number,
    consumerParallelism: number,
    consumerMaxParallelism: number,
    keySelector: ((record: unknown) => Key) | undefined,
    /** The side output this writer carries (its tag id); undefined for the main output. */
    readonly outputTag?: string,
  ) {
    const n = writers.length;
    this.next = producerSubtask % n;
    switch (partitioner) {
      case 'hash': {
        if (!keySelector) throw new Error('hash partitioner without key selector');
        this.emitOne = (record, timestamp) => {
          const keyGroup = keyHash(keySelector(record)) % consumerMaxParallelism;
          writers[Math.floor((keyGroup * consumerParallelism) / consumerMaxParallelism)]!.write(record, timestamp);
        };
        break;
      }
      case 'broadcast':
        this.emitOne = (record, timestamp) => {
          for (let i = 0; i < n; i++) writers[i]!.write(record, timestamp);
        };
        break;
      case 'rebalance':
      case 'rescale':
        this.emitOne = (record, timestamp) => {
          writers[this.next]!.write(record, timestamp);
          this.next = this.next + 1 === n ? 0 : this.next + 1;
        };
        break;
      default:
        this.emitOne = (record, timestamp) => writers[0]!.write(record, timestamp);
    }
  }

  /** Sends `record` (with its timestamp, if it has one) to its channel(s). */
  emit(record: unknown, timestamp?: number): void {
    this.emitOne(record, timestamp);
  }

  /** Sends an event on every channel of the edge. */
  broadcastEvent(event: ChannelEvent): void {
    for (const w of this.writers) w.writeEvent(event);
  }

  flush(): void {
    for (const w of this.writers) w.flush();
  }

  get isAvailable(): boolean {
    for (const w of this.writers) if (!w.isAvailable) return false;
    return true;
  }
}
