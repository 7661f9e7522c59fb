/**
 * Runs an attempt on the calling thread: the same tasks, channels, credits and
 * checkpointing as on worker threads, without serialization. Deterministic and easy to
 * debug, for tests and small jobs.
 */
import type { JobDefinition } from '../api/define-job.js';
import type { AttemptEvents, AttemptSpec, RunningAttempt } from './attempt.js';
import { buildStreamGraph } from './job-loader.js';
import { ThreadTasks } from './thread-tasks.js';

/** Starts the attempt; resolves once every task is open and running. */
export async function startOnThisThread(
  spec: AttemptSpec & { readonly job: JobDefinition; readonly parallelism: number | undefined },
  events: AttemptEvents,
): Promise<RunningAttempt> {
  let ended = false;
  const fail = (error: Error) => {
    if (ended) return;
    ended = true;
    events.failed(error);
  };
  let tasks: ThreadTasks;
  try {
    tasks = await ThreadTasks.start({
      jobId: spec.jobId,
      jobGraph: spec.jobGraph,
      slots: 1,
      slot: 0,
      attemptNumber: spec.attemptNumber,
      parameters: spec.parameters,
      dataPath: spec.dataPath,
      checkpointMode: spec.checkpointMode,
      storage: spec.storage,
      restore: spec.restore,
      stateBackend: spec.stateBackend,
      logger: spec.logger.child({ attempt: spec.attemptNumber }),
      buildGraph: () => buildStreamGraph(spec.job, { parameters: spec.parameters, parallelism: spec.parallelism }),
      emitToCoordinator: (channel, payload) => events.collect(channel, payload),
      send: () => {
        throw new Error('a single-threaded run has no peers');
      },
      events: {
        endOfInput: (task) => events.endOfInput(task),
        finished: (metrics) => {
          events.metrics([metrics]);
          events.finished(metrics);
        },
        failed: (metrics, error) => {
          events.metrics([metrics]);
          fail(error);
        },
        acknowledge: (ack) => events.acknowledge(ack),
        decline: (checkpointId, task, reason, failure) => events.decline(checkpointId, task, reason, failure),
      },
    });
  } catch (error) {
    fail(error as Error);
    const nothing = () => {};
    return { start: nothing, triggerCheckpoint: nothing, triggerFinalCheckpoint: nothing, notifyCheckpointComplete: nothing, notifyCheckpointAborted: nothing, stopSources: nothing, cancel: async () => {} };
  }
  const timer = setInterval(() => events.metrics(tasks.metrics()), spec.metricsIntervalMs);
  timer.unref();
  return {
    start() {
      void tasks.run().then(
        () => clearInterval(timer),
        (error: unknown) => fail(error as Error),
      );
    },
    triggerCheckpoint: (barrier) => tasks.triggerCheckpoint(barrier),
    triggerFinalCheckpoint: (barrier) => tasks.triggerFinalCheckpoint(barrier),
    notifyCheckpointComplete: (id, isFinal) => tasks.notifyCheckpointComplete(id, isFinal),
    notifyCheckpointAborted: (id) => tasks.notifyCheckpointAborted(id),
    stopSources: (drain) => tasks.stopSources(drain),
    async cancel() {
      ended = true;
      clearInterval(timer);
      await tasks.stop();
    },
  };
}
