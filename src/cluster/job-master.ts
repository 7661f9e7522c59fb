/**
 * The job master (Flink's JobMaster): runs a job from its first attempt to its end. It
 * owns the checkpoint coordinator and the restart strategy; when an attempt fails it
 * cancels it, waits as the strategy says, and starts the next attempt from the latest
 * valid checkpoint. It also collects metrics, progress and collected records.
 */
import type { JobDefinition } from '../api/define-job.js';
import type { CheckpointConfig } from '../checkpoint/checkpoint-config.js';
import { CheckpointCoordinator } from '../checkpoint/checkpoint-coordinator.js';
import type { CompletedCheckpoint, CoordinatorOperator, CoordinatorTask } from '../checkpoint/checkpoint-coordinator.js';
import type { CheckpointStats } from '../checkpoint/checkpoint-stats.js';
import { assignRestore } from '../checkpoint/restore/restore-assignment.js';
import type { RestoreTargetVertex } from '../checkpoint/restore/restore-assignment.js';
import type { TaskRestoreDescriptor } from '../checkpoint/restore/task-restore-descriptor.js';
import { FileSystemCheckpointStorage } from '../checkpoint/storage/checkpoint-storage.js';
import type { CheckpointStorageConfig } from '../checkpoint/storage/checkpoint-storage.js';
import { makeDirectory } from '../checkpoint/storage/make-directory.js';
import { withJobName } from '../checkpoint/checkpoint-metadata.js';
import { discardFailedSavepoint, newSavepointDirectory, writeSavepointMetadata } from '../checkpoint/storage/savepoint-storage.js';
import { checkSavepointTarget } from '../checkpoint/storage/savepoint-target.js';
import { ConfigError, JobFailedError, RestoreError, TaskFailureError } from '../core/errors.js';
import type { JobGraph, PlanOptions } from '../runtime/graph/job-graph.js';
import { operatorUid } from '../runtime/graph/stream-graph.js';
import type { StreamGraph } from '../runtime/graph/stream-graph.js';
import type { DataPathOptions } from '../runtime/task/task-wiring.js';
import type { StateBackendConfig } from '../state/state-backend-config.js';
import { settleLogged } from '../core/logging/detach.js';
import type { Logger } from '../core/logging/logger.js';
import { ExceptionHistory } from './exception-history.js';
import type { ExceptionHistoryEntry, ExceptionHistorySnapshot } from './exception-history.js';
import { RepeatedFailureDetector } from './repeated-failure-detector.js';
import type { AttemptEvents, AttemptSpec, RunningAttempt } from './attempt.js';
import { CollectedOutputs } from './collected-outputs.js';
import { JobMetricsBoard } from './job-metrics-board.js';
import { JobRunRecorder } from './job-run-recorder.js';
import { JobResult } from './job-result.js';
import type { JobProgress, VertexMetrics } from './job-result.js';
import type { RestartStrategy } from '../runtime/failover/restart-strategy.js';
import { startOnThisThread } from './single-thread-attempt.js';
import { startOnWorkerThreads } from './worker-threads-attempt.js';

/** Lifecycle of a job; {@link JobMaster} owns every transition. */
export type JobStatus = 'created' | 'running' | 'restarting' | 'finished' | 'failed' | 'canceled';

/** Everything the job master needs. */
export interface JobMasterSpec {
  readonly jobId: string;
  /** The job's name: recorded in `_job.json` and every `_metadata` (see job-name.ts). */
  readonly jobName: string;
  readonly job: JobDefinition;
  readonly jobModuleUrl: string | undefined;
  readonly execution: 'threads' | 'single-thread';
  readonly slots: number;
  readonly planOptions: PlanOptions;
  readonly jobGraph: JobGraph;
  readonly streamGraph: StreamGraph;
  readonly parameters: ReadonlyMap<string, string>;
  readonly dataPath: DataPathOptions;
  readonly checkpoint: CheckpointConfig;
  /** The keyed state backend of every attempt. */
  readonly stateBackend: StateBackendConfig;
  readonly storageFaults: CheckpointStorageConfig['faults'];
  readonly restartStrategy: RestartStrategy;
  /** A retained checkpoint or savepoint to start from. */
  readonly initialRestore: CompletedCheckpoint | undefined;
  readonly allowNonRestoredState: boolean;
  /** Default parent directory of savepoints (`--savepoint-dir`), absolute. */
  readonly savepointDirectory: string | undefined;
  /** Directories savepoints must lie in (absolute); empty: anywhere but `/proc`, `/sys`, `/dev`. */
  readonly savepointRoots: readonly string[];
  /** The callbacks below are guarded by the caller: they never throw. */
  readonly onProgress: ((progress: JobProgress) => void) | undefined;
  readonly onCheckpoint: ((stats: CheckpointStats) => void) | undefined;
  readonly onFailure: ((failure: JobFailure) => void) | undefined;
  readonly onWarning: (message: string) => void;
  /** How long (ms) a worker thread may take to cancel before it is terminated. */
  readonly cancelTimeoutMs: number;
  readonly progressIntervalMs: number;
  /** The run's logger; the job master adds the job id. */
  readonly logger: Logger;
}

/** What `onFailure` hears each time an attempt of the job fails. */
export interface JobFailure {
  /** The failure (a {@link TaskFailureError} when a task threw). */
  readonly error: Error;
  /** The same as the exception history records it. */
  readonly entry: ExceptionHistoryEntry;
  /** 0-based number of the attempt that failed. */
  readonly attempt: number;
  /** Milliseconds until the next attempt starts; undefined when the job fails for good. */
  readonly restartDelayMs: number | undefined;
  /** Identical failures (error class, message, operator) in a row with no checkpoint completed between them, this one included. */
  readonly sameFailuresInARow: number;
}

type AttemptOutcome = { readonly kind: 'finished' } | { readonly kind: 'canceled' } | { readonly kind: 'failed'; readonly error: Error };

/** Runs one job to its end. */
export class JobMaster {
  status: JobStatus = 'created';
  readonly coordinator: CheckpointCoordinator;
  private readonly storageConfig: CheckpointStorageConfig | undefined;
  private readonly storage: FileSystemCheckpointStorage | undefined;
  private readonly collected = new CollectedOutputs();
  private board: JobMetricsBoard;
  private endAttempt: ((outcome: AttemptOutcome) => void) | undefined;
  private cancelRequested = false;
  private wakeFromDelay: (() => void) | undefined;
  private attempts = 0;
  private readonly log: Logger;
  private readonly history = new ExceptionHistory();
  private readonly repeated = new RepeatedFailureDetector();
  /** Keep the checkpoints on cancel whatever the retention setting says. */
  private retainOnCancel = false;
  /** The savepoint of a stop-with-savepoint in progress; undefined once it failed. */
  private stopSavepoint: Promise<string | undefined> | undefined;
  /** This run's `_job.json`; only with checkpoint storage. */
  private readonly recorder: JobRunRecorder | undefined;

  constructor(private readonly spec: JobMasterSpec) {
    this.log = spec.logger.child({ job: spec.jobId });
    const checkpointing = spec.checkpoint.interval !== undefined;
    this.storageConfig = checkpointing
      ? { directory: spec.checkpoint.directory, jobId: spec.jobId, jobName: spec.jobName, ...(spec.storageFaults ? { faults: spec.storageFaults } : {}) }
      : undefined;
    this.storage = this.storageConfig ? new FileSystemCheckpointStorage(this.storageConfig) : undefined;
    this.recorder = this.storage && new JobRunRecorder(this.storage.jobDirectory, spec.jobName, spec.initialRestore?.directory);
    this.board = new JobMetricsBoard(spec.jobGraph);
    const tasks: CoordinatorTask[] = spec.jobGraph.vertices.flatMap((v) =>
      Array.from({ length: v.parallelism }, (_, subtaskIndex) => ({ vertexId: v.id, subtaskIndex })),
    );
    this.coordinator = new CheckpointCoordinator(
      spec.jobId,
      spec.checkpoint,
      this.storage,
      tasks,
      this.operators(),
      {
        onFailure: (error) => this.endAttempt?.({ kind: 'failed', error }),
        onCheckpointCompleted: (stats) => {
          spec.restartStrategy.onSuccess?.(Date.now());
          this.repeated.progressed();
          spec.onCheckpoint?.(stats);
        },
        onCheckpointAborted: (stats) => spec.onCheckpoint?.(stats),
        onCleanupFailed: (what, error) => this.log.warn({ err: error }, `${what} failed; the files stay behind`),
      },
      spec.initialRestore,
      {
        newDirectory: (parent) => newSavepointDirectory(parent, spec.jobId),
        prepareDirectory: (directory) => makeDirectory(directory, 'savepoint'),
        writeMetadata: (directory, metadata) => writeSavepointMetadata(directory, withJobName(metadata, spec.jobName)),
        discardFailed: discardFailedSavepoint,
      },
    );
  }

  /** Counters of every vertex in the current attempt. */
  vertexMetrics(): VertexMetrics[] {
    return this.board.vertices();
  }

  /**
   * Takes a savepoint under `parent` (default: the job's savepoint directory); resolves
   * with its directory.
   * @throws ConfigError when no directory is given and the job has none
   * @throws CheckpointError when the job cannot take one now or it fails
   */
  async triggerSavepoint(parent?: string): Promise<string> {
    return this.coordinator.triggerSavepoint(await this.savepointParent(parent, 'take a savepoint'));
  }

  /** Stops the job with a savepoint under `parent` (see {@link CheckpointCoordinator.stopWithSavepoint}). */
  stopWithSavepoint(parent: string | undefined, drain: boolean): Promise<string> {
    const savepoint = this.savepointParent(parent, 'stop with a savepoint').then((checked) => this.coordinator.stopWithSavepoint(checked, drain));
    // for the run's record only: the caller is told of a failure through `savepoint`
    this.stopSavepoint = savepoint.then(
      (path) => path,
      () => undefined,
    );
    return savepoint;
  }

  /**
   * The directory a savepoint asked for under `parent` (default: the job's) would be
   * written under, checked (savepoint-target.ts) and normalised.
   * @throws ConfigError when there is none; SavepointTargetError when it may not be used
   */
  async savepointParent(parent: string | undefined, what = 'take a savepoint'): Promise<string> {
    const chosen = parent ?? this.spec.savepointDirectory;
    if (chosen === undefined || chosen.length === 0) {
      throw new ConfigError(`cannot ${what}: no savepoint directory; give one, or start the job with --savepoint-dir`);
    }
    return checkSavepointTarget(chosen, this.spec.savepointRoots);
  }

  /** The job's failures, newest first (`GET /jobs/:id/exceptions`). */
  exceptions(): ExceptionHistorySnapshot {
    return this.history.snapshot();
  }

  /**
   * Writes this run's `_job.json` (with checkpointing on). Called before {@link run}: a
   * run that `--resume` could not find might commit output a later run would repeat.
   * @throws CheckpointError naming the file when it cannot be written
   */
  async recordStart(): Promise<void> {
    await this.recorder?.start();
  }

  /** Number of attempts started so far. */
  get attemptCount(): number {
    return this.attempts;
  }

  /** Runs attempts until the job finishes, is canceled, or fails for good. */
  async run(): Promise<JobResult> {
    const started = Date.now();
    const progressTimer = this.spec.onProgress
      ? setInterval(
          () => this.spec.onProgress!({ ...this.board.progress(Date.now() - started), status: this.status, attempt: this.attempts - 1 }),
          this.spec.progressIntervalMs,
        )
      : undefined;
    progressTimer?.unref();
    let restorePoint = this.spec.initialRestore;
    try {
      for (let attemptNumber = 0; ; attemptNumber++) {
        this.status = 'running';
        const outcome = await this.runAttempt(attemptNumber, restorePoint);
        if (outcome.kind === 'finished') {
          const savepoint = await this.stopSavepoint;
          this.coordinator.shutdown();
          await this.recorder?.end(savepoint ? 'stopped' : 'finished', { savepoint, checkpointsDiscarded: true }, this.spec.onWarning);
          await this.discardCheckpoints('finished');
          this.status = 'finished';
          return this.result('finished', started);
        }
        if (outcome.kind === 'canceled') return await this.canceled(started);
        // a restart would restore the same state into the same code and fail the same way
        const delay = isRestoreFailure(outcome.error) || this.cancelRequested ? undefined : this.spec.restartStrategy.onFailure(Date.now());
        this.failed(outcome.error, attemptNumber, delay);
        if (delay === undefined || this.cancelRequested) throw outcome.error;
        this.status = 'restarting';
        await this.sleep(delay);
        if (this.cancelRequested) return await this.canceled(started);
        restorePoint = (await this.latestValidCheckpoint()) ?? this.spec.initialRestore;
      }
    } catch (error) {
      this.coordinator.shutdown();
      await this.recorder?.end('failed', {}, this.spec.onWarning);
      this.status = 'failed';
      throw error;
    } finally {
      if (progressTimer) clearInterval(progressTimer);
    }
  }

  /** Records, logs (once) and reports the failure of attempt `attempt`. */
  private failed(error: Error, attempt: number, restartDelayMs: number | undefined): void {
    const entry = this.history.add(error, attempt, Date.now(), (subtask) =>
      this.spec.execution === 'single-thread' ? 'main-thread' : `worker-thread-${subtask % this.spec.slots}`,
    );
    const sameFailuresInARow = this.repeated.record(error);
    const fields = { err: error, operator: entry.operator ?? undefined, subtask: entry.subtask ?? undefined, attempt };
    const what = error instanceof TaskFailureError ? error.message : `attempt ${attempt} failed: ${error.message}`;
    if (restartDelayMs === undefined) this.log.error(fields, `${what}; the job will not restart`);
    else this.log.error({ ...fields, restartDelayMs }, `${what}; restarting in ${restartDelayMs} ms`);
    this.spec.onFailure?.({ error, entry, attempt, restartDelayMs, sameFailuresInARow });
  }

  private async canceled(started: number): Promise<JobResult> {
    this.coordinator.shutdown();
    const discard = this.spec.checkpoint.retentionOnCancel === 'delete' && !this.retainOnCancel;
    await this.recorder?.end('canceled', { checkpointsDiscarded: discard }, this.spec.onWarning);
    if (discard) await this.discardCheckpoints('canceled');
    this.status = 'canceled';
    return this.result('canceled', started);
  }

  /** Deletes the job's checkpoints (not its record, nor the savepoints taken on stop); a failure is a warning. */
  private async discardCheckpoints(how: string): Promise<void> {
    if (this.storage) await settleLogged(this.storage.discardCheckpoints(), this.log, `deleting the checkpoints of the ${how} job`);
  }

  /**
   * Cancels the job: the running attempt stops, and the result says `canceled`.
   * @param retainCheckpoints keep the checkpoints whatever the retention on cancel says (a second Ctrl-C)
   */
  cancel(retainCheckpoints = false): void {
    if (retainCheckpoints) this.retainOnCancel = true;
    this.cancelRequested = true;
    this.wakeFromDelay?.();
    this.endAttempt?.({ kind: 'canceled' });
  }

  private async runAttempt(attemptNumber: number, restorePoint: CompletedCheckpoint | undefined): Promise<AttemptOutcome> {
    this.attempts++;
    this.board = new JobMetricsBoard(this.spec.jobGraph);
    const expected = this.spec.jobGraph.vertices.reduce((n, v) => n + v.parallelism, 0);
    let finished = 0;
    let restore: Map<string, TaskRestoreDescriptor> | undefined;
    try {
      restore = restorePoint
        ? assignRestore(restorePoint.metadata, restorePoint.directory, this.restoreTargets(), {
            allowNonRestoredState: this.spec.allowNonRestoredState,
          })
        : undefined;
    } catch (error) {
      this.status = 'failed';
      throw error;
    }
    // the shared files the restored state refers to must outlive the restore
    if (restorePoint) this.coordinator.restoring(restorePoint);
    let attempt: RunningAttempt | undefined;
    const outcome = new Promise<AttemptOutcome>((resolve) => {
      let done = false;
      this.endAttempt = (o) => {
        if (done) return;
        done = true;
        resolve(o);
      };
    });
    if (this.cancelRequested) this.endAttempt!({ kind: 'canceled' });
    const events: AttemptEvents = {
      endOfInput: (task) => this.coordinator.taskEndedInput(task),
      finished: () => {
        if (++finished === expected) this.endAttempt?.({ kind: 'finished' });
      },
      failed: (error) => this.endAttempt?.({ kind: 'failed', error }),
      acknowledge: (ack) => this.coordinator.receiveAck(ack),
      decline: (id, task, reason, failure) => this.coordinator.receiveDecline(id, task, reason, failure),
      collect: (channel, payload) => this.collected.add(channel, payload),
      metrics: (list) => {
        for (const m of list) this.board.update(m);
      },
    };
    const common: AttemptSpec = {
      jobId: this.spec.jobId,
      jobGraph: this.spec.jobGraph,
      parameters: this.spec.parameters,
      attemptNumber,
      dataPath: this.spec.dataPath,
      checkpointMode: this.spec.checkpoint.mode,
      storage: this.storageConfig,
      restore,
      stateBackend: this.spec.stateBackend,
      metricsIntervalMs: Math.min(1000, this.spec.progressIntervalMs),
      logger: this.log,
    };
    if (this.spec.execution === 'single-thread') {
      attempt = await startOnThisThread({ ...common, job: this.spec.job, parallelism: this.spec.planOptions.parallelism }, events);
    } else {
      if (!this.spec.jobModuleUrl) throw new JobFailedError('no job module to load in worker threads');
      attempt = await startOnWorkerThreads(
        {
          ...common,
          jobModuleUrl: this.spec.jobModuleUrl,
          planOptions: this.spec.planOptions,
          slots: this.spec.slots,
          cancelTimeoutMs: this.spec.cancelTimeoutMs,
          onWarning: this.spec.onWarning,
        },
        events,
      );
    }
    this.coordinator.attach(attempt);
    attempt.start();
    const result = await outcome;
    this.endAttempt = undefined;
    // stop the tasks first, so no state file is written after the pending checkpoints are discarded
    await attempt.cancel();
    this.coordinator.detach(result.kind === 'failed' ? `attempt ${attemptNumber} failed: ${result.error.message}` : `attempt ${attemptNumber} ended`);
    return result;
  }

  /**
   * The newest checkpoint this run completed whose files all check out, if any: only ids
   * the coordinator completed count (a directory left by an aborted checkpoint never does).
   */
  private async latestValidCheckpoint(): Promise<CompletedCheckpoint | undefined> {
    const newest = this.coordinator.latestCompleted?.metadata.checkpointId;
    if (!this.storage || newest === undefined) return undefined;
    for (const { id, directory } of await this.storage.listCompletedCheckpoints()) {
      if (id > newest) continue;
      try {
        return { metadata: await FileSystemCheckpointStorage.verifyCheckpoint(directory), directory };
      } catch (error) {
        this.spec.onWarning(`skipping broken checkpoint ${directory}: ${(error as Error).message}`);
      }
    }
    return undefined;
  }

  private operators(): CoordinatorOperator[] {
    const { jobGraph, streamGraph } = this.spec;
    return jobGraph.vertices.flatMap((v) =>
      v.nodeIds.map((id) => {
        const node = streamGraph.nodes[id]!;
        return { uid: operatorUid(node), name: node.name, parallelism: v.parallelism, maxParallelism: v.maxParallelism };
      }),
    );
  }

  private restoreTargets(): RestoreTargetVertex[] {
    const { jobGraph, streamGraph } = this.spec;
    return jobGraph.vertices.map((v) => ({
      id: v.id,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      operators: v.nodeIds.map((id) => {
        const node = streamGraph.nodes[id]!;
        return {
          uid: operatorUid(node),
          name: node.name,
          isSource: node.kind === 'source',
          keyed: node.stateKeySelector !== undefined,
          splittable: node.source?.splittable === true,
        };
      }),
    }));
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeFromDelay = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private result(status: 'finished' | 'canceled', started: number): JobResult {
    return new JobResult(
      this.spec.jobId,
      status,
      Date.now() - started,
      this.board.vertices(),
      this.collected.snapshot(),
      this.coordinator.checkpointHistory,
      this.coordinator.checkpointCounts,
      this.attempts - 1,
      this.history.snapshot().entries,
    );
  }
}

/** Whether an attempt failed because state could not be restored: a RestoreError, thrown as it is or by a task. */
function isRestoreFailure(error: Error): boolean {
  return error instanceof RestoreError || (error instanceof TaskFailureError && error.userError.name === RestoreError.name);
}
