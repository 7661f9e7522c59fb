/**
 * Runs an attempt on the embedded local cluster: `slots` worker threads, one
 * MessagePort between every pair of them, and the coordinator's messages to each.
 * A worker that crashes or exits fails the attempt like a failing task. The threads come
 * from the process's {@link WorkerPool}. Cancel is graceful: each worker cancels its tasks
 * as the single-thread attempt does and goes back to the pool (or ends, if the attempt
 * left something running in it), and a watchdog terminates a worker that does not finish
 * in time.
 */
import { relayLogLine } from '../core/logging/logger.js';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { JobFailedError, fromWireError } from '../core/errors.js';
import type { PlanOptions } from '../runtime/graph/job-graph.js';
import type { CheckpointBarrier } from '../checkpoint/barrier/checkpoint-barrier.js';
import type { AttemptEvents, AttemptSpec, RunningAttempt } from './attempt.js';
import type { FromWorker, ToWorker, WorkerDeployment } from './protocol.js';
import { removeAbandonedStateBackendFiles } from '../state/state-backend-factory.js';
import { WorkerConnection } from './worker-connection.js';
import { localWorkerPool } from './worker-pool.js';
import type { WorkerPool } from './worker-pool.js';

/** What the worker-thread attempt needs besides the common spec. */
export interface WorkerThreadsAttemptSpec extends AttemptSpec {
  readonly jobModuleUrl: string;
  readonly planOptions: PlanOptions;
  readonly slots: number;
  /**
   * How long (ms) a worker may take to cancel its tasks before the watchdog terminates
   * it. @default {@link DEFAULT_CANCEL_TIMEOUT_MS}
   */
  readonly cancelTimeoutMs?: number;
  /** Told when the watchdog had to terminate a worker. @default process.emitWarning */
  readonly onWarning?: (message: string) => void;
  /** Where the threads come from and go back to. @default {@link localWorkerPool} */
  readonly pool?: WorkerPool;
}

/** Default of {@link WorkerThreadsAttemptSpec.cancelTimeoutMs}: 5 s. */
export const DEFAULT_CANCEL_TIMEOUT_MS = 5_000;

/** Deploys the attempt; resolves once every worker is ready and started. */
export async function startOnWorkerThreads(spec: WorkerThreadsAttemptSpec, events: AttemptEvents): Promise<RunningAttempt> {
  const maxP = Math.max(...spec.jobGraph.vertices.map((v) => v.parallelism));
  const slots = Math.max(1, Math.min(spec.slots, maxP));
  const pool = spec.pool ?? localWorkerPool;
  const connections: WorkerConnection[] = [];
  const cancelTimeoutMs = spec.cancelTimeoutMs ?? DEFAULT_CANCEL_TIMEOUT_MS;
  const warn = spec.onWarning ?? ((message: string) => process.emitWarning(message, 'EddyWarning'));
  let ended = false;
  let markEnded!: () => void;
  const endedEarly = new Promise<void>((resolve) => (markEnded = resolve));
  const fail = (error: Error) => {
    if (ended) return;
    ended = true;
    markEnded();
    events.failed(error);
  };
  const broadcast = (message: ToWorker) => {
    for (const c of connections) c.post(message);
  };

  const ports: (MessagePort | undefined)[][] = Array.from({ length: slots }, () => new Array<MessagePort | undefined>(slots));
  for (let i = 0; i < slots; i++) {
    for (let j = i + 1; j < slots; j++) {
      const { port1, port2 } = new MessageChannel();
      ports[i]![j] = port1;
      ports[j]![i] = port2;
    }
  }

  const onMessage = (m: FromWorker): void => {
    // what a worker logs while it is being stopped is still worth reading
    if (m.type === 'log') return relayLogLine(spec.logger, m.line);
    if (ended) return;
    switch (m.type) {
      case 'metrics':
        events.metrics(m.tasks);
        break;
      case 'collect':
        events.collect(m.channel, m.records);
        break;
      case 'task-end-of-input':
        events.endOfInput(m.task);
        break;
      case 'task-finished':
        events.metrics([m.metrics]);
        events.finished(m.metrics);
        break;
      case 'task-failed':
        if (m.metrics.vertexId >= 0) events.metrics([m.metrics]);
        fail(fromWireError(m.error));
        break;
      case 'worker-failed':
        fail(fromWireError(m.error));
        break;
      case 'checkpoint-ack':
        events.acknowledge(m.ack);
        break;
      case 'checkpoint-declined':
        events.decline(m.checkpointId, m.task, m.reason, m.failure);
        break;
      case 'ready':
      case 'canceled':
        break; // answers, taken by the connection
    }
  };

  const deployed: Promise<unknown>[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const connection = new WorkerConnection(
      slot,
      pool.acquire(),
      onMessage,
      (code, error) =>
        fail(
          error
            ? new JobFailedError(`worker thread ${slot} crashed: ${error.message}`, { cause: error })
            : new JobFailedError(`worker thread ${slot} exited unexpectedly (code ${code})`),
        ),
      pool,
    );
    connections.push(connection);
    const peers = ports[slot]!;
    const restore = spec.restore ? [...spec.restore].filter(([key]) => Number(key.split(':')[1]) % slots === slot) : undefined;
    const deployment: WorkerDeployment = {
      jobId: spec.jobId,
      jobModuleUrl: spec.jobModuleUrl,
      parameters: [...spec.parameters],
      planOptions: spec.planOptions,
      jobGraph: spec.jobGraph,
      slots,
      slot,
      attemptNumber: spec.attemptNumber,
      dataPath: spec.dataPath,
      checkpointMode: spec.checkpointMode,
      storage: spec.storage,
      restore,
      stateBackend: spec.stateBackend,
      metricsIntervalMs: spec.metricsIntervalMs,
      logLevel: spec.logger.level,
    };
    deployed.push(
      connection.request(
        (requestId) => ({ type: 'deploy', requestId, deployment, peers }),
        peers.filter((p): p is MessagePort => p !== undefined),
      ),
    );
  }
  // a worker that dies while deploying fails the attempt through `fail` (its exit event)
  const ready = Promise.all(deployed);

  const attempt: RunningAttempt = {
    triggerCheckpoint: (barrier: CheckpointBarrier) => broadcast({ type: 'trigger-checkpoint', barrier }),
    triggerFinalCheckpoint: (barrier: CheckpointBarrier) => broadcast({ type: 'trigger-final-checkpoint', barrier }),
    notifyCheckpointComplete: (checkpointId, isFinal) => broadcast({ type: 'checkpoint-complete', checkpointId, isFinal }),
    notifyCheckpointAborted: (checkpointId) => broadcast({ type: 'checkpoint-aborted', checkpointId }),
    stopSources: (drain) => broadcast({ type: 'stop-sources', drain }),
    start() {
      if (!ended) broadcast({ type: 'start' });
    },
    async cancel() {
      ended = true;
      markEnded();
      const outcomes = await Promise.all(connections.map((c) => c.cancel(cancelTimeoutMs)));
      outcomes.forEach((outcome, slot) => {
        if (outcome === 'terminated-by-watchdog') {
          warn(
            `worker thread ${slot} of attempt ${spec.attemptNumber} did not finish canceling within ${cancelTimeoutMs} ms ` +
              '(stuck in user code?) and was terminated; the close() of its operators did not run',
          );
        } else if (outcome === 'ended-while-canceling') {
          warn(`worker thread ${slot} of attempt ${spec.attemptNumber} ended while canceling; the close() of its operators may not have run`);
        }
      });
      if (outcomes.some((o) => o !== 'canceled')) {
        // a thread that died or was terminated never disposed its keyed backends: their working directories are left
        for (const path of await removeAbandonedStateBackendFiles(spec.stateBackend, spec.jobId, spec.attemptNumber)) {
          warn(`removed the working directory '${path}' of a worker thread that could not dispose it`);
        }
      }
    },
  };
  // a failure before all are ready must not leave the caller waiting for `ready`; a
  // worker that died while deploying (WorkerExitedError) has already failed the attempt
  // through its exit event, so here its rejection only ends the wait
  await Promise.race([ready.then(() => undefined, () => undefined), endedEarly]);
  return attempt;
}
