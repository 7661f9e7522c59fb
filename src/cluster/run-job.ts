/**
 * `startJob` / `runJob`: run a job on the embedded local cluster (worker threads) or on
 * the calling thread. `startJob` returns a {@link JobClient} to follow, checkpoint or
 * cancel the running job; `runJob` waits for its result. A failure that the restart
 * strategy does not absorb rejects with the task's error, which names the operator and
 * subtask.
 */
import { randomUUID } from 'node:crypto';
import type { JobDefinition } from '../api/define-job.js';
import { resolveCheckpointConfig } from '../checkpoint/checkpoint-config.js';
import type { CheckpointStats } from '../checkpoint/checkpoint-stats.js';
import { ConfigError, JobDefinitionError } from '../core/errors.js';
import { buildJobGraph } from '../runtime/graph/job-graph.js';
import { buildStreamGraph, loadJobModule, toModuleUrl } from './job-loader.js';
import { JobMaster } from './job-master.js';
import type { JobStatus } from './job-master.js';
import type { JobResult } from './job-result.js';
import { createRestartStrategy, defaultRestartStrategy, restartAttemptsShortcut } from '../runtime/failover/restart-strategy.js';
import { resolveRestorePoint } from './restore-point.js';
import { resolveRunOptions } from './run-options.js';
import type { RunOptions } from './run-options.js';

/** A running job. */
export interface JobClient {
  readonly jobId: string;
  /** Settles when the job ends: resolves when it finished or was canceled, rejects when it failed. */
  readonly result: Promise<JobResult>;
  status(): JobStatus;
  /** Recent checkpoints, oldest first. */
  checkpoints(): readonly CheckpointStats[];
  /** Triggers a checkpoint now; returns its id, or undefined when none can be taken now. */
  triggerCheckpoint(): number | undefined;
  /** Cancels the job; resolves with its (canceled) result. */
  cancel(): Promise<JobResult>;
}

/**
 * Starts a job and returns at once (after planning and validating it).
 * @param job a job made by `defineJob`, or the path/URL of a job module
 */
export async function startJob(job: JobDefinition | string, options: RunOptions = {}): Promise<JobClient> {
  const o = resolveRunOptions(options);
  const definition = typeof job === 'string' ? await loadJobModule(job) : job;
  const moduleUrl = o.jobModule ? toModuleUrl(o.jobModule) : typeof job === 'string' ? toModuleUrl(job) : job.moduleUrl;
  const planOptions = { parallelism: o.parallelism, maxParallelism: o.maxParallelism };
  const streamGraph = buildStreamGraph(definition, o.parameters);
  const jobGraph = buildJobGraph(streamGraph, planOptions);
  if (o.execution === 'threads' && !moduleUrl) {
    throw new JobDefinitionError(
      "cannot tell which module defines this job, so worker threads cannot load it; pass { jobModule: import.meta.url } or { execution: 'single-thread' }",
    );
  }
  const checkpoint = resolveCheckpointConfig(streamGraph.checkpoint, o.checkpoint);
  if (checkpoint.unaligned) throw new ConfigError('unaligned checkpoints (--unaligned) are not available yet; use aligned checkpoints');
  const checkpointing = checkpoint.interval !== undefined;
  const restartConfig =
    o.restartStrategy ?? (o.restartAttempts !== undefined ? restartAttemptsShortcut(o.restartAttempts) : streamGraph.restartStrategy) ?? defaultRestartStrategy(checkpointing);
  const warn = o.onWarning ?? ((message: string) => process.emitWarning(message, 'EddyWarning'));
  const initialRestore = o.fromSavepoint ? await resolveRestorePoint(o.fromSavepoint, warn) : undefined;

  const jobId = randomUUID().replaceAll('-', '');
  const master = new JobMaster({
    jobId,
    job: definition,
    jobModuleUrl: moduleUrl,
    execution: o.execution,
    slots: o.slots,
    planOptions,
    jobGraph,
    streamGraph,
    parameters: o.parameters,
    dataPath: { batchSize: o.batchSize, credits: o.credits, pollBatch: o.batchSize, flushIntervalMs: o.flushIntervalMs },
    checkpoint,
    storageFaults: o.storageFaults,
    restartStrategy: createRestartStrategy(restartConfig),
    initialRestore,
    allowNonRestoredState: o.allowNonRestoredState,
    onProgress: o.onProgress,
    onCheckpoint: o.onCheckpoint,
    onWarning: warn,
    progressIntervalMs: o.progressIntervalMs,
  });
  const result = master.run();
  result.catch(() => {}); // the caller observes it through `result`
  return {
    jobId,
    result,
    status: () => master.status,
    checkpoints: () => master.coordinator.checkpointHistory,
    triggerCheckpoint: () => master.coordinator.triggerCheckpoint('checkpoint'),
    cancel: async () => {
      master.cancel();
      return result;
    },
  };
}

/**
 * Runs a job until it ends.
 * @param job a job made by `defineJob`, or the path/URL of a job module
 */
export async function runJob(job: JobDefinition | string, options: RunOptions = {}): Promise<JobResult> {
  return (await startJob(job, options)).result;
}
