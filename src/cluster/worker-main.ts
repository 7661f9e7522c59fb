/**
 * Entry point of a worker thread: loads the job module, checks it builds the
 * coordinator's graph, starts its tasks (restoring their state), and runs them when the
 * coordinator says `start`. Checkpoint commands are routed to the tasks; task failures
 * are reported with the operator and subtask, anything else as `worker-failed`.
 */
import { parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { JobDefinitionError, toWireError } from '../core/errors.js';
import { buildJobGraph } from '../runtime/graph/job-graph.js';
import type { PeerMessage } from '../runtime/io/peer-message.js';
import { buildStreamGraph, loadJobModule } from './job-loader.js';
import type { FromWorker, ToWorker, WorkerDeployment } from './protocol.js';
import { ThreadTasks } from './thread-tasks.js';
import { createLogger } from '../core/logging/logger.js';
import type { Logger } from '../core/logging/logger.js';

if (!parentPort) throw new Error('worker-main must run in a worker thread');
const coordinator = parentPort;
const post = (message: FromWorker): void => coordinator.postMessage(message);

let threadTasks: ThreadTasks | undefined;
/** This thread's logger: its JSON lines go to the main thread, which logs them through the run's logger (after clearing the progress line). */
let logger: Logger = createLogger({ format: 'json', destination: { write: (line) => post({ type: 'log', line }) } });
let metricsTimer: NodeJS.Timeout | undefined;
/** The deployment in progress: a cancel waits for it, so no task is opened after the cancel. */
let deploying: Promise<void> = Promise.resolve();
let canceling = false;

coordinator.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'deploy':
      deploying = deploy(message.requestId, message.deployment, message.peers).catch((error: unknown) =>
        post({ type: 'worker-failed', error: toWireError(error) }),
      );
      break;
    case 'start':
      if (canceling) break;
      run().catch((error) => post({ type: 'worker-failed', error: toWireError(error) }));
      break;
    case 'cancel':
      cancel(message.requestId).catch((error: unknown) => post({ type: 'worker-failed', error: toWireError(error) }));
      break;
    case 'trigger-checkpoint':
      threadTasks?.triggerCheckpoint(message.barrier);
      break;
    case 'trigger-final-checkpoint':
      threadTasks?.triggerFinalCheckpoint(message.barrier);
      break;
    case 'checkpoint-complete':
      threadTasks?.notifyCheckpointComplete(message.checkpointId, message.isFinal);
      break;
    case 'checkpoint-aborted':
      threadTasks?.notifyCheckpointAborted(message.checkpointId);
      break;
    case 'stop-sources':
      threadTasks?.stopSources(message.drain);
      break;
  }
});

async function deploy(requestId: number, d: WorkerDeployment, peers: readonly (MessagePort | undefined)[]): Promise<void> {
  logger.level = d.logLevel;
  // the main thread's logger binds the job
  logger = logger.child({ attempt: d.attemptNumber, slot: d.slot });
  const job = await loadJobModule(d.jobModuleUrl);
  const parameters = new Map(d.parameters);
  const context = { parameters, parallelism: d.planOptions.parallelism };
  const built = buildJobGraph(buildStreamGraph(job, context), d.planOptions);
  if (built.fingerprint !== d.jobGraph.fingerprint) {
    throw new JobDefinitionError(
      `worker thread ${d.slot} built a different graph from the job module than the coordinator did; the job builder must be deterministic (no randomness, time or environment-dependent operators)`,
    );
  }
  const receivers: ((m: PeerMessage) => void)[] = [];
  for (const port of peers) port?.on('message', (m: PeerMessage) => receivers[0]?.(m));
  try {
    threadTasks = await ThreadTasks.start({
      jobId: d.jobId,
      jobGraph: d.jobGraph,
      slots: d.slots,
      slot: d.slot,
      attemptNumber: d.attemptNumber,
      parameters,
      dataPath: d.dataPath,
      checkpointMode: d.checkpointMode,
      storage: d.storage,
      restore: d.restore ? new Map(d.restore) : undefined,
      stateBackend: d.stateBackend,
      logger,
      buildGraph: () => buildStreamGraph(job, context),
      emitToCoordinator: (channel, records) => post({ type: 'collect', channel, records }),
      send: (slot, m, transfer) => peers[slot]!.postMessage(m, transfer ?? []),
      events: {
        endOfInput: (task) => post({ type: 'task-end-of-input', task }),
        finished: (metrics) => post({ type: 'task-finished', metrics }),
        failed: (metrics, error) => post({ type: 'task-failed', metrics, error: toWireError(error) }),
        acknowledge: (ack) => post({ type: 'checkpoint-ack', ack }),
        decline: (checkpointId, task, reason, failure) => post({ type: 'checkpoint-declined', checkpointId, task, reason, failure }),
      },
    });
  } catch (error) {
    post({ type: 'task-failed', metrics: { vertexId: -1, subtaskIndex: -1, recordsIn: 0, recordsOut: 0 }, error: toWireError(error) });
    return;
  }
  receivers.push(threadTasks.receive);
  metricsTimer = setInterval(() => post({ type: 'metrics', tasks: threadTasks!.metrics() }), d.metricsIntervalMs);
  metricsTimer.unref();
  post({ type: 'ready', requestId });
}

async function run(): Promise<void> {
  await threadTasks!.run();
  post({ type: 'metrics', tasks: threadTasks!.metrics() });
  if (metricsTimer) clearInterval(metricsTimer);
}

/**
 * Cancels the tasks the way the single-thread attempt does: each task closes its
 * operators and disposes its keyed backends (RocksDB instances closed, their working
 * directories deleted). Then answers and lets the coordinator end the thread.
 */
async function cancel(requestId: number): Promise<void> {
  canceling = true;
  await deploying;
  if (metricsTimer) clearInterval(metricsTimer);
  await threadTasks?.stop();
  post({ type: 'canceled', requestId });
}
