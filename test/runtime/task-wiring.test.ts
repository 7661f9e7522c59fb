/**
 * The tasks of one thread, wired and driven step by step without the scheduler, so a
 * task that can never finish shows up as a bounded, deterministic failure instead of a
 * hanging job.
 */
import { describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from '../../src/api/environment.js';
import { CollectedOutputs } from '../../src/cluster/collected-outputs.js';
import { Sinks } from '../../src/connectors/sinks.js';
import { buildJobGraph } from '../../src/runtime/graph/job-graph.js';
import type { JobGraph } from '../../src/runtime/graph/job-graph.js';
import type { CheckpointBarrier } from '../../src/checkpoint/barrier/checkpoint-barrier.js';
import type { StreamTask } from '../../src/runtime/task/stream-task.js';
import { subtasksOfSlot, wireThread } from '../../src/runtime/task/task-wiring.js';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.js';

type Build = (env: StreamExecutionEnvironment) => void;

function graphOf(build: Build): ReturnType<StreamExecutionEnvironment['toStreamGraph']> {
  const env = new StreamExecutionEnvironment();
  build(env);
  return env.toStreamGraph();
}

/** Wires every task of a one-slot thread. */
function wire(build: Build, parallelism?: number) {
  const jobGraph = buildJobGraph(graphOf(build), { parallelism });
  const outputs = new CollectedOutputs();
  const collected = outputs.snapshot();
  const acks = { count: 0 };
  const { tasks } = wireThread({
    jobId: 'test-job',
    jobGraph,
    slots: 1,
    slot: 0,
    attemptNumber: 0,
    parameters: new Map(),
    dataPath: { batchSize: 4, credits: 2, pollBatch: 4, flushIntervalMs: 1_000_000 },
    buildGraph: () => graphOf(build),
    keyedBackendFactory: (options) => new HeapKeyedStateBackend(options),
    emitToCoordinator: (channel, payload) => outputs.add(channel, payload),
    send: () => {
      throw new Error('one slot: no peers');
    },
    signal: () => {},
    restore: undefined,
    checkpointing: {
      mode: 'exactly-once',
      storage: undefined,
      responder: {
        acknowledge: () => {
          acks.count++;
        },
        decline: (id, _task, reason) => {
          throw new Error(`checkpoint ${id} declined: ${String(reason)}`);
        },
      },
    },
    onEndOfInput: () => {},
  });
  return { jobGraph, tasks, collected, acks };
}

const FINAL: CheckpointBarrier = { type: 'barrier', checkpointId: 1, timestamp: 0, options: { kind: 'checkpoint', mode: 'exactly-once' } };

const live = (t: StreamTask) => t.status !== 'finished' && t.status !== 'failed' && t.status !== 'canceled';

/**
 * Opens the tasks and steps them round-robin until all finished or `maxRounds` passed,
 * playing the coordinator's part at the end: once every task waits for the final
 * checkpoint it is triggered, and once every task acknowledged it, it completes.
 */
async function drive(tasks: StreamTask[], acks: { count: number }, maxRounds = 100_000): Promise<number> {
  for (const t of tasks) await t.open();
  let rounds = 0;
  let triggered = false;
  let notified = false;
  while (rounds < maxRounds && tasks.some(live)) {
    rounds++;
    for (const t of tasks) if (live(t)) await t.step();
    if (!triggered && tasks.every((t) => t.status === 'awaiting-final-checkpoint')) {
      triggered = true;
      for (const t of tasks) t.triggerFinalCheckpoint(FINAL);
    }
    if (triggered && !notified && acks.count === tasks.length) {
      notified = true;
      for (const t of tasks) t.notifyCheckpointComplete(FINAL.checkpointId, true);
    }
  }
  for (const t of tasks) await t.cancel(); // releases anything left open
  return rounds;
}

describe('task wiring', () => {
  it('puts subtask i of every vertex into slot i mod slots', () => {
    const jobGraph: JobGraph = buildJobGraph(
      graphOf((env) => {
        env.fromSequence(1, 10).setParallelism(5).map((n) => n).setParallelism(2).sinkTo(Sinks.collect('out')).setParallelism(2);
      }),
    );
    expect(subtasksOfSlot(jobGraph, 2, 0)).toEqual([
      { vertexId: 0, subtaskIndex: 0 },
      { vertexId: 0, subtaskIndex: 2 },
      { vertexId: 0, subtaskIndex: 4 },
      { vertexId: 1, subtaskIndex: 0 },
    ]);
    expect(subtasksOfSlot(jobGraph, 2, 1)).toEqual([
      { vertexId: 0, subtaskIndex: 1 },
      { vertexId: 0, subtaskIndex: 3 },
      { vertexId: 1, subtaskIndex: 1 },
    ]);
  });

  it('runs hash and rescale fan-outs to the end, each record reaching one consumer', async () => {
    const { tasks, collected, acks } = wire((env) => {
      env.setParallelism(3);
      const s = env.fromSequence(1, 200);
      s.keyBy((n) => n % 5).map((n) => n).sinkTo(Sinks.collect('hash'));
      s.rescale().map((n) => n).setParallelism(6).sinkTo(Sinks.collect('rescale')).setParallelism(6);
    });
    expect(tasks).toHaveLength(3 + 3 + 6);
    await drive(tasks, acks);
    expect(tasks.every((t) => t.status === 'finished')).toBe(true);
    const all = Array.from({ length: 200 }, (_, i) => i + 1);
    expect((collected.get('collect:hash') as number[]).sort((a, b) => a - b)).toEqual(all);
    expect((collected.get('collect:rescale') as number[]).sort((a, b) => a - b)).toEqual(all);
  });

  it('runs every task of a keyed job to the end when driven step by step', async () => {
    const { tasks, collected, acks } = wire((env) => {
      env.setParallelism(3);
      env
        .fromSequence(1, 300)
        .keyBy((n) => n % 7)
        .reduce((a, b) => a + b)
        .sinkTo(Sinks.collect('out'));
    });
    await drive(tasks, acks);
    expect(tasks.map((t) => t.status)).toEqual(tasks.map(() => 'finished'));
    const out = collected.get('collect:out') as number[];
    expect(out).toHaveLength(300);
    // the last rolling sum of each key is the sum of its numbers
    for (let k = 0; k < 7; k++) {
      const total = Array.from({ length: 300 }, (_, i) => i + 1).filter((n) => n % 7 === k).reduce((a, b) => a + b, 0);
      expect(out).toContain(total);
    }
  });

it('finishes consumer subtasks that no producer sends data to (global into parallelism 3)', async () => {
    const { tasks, collected, acks } = wire((env) => {
      env.setParallelism(3);
      env.fromSequence(1, 30).global().map((n) => n).sinkTo(Sinks.collect('out'));
    });
    const rounds = await drive(tasks, acks, 10_000);
    expect((collected.get('collect:out') as number[]).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(tasks.filter((t) => t.status !== 'finished').map((t) => t.name)).toEqual([]);
    expect(rounds).toBeLessThan(10_000);
  });
});
