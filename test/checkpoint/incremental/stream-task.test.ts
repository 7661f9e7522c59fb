/**
 * Incremental checkpoints through real tasks: a keyed job wired as a thread would wire it,
 * over fake incremental backends, checkpointed by a real coordinator into real storage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from '../../../src/api/environment.js';
import type { IncrementalKeyedStateHandle } from '../../../src/checkpoint/checkpoint-metadata.js';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import { Sinks } from '../../../src/connectors/sinks.js';
import { buildJobGraph } from '../../../src/runtime/graph/job-graph.js';
import type { StreamTask } from '../../../src/runtime/task/stream-task.js';
import { wireThread } from '../../../src/runtime/task/task-wiring.js';
import { FakeIncrementalBackend } from '../../support/fake-incremental-backend.js';
import { newStorage } from '../storage/support.js';
import { newCoordinator } from './support.js';
import { waitUntil } from '../../support/wait-until.js';

const backends: FakeIncrementalBackend[] = [];

afterEach(() => {
  for (const b of backends.splice(0)) b.dispose();
});

function graph() {
  const env = new StreamExecutionEnvironment();
  env.setParallelism(2);
  env.fromSequence(1, 1_000_000_000).keyBy((n) => n % 7).map((n) => n).uid('count').sinkTo(Sinks.collect('out'));
  return env.toStreamGraph();
}

/**
 * Steps every task round-robin, letting I/O (the storage's file writes) run in between,
 * until `done`; fails at a deadline, never after a number of rounds (how many rounds the
 * writes take depends on the machine's load).
 */
async function driveUntil(tasks: readonly StreamTask[], done: () => boolean, what: string): Promise<void> {
  await waitUntil(done, {
    what,
    pollMs: 0,
    step: async () => {
      for (const t of tasks) await t.step();
    },
  });
}

describe('incremental checkpoints of running tasks', () => {
  it('stores the keyed backends\' files through the checkpoint file store, and tells the backends of completed and aborted checkpoints', async () => {
    const storage: FileSystemCheckpointStorage = await newStorage();
    const jobGraph = buildJobGraph(graph(), {});
    let tasks: StreamTask[] = [];
    const job = newCoordinator(storage, {
      tasks: jobGraph.vertices.flatMap((v) => Array.from({ length: v.parallelism }, (_, subtaskIndex) => ({ vertexId: v.id, subtaskIndex }))),
      gateway: {
        triggerCheckpoint: (b) => {
          for (const t of tasks) if (t.vertex.isSource) t.triggerCheckpoint(b);
        },
        notifyCheckpointComplete: (id, isFinal) => {
          for (const t of tasks) t.notifyCheckpointComplete(id, isFinal);
        },
        notifyCheckpointAborted: (id) => {
          for (const t of tasks) t.notifyCheckpointAborted(id);
        },
      },
    });
    tasks = wireThread({
      jobId: storage.config.jobId,
      jobGraph,
      slots: 1,
      slot: 0,
      attemptNumber: 0,
      parameters: new Map(),
      dataPath: { batchSize: 4, credits: 2, pollBatch: 4, flushIntervalMs: 1_000_000 },
      buildGraph: graph,
      keyedBackendFactory: (options) => {
        const backend = FakeIncrementalBackend.createSync(options);
        backends.push(backend);
        return backend;
      },
      emitToCoordinator: () => {},
      send: () => {
        throw new Error('one slot: no peers');
      },
      signal: () => {},
      restore: undefined,
      checkpointing: { mode: 'exactly-once', storage, responder: job.responder },
      onEndOfInput: () => {},
    }).tasks;
    for (const t of tasks) await t.open();
    try {
      expect(backends).toHaveLength(2);
      for (const b of backends) await b.flush(100);

      const first = job.coordinator.triggerCheckpoint()!;
      await driveUntil(tasks, () => job.completed.length === 1 && backends.every((b) => b.completedNotices.includes(first)), `checkpoint ${first} completed and every backend was told`);

      const metadata = await FileSystemCheckpointStorage.readCheckpoint(storage.checkpointDirectory(first));
      const keyed = metadata.operators.find((op) => op.uid === 'count')!.subtasks.map((s) => s.keyed as IncrementalKeyedStateHandle);
      expect(keyed.map((k) => [k.type, k.keyGroupRange, k.sharedFiles.length])).toEqual([
        ['incremental', [0, 63], 1],
        ['incremental', [64, 127], 1],
      ]);
      expect(backends.map((b) => b.snapshotCalls[0]!.options?.files !== undefined)).toEqual([true, true]);

      const second = job.coordinator.triggerCheckpoint()!;
      job.coordinator.receiveDecline(second, { vertexId: 0, subtaskIndex: 0 }, 'test');
      await driveUntil(tasks, () => backends.every((b) => b.abortedNotices.includes(second)), `every backend was told checkpoint ${second} was aborted`);
    } finally {
      for (const t of tasks) await t.cancel();
      job.coordinator.shutdown();
    }
  });
});
