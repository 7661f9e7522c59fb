/**
 * Messages between the coordinator (main thread) and its worker threads. Every message
 * has a `type`; the worker answers `deploy` with `ready`, runs after `start`, and reports
 * each task's end.
 */
import type { MessagePort } from 'node:worker_threads';
import type { WireError } from '../core/errors.js';
import type { JobGraph, PlanOptions } from '../runtime/graph/job-graph.js';
import type { DataPathOptions } from '../runtime/task/task-wiring.js';

/** Everything a worker needs to build and wire its tasks. */
export interface WorkerDeployment {
  readonly jobModuleUrl: string;
  readonly parameters: readonly (readonly [string, string])[];
  readonly planOptions: PlanOptions;
  readonly jobGraph: JobGraph;
  readonly slots: number;
  readonly slot: number;
  readonly attemptNumber: number;
  readonly dataPath: DataPathOptions;
  /** How often (ms) to report counters. */
  readonly metricsIntervalMs: number;
}

/** Coordinator → worker. */
export type ToWorker =
  | { readonly type: 'deploy'; readonly deployment: WorkerDeployment; readonly peers: readonly (MessagePort | undefined)[] }
  | { readonly type: 'start' }
  | { readonly type: 'cancel' };

/** Counters of one task. */
export interface TaskMetrics {
  readonly vertexId: number;
  readonly subtaskIndex: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

/** Worker → coordinator. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'task-finished'; readonly metrics: TaskMetrics }
  | { readonly type: 'task-failed'; readonly metrics: TaskMetrics; readonly error: WireError }
  | { readonly type: 'collect'; readonly channel: string; readonly records: unknown[] }
  | { readonly type: 'metrics'; readonly tasks: readonly TaskMetrics[] }
  | { readonly type: 'worker-failed'; readonly error: WireError }
  | { readonly type: 'canceled' };
