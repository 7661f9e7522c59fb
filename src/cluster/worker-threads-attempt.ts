/**
 * Runs an attempt on the embedded local cluster: `slots` worker threads, one
 * MessagePort between every pair of them, and the coordinator's messages to each.
 * A worker that crashes or exits fails the attempt like a failing task.
 */
import { relayLogLine } from '../core/logging/logger.js';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { JobFailedError, fromWireError } from '../core/errors.js';
import type { PlanOptions } from '../runtime/graph/job-graph.js';
import type { CheckpointBarrier } from '../runtime/io/channel-event.js';
import type { AttemptEvents, AttemptSpec, RunningAttempt } from './attempt.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** What the worker-thread attempt needs besides the common spec. */
export interface WorkerThreadsAttemptSpec extends AttemptSpec {
  readonly jobModuleUrl: string;
  readonly planOptions: PlanOptions;
  readonly slots: number;
}

/** Deploys the attempt; resolves once every worker is ready and started. */
export async function startOnWorkerThreads(spec: WorkerThreadsAttemptSpec, events: AttemptEvents): Promise<RunningAttempt> {
  const maxP = Math.max(...spec.jobGraph.vertices.map((v) => v.parallelism));
  const slots = Math.max(1, Math.min(spec.slots, maxP));
  const workerUrl = new URL('./worker-main.js', import.meta.url);
  const workers: Worker[] = [];
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
    for (const w of workers) w.postMessage(message);
  };

  const ports: (MessagePort | undefined)[][] = Array.from({ length: slots }, () => new Array<MessagePort | undefined>(slots));
  for (let i = 0; i < slots; i++) {
    for (let j = i + 1; j < slots; j++) {
      const { port1, port2 } = new MessageChannel();
      ports[i]![j] = port1;
      ports[j]![i] = port2;
    }
  }

  const ready = new Promise<void>((resolve) => {
    let readyCount = 0;
    for (let slot = 0; slot < slots; slot++) {
      const worker = new Worker(workerUrl, { stderr: false, stdout: false });
      workers.push(worker);
      worker.on('error', (error) => fail(new JobFailedError(`worker thread ${slot} crashed: ${error.message}`, { cause: error })));
      worker.on('exit', (code) => fail(new JobFailedError(`worker thread ${slot} exited unexpectedly (code ${code})`)));
      worker.on('message', (m: FromWorker) => {
        // what a worker logs while it is being stopped is still worth reading
        if (m.type === 'log') return relayLogLine(spec.logger, m.line);
        if (ended) return;
        switch (m.type) {
          case 'ready':
            if (++readyCount === slots) resolve();
            break;
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
          case 'canceled':
            break;
        }
      });
      const peers = ports[slot]!;
      const restore = spec.restore ? [...spec.restore].filter(([key]) => Number(key.split(':')[1]) % slots === slot) : undefined;
      worker.postMessage(
        {
          type: 'deploy',
          deployment: {
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
          },
          peers,
        } satisfies ToWorker,
        peers.filter((p): p is MessagePort => p !== undefined),
      );
    }
  });

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
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
  // a failure before all are ready must not leave the caller waiting for `ready`
  await Promise.race([ready, endedEarly]);
  return attempt;
}
