/**
 * `startJob` / `runJob`: run a job on the embedded local cluster (worker threads) or on
 * the calling thread. `startJob` returns a {@link JobClient} to follow, checkpoint or
 * cancel the running job; `runJob` waits for its result. A failure that the restart
 * strategy does not absorb rejects with the task's error, which names the operator and
 * subtask.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { JobDefinition } from '../api/define-job.js';
import { resolveCheckpointConfig } from '../checkpoint/checkpoint-config.js';
import type { CheckpointCounts, CheckpointStats } from '../checkpoint/checkpoint-stats.js';
import type { CompletedCheckpoint } from '../checkpoint/checkpoint-coordinator.js';
import { ConfigError, JobDefinitionError } from '../core/errors.js';
import { jobNameFromModule } from '../core/job-name.js';
import { buildJobGraph } from '../runtime/graph/job-graph.js';
import type { PlanOptions } from '../runtime/graph/job-graph.js';
import { restoredMaxParallelism } from '../checkpoint/restore/restore-assignment.js';
import { operatorUid, statefulNodesWithoutUid } from '../runtime/graph/stream-graph.js';
import type { StreamGraph } from '../runtime/graph/stream-graph.js';
import type { StateBackendKind } from '../state/state-backend-config.js';
import { markJobCheckpointDirectory, removeCheckpointLeftovers } from '../checkpoint/storage/checkpoint-leftovers.js';
import { checkStateBackendAvailable, removeStateBackendLeftovers } from '../state/state-backend-factory.js';
import { buildStreamGraph, loadJobModule, toModuleUrl } from './job-loader.js';
import { otherEddyCopiesWarning } from '../core/eddy-instances.js';
import { JobMaster } from './job-master.js';
import type { JobStatus } from './job-master.js';
import type { ExceptionHistorySnapshot } from './exception-history.js';
import { createLogger } from '../core/logging/logger.js';
import { guardCallback } from '../core/logging/guarded-callback.js';
import type { JobResult, VertexMetrics } from './job-result.js';
import { createRestartStrategy, defaultRestartStrategy, restartAttemptsShortcut } from '../runtime/failover/restart-strategy.js';
import { JobRestApi } from './rest/job-rest-api.js';
import { resolveRestorePoint } from './restore-point.js';
import { findResumePoint } from './resume-point.js';
import { resolveRunOptions } from './run-options.js';
import type { ResolvedRunOptions, RunOptions } from './run-options.js';
import { warnAboutForeignSourcePositions } from './source-position-warnings.js';

/** One vertex (operator chain) of a running job, for job details (REST, `eddy list`). */
export interface VertexDetails extends VertexMetrics {
  readonly id: number;
  readonly maxParallelism: number;
  /** uids of the chained operators, head first. */
  readonly operatorUids: readonly string[];
}

/** What a running (or ended) job looks like from outside. */
export interface JobDetails {
  readonly jobId: string;
  readonly name: string;
  readonly status: JobStatus;
  /** Milliseconds since the epoch. */
  readonly startTime: number;
  /** Milliseconds since the epoch; undefined while the job runs. */
  readonly endTime: number | undefined;
  /** Restarts after failures so far. */
  readonly restarts: number;
  /** Where the job's keyed state lives. */
  readonly stateBackend: StateBackendKind;
  readonly vertices: readonly VertexDetails[];
}

/** Options of {@link JobClient.cancel}. */
export interface CancelOptions {
  /** Keep the checkpoints whatever the retention on cancel says (e.g. a second Ctrl-C). @default false */
  readonly retainCheckpoints?: boolean;
}

/** What `resume: true` found. */
export interface ResumeOutcome {
  /** The checkpoint or savepoint directory the job resumed from; undefined when it started fresh. */
  readonly from: string | undefined;
  /** Why, in words: which run it belonged to, or why there was nothing to resume. */
  readonly reason: string;
}

/** Options of {@link JobClient.stopWithSavepoint}. */
export interface StopOptions {
  /** End the input first (operators finish and, with event time, all timers fire) so everything pending is emitted. @default false */
  readonly drain?: boolean;
}

/** A running job. */
export interface JobClient {
  readonly jobId: string;
  /** The job's name (`jobName`, else `env.setJobName`, else the module's file name). */
  readonly name: string;
  /** This run's checkpoint directory, `<checkpoint-dir>/<job-id>` (absolute), when checkpointing is on. */
  readonly checkpointDirectory: string | undefined;
  /** With `resume: true`: what it resumed from, or why it started fresh. */
  readonly resumed: ResumeOutcome | undefined;
  /** Settles when the job ends: resolves when it finished or was canceled, rejects when it failed. */
  readonly result: Promise<JobResult>;
  status(): JobStatus;
  /** Status, vertices and counters now. */
  details(): JobDetails;
  /** Recent checkpoints and savepoints, oldest first. */
  checkpoints(): readonly CheckpointStats[];
  /** Checkpoints triggered, completed and aborted so far. */
  checkpointCounts(): CheckpointCounts;
  /** The job's failures so far, newest first (bounded; see `truncated`). */
  exceptions(): ExceptionHistorySnapshot;
  /** Triggers a checkpoint now; returns its id, or undefined when none can be taken now. */
  triggerCheckpoint(): number | undefined;
  /**
   * Takes a savepoint into a new `savepoint-<short-job-id>-<random>` directory under
   * `directory` (default: the `savepointDirectory` option); resolves with its path.
   * @throws CheckpointError when it cannot be taken or fails; the job keeps running
   */
  triggerSavepoint(directory?: string): Promise<string>;
  /**
   * Takes a savepoint, then ends the job (status `finished`) once sinks have committed
   * what it covers; resolves with the savepoint's path.
   */
  stopWithSavepoint(directory?: string, options?: StopOptions): Promise<string>;
  /** Cancels the job; resolves with its (canceled) result. */
  cancel(options?: CancelOptions): Promise<JobResult>;
  /**
   * `http://127.0.0.1:<port>`: where the job's REST API (docs/REST.md) is served, when
   * started with the `rest` option; undefined otherwise.
   */
  readonly restUrl?: string | undefined;
  /**
   * The directory a savepoint asked for under `directory` (default: the job's savepoint
   * directory) would be written under, checked and normalised; how the REST API refuses a
   * bad target before it accepts the request. `action` words the refusal (`take a savepoint`).
   * @throws ConfigError (a SavepointTargetError for a directory that may not be used)
   * @internal
   */
  savepointTarget?(directory?: string, action?: string): Promise<string>;
}

/**
 * Starts a job and returns at once (after planning and validating it).
 * @param job a job made by `defineJob`, or the path/URL of a job module
 */
export async function startJob(job: JobDefinition | string, options: RunOptions = {}): Promise<JobClient> {
  const o = resolveRunOptions(options);
  // before anything starts: a missing librocksdb fails here, with how to install it
  await checkStateBackendAvailable(o.stateBackend);
  const definition = typeof job === 'string' ? await loadJobModule(job) : job;
  const moduleUrl = o.jobModule ? toModuleUrl(o.jobModule) : typeof job === 'string' ? toModuleUrl(job) : job.moduleUrl;
  const logger = o.logger ?? createLogger({ level: o.logLevel, format: o.logFormat });
  const warn = guardCallback(o.onWarning, logger, 'onWarning') ?? ((message: string) => process.emitWarning(message, 'EddyWarning'));
  // leftovers of crashed runs (never of a live process), before this run adds its own
  await removeStateBackendLeftovers(o.stateBackend, warn);
  const copies = otherEddyCopiesWarning();
  if (copies !== undefined) warn(copies);
  const streamGraph = buildStreamGraph(definition, { parameters: o.parameters, parallelism: o.parallelism });
  const name = o.jobName ?? streamGraph.jobName ?? jobNameFromModule(moduleUrl);
  const checkpoint = resolveCheckpointConfig(streamGraph.checkpoint, o.checkpoint);
  if (checkpoint.unaligned) throw new ConfigError('unaligned checkpoints (--unaligned) are not available yet; use aligned checkpoints');
  const checkpointing = checkpoint.interval !== undefined;
  const { initialRestore, resumed } = await restorePointOf(o, name, checkpoint.directory, checkpointing, warn);
  // a job that sets no maxParallelism takes the restored state's
  const planOptions: PlanOptions = {
    parallelism: o.parallelism,
    maxParallelism: o.maxParallelism,
    ...(initialRestore ? { restoredMaxParallelism: restoredMaxParallelism(initialRestore.metadata) } : {}),
  };
  const jobGraph = buildJobGraph(streamGraph, planOptions);
  if (o.execution === 'threads' && !moduleUrl) {
    throw new JobDefinitionError(
      "cannot tell which module defines this job, so worker threads cannot load it; pass { jobModule: import.meta.url } or { execution: 'single-thread' }",
    );
  }
  if (initialRestore) {
    const sources = streamGraph.nodes.filter((n) => n.kind === 'source').map(operatorUid);
    await warnAboutForeignSourcePositions(initialRestore, name, sources, warn);
  }
  const restartConfig =
    o.restartStrategy ?? (o.restartAttempts !== undefined ? restartAttemptsShortcut(o.restartAttempts) : streamGraph.restartStrategy) ?? defaultRestartStrategy(checkpointing);
  const configuredSavepointDirectory = o.savepointDirectory ?? streamGraph.savepointDirectory;
  const savepointDirectory = configuredSavepointDirectory === undefined ? undefined : resolve(configuredSavepointDirectory);
  const savepointRoots = [...(savepointDirectory === undefined ? [] : [savepointDirectory]), ...(o.savepointRoots ?? []).map((r) => resolve(r))];
  // the engine's own savepoints on stop go next to the checkpoints
  if (savepointRoots.length > 0 && checkpointing) savepointRoots.push(resolve(checkpoint.directory));
  if (checkpointing || savepointDirectory !== undefined || initialRestore) warnAboutMissingUids(streamGraph, warn);

  const jobId = randomUUID().replaceAll('-', '');
  if (checkpointing) {
    // useless leftovers of crashed runs go; completed checkpoints and live runs' files stay
    const checkpointDirectory = resolve(checkpoint.directory);
    for (const line of await removeCheckpointLeftovers(checkpointDirectory, jobId)) warn(`removed ${line}`);
    await markJobCheckpointDirectory(checkpointDirectory, jobId);
  }
  const master = new JobMaster({
    jobId,
    jobName: name,
    job: definition,
    jobModuleUrl: moduleUrl,
    execution: o.execution,
    slots: o.slots,
    planOptions,
    jobGraph,
    streamGraph,
    parameters: o.parameters,
    dataPath: {
      batchSize: o.testing.batchSize,
      credits: o.testing.credits,
      pollBatch: o.testing.batchSize,
      flushIntervalMs: o.testing.flushIntervalMs,
      // only single-thread runs take a clock (run-options.ts): a Clock cannot cross to a worker
      ...(o.testing.clock && o.execution === 'single-thread' ? { clock: o.testing.clock } : {}),
    },
    checkpoint,
    stateBackend: o.stateBackend,
    storageFaults: o.testing.storageFaults,
    restartStrategy: createRestartStrategy(restartConfig),
    initialRestore,
    allowNonRestoredState: o.allowNonRestoredState,
    savepointDirectory,
    savepointRoots,
    onProgress: guardCallback(o.onProgress, logger, 'onProgress'),
    onCheckpoint: guardCallback(o.onCheckpoint, logger, 'onCheckpoint'),
    onFailure: guardCallback(o.onFailure, logger, 'onFailure'),
    onWarning: warn,
    cancelTimeoutMs: o.cancelTimeoutMs,
    progressIntervalMs: o.progressIntervalMs,
    logger,
  });
  // before the job runs: a port in use fails the start
  const rest = o.rest ? await JobRestApi.start({ port: o.rest.port, allowedHosts: o.rest.allowedHosts }) : undefined;
  await master.recordStart();
  const startTime = Date.now();
  let endTime: number | undefined;
  const result = master.run().finally(() => {
    endTime = Date.now();
  });
  // the caller observes the failure through `result`; this only keeps Node from calling it unhandled
  result.catch(() => undefined);
  const client: JobClient = {
    jobId,
    name,
    checkpointDirectory: checkpointing ? join(resolve(checkpoint.directory), jobId) : undefined,
    resumed,
    result,
    restUrl: rest?.url,
    status: () => master.status,
    details: () => {
      const metrics = master.vertexMetrics();
      return {
        jobId,
        name,
        status: master.status,
        startTime,
        endTime,
        restarts: Math.max(0, master.attemptCount - 1),
        stateBackend: o.stateBackend.kind,
        vertices: jobGraph.vertices.map((v, i) => ({
          ...metrics[i]!,
          id: v.id,
          maxParallelism: v.maxParallelism,
          operatorUids: v.nodeIds.map((id) => operatorUid(streamGraph.nodes[id]!)),
        })),
      };
    },
    checkpoints: () => master.coordinator.checkpointHistory,
    checkpointCounts: () => master.coordinator.checkpointCounts,
    exceptions: () => master.exceptions(),
    triggerCheckpoint: () => master.coordinator.triggerCheckpoint(),
    triggerSavepoint: async (directory) => master.triggerSavepoint(directory),
    stopWithSavepoint: async (directory, stop = {}) => master.stopWithSavepoint(directory, stop.drain ?? false),
    cancel: async (cancel = {}) => {
      master.cancel(cancel.retainCheckpoints ?? false);
      return result;
    },
    savepointTarget: (directory, action) => master.savepointParent(directory, action),
  };
  rest?.serve(client);
  return client;
}

/** What the run starts from: `fromSavepoint`, what `resume` finds, or nothing. */
async function restorePointOf(
  o: ResolvedRunOptions,
  name: string,
  checkpointDirectory: string,
  checkpointing: boolean,
  warn: (message: string) => void,
): Promise<{ initialRestore: CompletedCheckpoint | undefined; resumed: ResumeOutcome | undefined }> {
  if (!o.resume) return { initialRestore: o.fromSavepoint ? await resolveRestorePoint(o.fromSavepoint, warn) : undefined, resumed: undefined };
  if (o.fromSavepoint !== undefined) throw new ConfigError('--resume and --from-savepoint exclude each other: --resume finds the checkpoint itself');
  if (!checkpointing) {
    throw new ConfigError(
      '--resume needs checkpointing (--checkpoint-interval, or env.enableCheckpointing in the job): a run without checkpoints leaves no record, so a later --resume would repeat its output',
    );
  }
  const decision = await findResumePoint(checkpointDirectory, name, warn);
  return decision.kind === 'resume'
    ? { initialRestore: decision.checkpoint, resumed: { from: decision.checkpoint.directory, reason: decision.reason } }
    : { initialRestore: undefined, resumed: { from: undefined, reason: decision.reason } };
}

/** Warns once, naming every stateful operator without a uid (DESIGN §6). */
function warnAboutMissingUids(graph: StreamGraph, warn: (message: string) => void): void {
  const nodes = statefulNodesWithoutUid(graph);
  if (nodes.length === 0) return;
  const names = nodes.map((n) => `'${n.name}' (stored as '${operatorUid(n)}')`).join(', ');
  warn(
    `stateful operator(s) without a uid: ${names}; their state is matched by position in the graph, so a changed job may not restore it: give each a .uid('...')`,
  );
}

/**
 * Runs a job until it ends.
 * @param job a job made by `defineJob`, or the path/URL of a job module
 */
export async function runJob(job: JobDefinition | string, options: RunOptions = {}): Promise<JobResult> {
  return (await startJob(job, options)).result;
}
