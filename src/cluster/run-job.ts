/**
 * `runJob`: runs a job to its end on the embedded local cluster (worker threads) or on
 * the calling thread, and returns its {@link JobResult}. A failure rejects with the
 * task's error, which names the operator and subtask.
 */
import { randomUUID } from 'node:crypto';
import { JobDefinitionError } from '../core/errors.js';
import type { JobDefinition } from '../api/define-job.js';
import { buildJobGraph } from '../runtime/graph/job-graph.js';
import type { DataPathOptions } from '../runtime/task/task-wiring.js';
import { buildStreamGraph, loadJobModule, toModuleUrl } from './job-loader.js';
import { JobResult } from './job-result.js';
import { runOnWorkerThreads } from './local-cluster.js';
import { resolveRunOptions } from './run-options.js';
import type { RunOptions } from './run-options.js';
import { runOnThisThread } from './single-thread-executor.js';

/**
 * Runs a job until it ends.
 * @param job a job made by `defineJob`, or the path/URL of a job module
 */
export async function runJob(job: JobDefinition | string, options: RunOptions = {}): Promise<JobResult> {
  const o = resolveRunOptions(options);
  const definition = typeof job === 'string' ? await loadJobModule(job) : job;
  const moduleUrl = o.jobModule ? toModuleUrl(o.jobModule) : typeof job === 'string' ? toModuleUrl(job) : job.moduleUrl;
  const planOptions = { parallelism: o.parallelism, maxParallelism: o.maxParallelism };
  const jobGraph = buildJobGraph(buildStreamGraph(definition, o.parameters), planOptions);
  const dataPath: DataPathOptions = {
    batchSize: o.batchSize,
    credits: o.credits,
    pollBatch: o.batchSize,
    flushIntervalMs: o.flushIntervalMs,
  };
  const jobId = randomUUID().replaceAll('-', '');
  const started = Date.now();
  const common = { jobGraph, parameters: o.parameters, attemptNumber: 0, dataPath, onProgress: o.onProgress, progressIntervalMs: o.progressIntervalMs };
  let outcome;
  if (o.execution === 'single-thread') {
    outcome = await runOnThisThread({ ...common, job: definition });
  } else {
    if (!moduleUrl) {
      throw new JobDefinitionError(
        "cannot tell which module defines this job, so worker threads cannot load it; pass { jobModule: import.meta.url } or { execution: 'single-thread' }",
      );
    }
    outcome = await runOnWorkerThreads({ ...common, jobModuleUrl: moduleUrl, planOptions, slots: o.slots });
  }
  return new JobResult(jobId, Date.now() - started, outcome.board.vertices(), outcome.collected);
}
