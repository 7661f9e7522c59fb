/**
 * Entry point of a worker thread: loads the job module, builds and wires its tasks, and
 * runs them when the coordinator says `start`. Task failures are reported with the
 * operator and subtask; anything else that breaks the worker is reported as
 * `worker-failed`.
 */
import { parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { JobDefinitionError, toWireError } from '../core/errors.js';
import { buildJobGraph } from '../runtime/graph/job-graph.js';
import type { PeerMessage } from '../runtime/io/peer-message.js';
import { TaskScheduler } from '../runtime/task/task-scheduler.js';
import type { StreamTask } from '../runtime/task/stream-task.js';
import { wireThread } from '../runtime/task/task-wiring.js';
import { HeapKeyedStateBackend } from '../state/heap/heap-keyed-state-backend.js';
import { buildStreamGraph, loadJobModule } from './job-loader.js';
import type { FromWorker, TaskMetrics, ToWorker, WorkerDeployment } from './protocol.js';
import { taskFailureError } from './task-failure-report.js';

if (!parentPort) throw new Error('worker-main must run in a worker thread');
const coordinator = parentPort;
const post = (message: FromWorker): void => coordinator.postMessage(message);

let scheduler: TaskScheduler | undefined;
let tasks: StreamTask[] = [];
let metricsTimer: NodeJS.Timeout | undefined;

const metricsOf = (t: StreamTask): TaskMetrics => ({
  vertexId: t.vertex.id,
  subtaskIndex: t.subtaskIndex,
  recordsIn: t.counters.recordsIn,
  recordsOut: t.counters.recordsOut,
});

coordinator.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'deploy':
      deploy(message.deployment, message.peers).catch((error) => post({ type: 'worker-failed', error: toWireError(error) }));
      break;
    case 'start':
      run().catch((error) => post({ type: 'worker-failed', error: toWireError(error) }));
      break;
    case 'cancel':
      void cancel();
      break;
  }
});

async function deploy(d: WorkerDeployment, peers: readonly (MessagePort | undefined)[]): Promise<void> {
  const job = await loadJobModule(d.jobModuleUrl);
  const parameters = new Map(d.parameters);
  const built = buildJobGraph(buildStreamGraph(job, parameters), d.planOptions);
  if (built.fingerprint !== d.jobGraph.fingerprint) {
    throw new JobDefinitionError(
      `worker thread ${d.slot} built a different graph from the job module than the coordinator did; the job builder must be deterministic (no randomness, time or environment-dependent operators)`,
    );
  }
  scheduler = new TaskScheduler({
    taskFinished: (task) => post({ type: 'task-finished', metrics: metricsOf(task) }),
    taskFailed: (task, error) => {
      post({ type: 'task-failed', metrics: metricsOf(task), error: toWireError(taskFailureError(task, error)) });
    },
  });
  const signal = scheduler.signal;
  const wired = wireThread({
    jobGraph: d.jobGraph,
    slots: d.slots,
    slot: d.slot,
    attemptNumber: d.attemptNumber,
    parameters,
    dataPath: d.dataPath,
    buildGraph: () => buildStreamGraph(job, parameters),
    keyedBackendFactory: (options) => new HeapKeyedStateBackend(options),
    emitToCoordinator: (channel, records) => post({ type: 'collect', channel, records }),
    send: (slot, m, transfer) => peers[slot]!.postMessage(m, transfer ?? []),
    signal,
  });
  tasks = wired.tasks;
  for (const port of peers) port?.on('message', (m: PeerMessage) => wired.receive(m));
  for (const task of tasks) {
    try {
      await task.open();
    } catch (error) {
      post({ type: 'task-failed', metrics: metricsOf(task), error: toWireError(taskFailureError(task, error)) });
      return;
    }
    scheduler.add(task);
  }
  post({ type: 'ready' });
}

async function run(): Promise<void> {
  metricsTimer = setInterval(() => post({ type: 'metrics', tasks: tasks.map(metricsOf) }), 1000);
  metricsTimer.unref();
  await scheduler!.run();
  clearInterval(metricsTimer);
}

async function cancel(): Promise<void> {
  if (metricsTimer) clearInterval(metricsTimer);
  await scheduler?.stop();
  post({ type: 'canceled' });
}
