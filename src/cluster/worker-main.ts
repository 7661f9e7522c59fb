/**
 * Entry point of a worker thread: loads the job module, checks it builds the
 * coordinator's graph, starts its tasks (restoring their state), and runs them when the
 * coordinator says `start`. Checkpoint commands are routed to the tasks; task failures
 * are reported with the operator and subtask, anything else as `worker-failed`.
 *
 * A thread serves one deployment at a time and may serve many, one after another: after
 * `cancel` it forgets the deployment (its tasks closed, its peer ports closed) and tells
 * the coordinator whether the attempt left anything running, so the {@link WorkerPool}
 * can hand it to the next attempt or job without starting a thread, TypeScript loader
 * and engine again.
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

/** The thread's logger: its JSON lines go to the main thread, which logs them through the run's logger (after clearing the progress line). */
const threadLogger: Logger = createLogger({ format: 'json', destination: { write: (line) => post({ type: 'log', line }) } });

/** One deployment: what the thread runs between a `deploy` and its `cancel`. */
interface Deployment {
  threadTasks: ThreadTasks | undefined;
  metricsTimer: NodeJS.Timeout | undefined;
  /** Resolves when the deployment has started its tasks (or failed to): a cancel waits for it, so no task is opened after the cancel. */
  deploying: Promise<void>;
  canceling: boolean;
  readonly peers: readonly (MessagePort | undefined)[];
}

let current: Deployment | undefined;

coordinator.on('message', (message: ToWorker) => {
  const d = current;
  switch (message.type) {
    case 'deploy': {
      const next: Deployment = { threadTasks: undefined, metricsTimer: undefined, deploying: Promise.resolve(), canceling: false, peers: message.peers };
      current = next;
      next.deploying = deploy(next, message.requestId, message.deployment).catch((error: unknown) =>
        post({ type: 'worker-failed', error: toWireError(error) }),
      );
      break;
    }
    case 'start':
      if (!d || d.canceling) break;
      run(d).catch((error) => post({ type: 'worker-failed', error: toWireError(error) }));
      break;
    case 'cancel':
      cancel(d, message.requestId).catch((error: unknown) => post({ type: 'worker-failed', error: toWireError(error) }));
      break;
    case 'trigger-checkpoint':
      d?.threadTasks?.triggerCheckpoint(message.barrier);
      break;
    case 'trigger-final-checkpoint':
      d?.threadTasks?.triggerFinalCheckpoint(message.barrier);
      break;
    case 'checkpoint-complete':
      d?.threadTasks?.notifyCheckpointComplete(message.checkpointId, message.isFinal);
      break;
    case 'checkpoint-aborted':
      d?.threadTasks?.notifyCheckpointAborted(message.checkpointId);
      break;
    case 'stop-sources':
      d?.threadTasks?.stopSources(message.drain);
      break;
  }
});

async function deploy(deployment: Deployment, requestId: number, d: WorkerDeployment): Promise<void> {
  threadLogger.level = d.logLevel;
  // the main thread's logger binds the job
  const logger = threadLogger.child({ attempt: d.attemptNumber, slot: d.slot });
  const job = await loadJobModule(d.jobModuleUrl);
  const parameters = new Map(d.parameters);
  const context = { parameters, parallelism: d.planOptions.parallelism };
  const built = buildJobGraph(buildStreamGraph(job, context), d.planOptions);
  if (built.fingerprint !== d.jobGraph.fingerprint) {
    throw new JobDefinitionError(
      `worker thread ${d.slot} built a different graph from the job module than the coordinator did; the job builder must be deterministic (no randomness, time or environment-dependent operators)`,
    );
  }
  const peers = deployment.peers;
  const receivers: ((m: PeerMessage) => void)[] = [];
  for (const port of peers) port?.on('message', (m: PeerMessage) => receivers[0]?.(m));
  let threadTasks: ThreadTasks;
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
  deployment.threadTasks = threadTasks;
  receivers.push(threadTasks.receive);
  deployment.metricsTimer = setInterval(() => post({ type: 'metrics', tasks: threadTasks.metrics() }), d.metricsIntervalMs);
  deployment.metricsTimer.unref();
  post({ type: 'ready', requestId });
}

async function run(deployment: Deployment): Promise<void> {
  const threadTasks = deployment.threadTasks;
  if (!threadTasks) return; // the deployment failed and said so
  await threadTasks.run();
  post({ type: 'metrics', tasks: threadTasks.metrics() });
  clearInterval(deployment.metricsTimer);
}

/**
 * Cancels the tasks the way the single-thread attempt does: each task closes its
 * operators and disposes its keyed backends (RocksDB instances closed, their working
 * directories deleted). Then closes the peer ports, forgets the deployment and answers,
 * saying whether the thread may serve another one.
 */
async function cancel(deployment: Deployment | undefined, requestId: number): Promise<void> {
  if (deployment) {
    deployment.canceling = true;
    await deployment.deploying;
    clearInterval(deployment.metricsTimer);
    await deployment.threadTasks?.stop();
    for (const port of deployment.peers) port?.close();
    if (current === deployment) current = undefined;
  }
  post({ type: 'canceled', requestId, reusable: await leftNothingRunning() });
}

/**
 * Whether the thread is idle but for its port to the coordinator: a timer, socket, child
 * process or file operation that user code started and did not end would otherwise run
 * on in the next deployment. Closed ports and finished file operations leave the list a
 * turn of the event loop later, so it is read after one.
 */
async function leftNothingRunning(): Promise<boolean> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().every((resource) => resource === 'MessagePort');
}
