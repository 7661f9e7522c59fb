/**
 * Runs every task of a job on the calling thread, with in-thread channels only. Same
 * tasks, channels, credits and scheduler as the worker threads use, minus serialization:
 * deterministic and easy to debug, for tests and small jobs.
 */
import type { JobDefinition } from '../api/define-job.js';
import type { JobGraph } from '../runtime/graph/job-graph.js';
import { TaskScheduler } from '../runtime/task/task-scheduler.js';
import type { DataPathOptions } from '../runtime/task/task-wiring.js';
import { wireThread } from '../runtime/task/task-wiring.js';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend.js';
import { buildStreamGraph } from './job-loader.js';
import { JobMetricsBoard } from './job-metrics-board.js';
import type { JobProgress } from './job-result.js';
import { taskFailureError } from './task-failure-report.js';

/** What a single-threaded run needs. */
export interface SingleThreadRunSpec {
  readonly job: JobDefinition;
  readonly jobGraph: JobGraph;
  readonly parameters: ReadonlyMap<string, string>;
  readonly attemptNumber: number;
  readonly dataPath: DataPathOptions;
  readonly onProgress?: (progress: JobProgress) => void;
  readonly progressIntervalMs: number;
}

/** Runs one attempt on this thread. */
export async function runOnThisThread(spec: SingleThreadRunSpec): Promise<{ board: JobMetricsBoard; collected: Map<string, unknown[]> }> {
  const board = new JobMetricsBoard(spec.jobGraph);
  const collected = new Map<string, unknown[]>();
  let failure: unknown;
  const scheduler: TaskScheduler = new TaskScheduler({
    taskFinished: () => {},
    taskFailed: (task, error) => {
      failure = taskFailureError(task, error);
    },
  });
  const { tasks } = wireThread({
    jobGraph: spec.jobGraph,
    slots: 1,
    slot: 0,
    attemptNumber: spec.attemptNumber,
    parameters: spec.parameters,
    dataPath: spec.dataPath,
    buildGraph: () => buildStreamGraph(spec.job, spec.parameters),
    keyedBackendFactory: (options) => new HeapKeyedStateBackend(options),
    emitToCoordinator: (channel, records) => {
      const list = collected.get(channel) ?? [];
      for (const r of records) list.push(r);
      collected.set(channel, list);
    },
    send: () => {
      throw new Error('single-threaded run has no peers');
    },
    signal: () => scheduler.signal(),
  });
  const report = () => {
    for (const t of tasks) board.update({ vertexId: t.vertex.id, subtaskIndex: t.subtaskIndex, ...t.counters });
  };
  const started = Date.now();
  const timer = spec.onProgress
    ? setInterval(() => {
        report();
        spec.onProgress!(board.progress(Date.now() - started));
      }, spec.progressIntervalMs)
    : undefined;
  try {
    for (const task of tasks) {
      try {
        await task.open();
      } catch (error) {
        throw taskFailureError(task, error);
      }
      scheduler.add(task);
    }
    await scheduler.run();
    if (failure !== undefined) {
      await scheduler.stop();
      throw failure;
    }
  } catch (error) {
    await Promise.all(tasks.map((t) => t.cancel()));
    throw error;
  } finally {
    if (timer) clearInterval(timer);
  }
  report();
  return { board, collected };
}
