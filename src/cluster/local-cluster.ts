/**
 * The embedded local cluster: the coordinator in the calling thread and `slots` worker
 * threads. The coordinator plans the job, gives every worker a MessagePort to every
 * other worker, deploys, starts once all are ready, gathers counters and collected
 * records, and ends the job when every task has finished or one has failed.
 */
import { Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { MessageChannel } from 'node:worker_threads';
import { JobFailedError, fromWireError } from '../core/errors.js';
import type { JobGraph, PlanOptions } from '../runtime/graph/job-graph.js';
import type { DataPathOptions } from '../runtime/task/task-wiring.js';
import { subtasksOfSlot } from '../runtime/task/task-wiring.js';
import { JobMetricsBoard } from './job-metrics-board.js';
import type { JobProgress } from './job-result.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** What the local cluster needs to run one attempt of a job. */
export interface ClusterRunSpec {
  readonly jobModuleUrl: string;
  readonly jobGraph: JobGraph;
  readonly planOptions: PlanOptions;
  readonly parameters: ReadonlyMap<string, string>;
  readonly slots: number;
  readonly attemptNumber: number;
  readonly dataPath: DataPathOptions;
  readonly onProgress?: (progress: JobProgress) => void;
  readonly progressIntervalMs: number;
}

/** Runs one attempt on worker threads; resolves with the metrics board when every task finished. */
export async function runOnWorkerThreads(spec: ClusterRunSpec): Promise<{ board: JobMetricsBoard; collected: Map<string, unknown[]> }> {
  const maxP = Math.max(...spec.jobGraph.vertices.map((v) => v.parallelism));
  const slots = Math.max(1, Math.min(spec.slots, maxP));
  const board = new JobMetricsBoard(spec.jobGraph);
  const collected = new Map<string, unknown[]>();
  const workerUrl = new URL('./worker-main.js', import.meta.url);
  const workers: Worker[] = [];
  const ports: (MessagePort | undefined)[][] = Array.from({ length: slots }, () => new Array<MessagePort | undefined>(slots));
  for (let i = 0; i < slots; i++) {
    for (let j = i + 1; j < slots; j++) {
      const { port1, port2 } = new MessageChannel();
      ports[i]![j] = port1;
      ports[j]![i] = port2;
    }
  }

  const started = Date.now();
  let progressTimer: NodeJS.Timeout | undefined;
  try {
    return await new Promise((resolve, reject) => {
      let ready = 0;
      let settled = false;
      const expected = spec.jobGraph.vertices.reduce((n, v) => n + v.parallelism, 0);
      let finished = 0;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      for (let slot = 0; slot < slots; slot++) {
        const worker = new Worker(workerUrl, { stderr: false, stdout: false });
        workers.push(worker);
        worker.on('error', (error) => fail(new JobFailedError(`worker thread ${slot} crashed: ${error.message}`, { cause: error })));
        worker.on('exit', (code) => {
          if (!settled) fail(new JobFailedError(`worker thread ${slot} exited unexpectedly (code ${code})`));
        });
        worker.on('message', (m: FromWorker) => {
          switch (m.type) {
            case 'ready':
              if (++ready === slots) for (const w of workers) w.postMessage({ type: 'start' } satisfies ToWorker);
              break;
            case 'metrics':
              for (const t of m.tasks) board.update(t);
              break;
            case 'collect': {
              const list = collected.get(m.channel) ?? [];
              for (const r of m.records) list.push(r);
              collected.set(m.channel, list);
              break;
            }
            case 'task-finished':
              board.update(m.metrics);
              if (++finished === expected && !settled) {
                settled = true;
                resolve({ board, collected });
              }
              break;
            case 'task-failed':
              board.update(m.metrics);
              fail(fromWireError(m.error));
              break;
            case 'worker-failed':
              fail(fromWireError(m.error));
              break;
            case 'canceled':
              break;
          }
        });
        const peers = ports[slot]!;
        worker.postMessage(
          {
            type: 'deploy',
            deployment: {
              jobModuleUrl: spec.jobModuleUrl,
              parameters: [...spec.parameters],
              planOptions: spec.planOptions,
              jobGraph: spec.jobGraph,
              slots,
              slot,
              attemptNumber: spec.attemptNumber,
              dataPath: spec.dataPath,
              metricsIntervalMs: spec.progressIntervalMs,
            },
            peers,
          } satisfies ToWorker,
          peers.filter((p): p is MessagePort => p !== undefined),
        );
        if (subtasksOfSlot(spec.jobGraph, slots, slot).length === 0) ready++; // cannot happen with slots <= max parallelism
      }
      if (spec.onProgress) {
        const onProgress = spec.onProgress;
        progressTimer = setInterval(() => onProgress(board.progress(Date.now() - started)), spec.progressIntervalMs);
        progressTimer.unref();
      }
    });
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
