/**
 * The checkpoint coordinator (the JobManager's role): triggers checkpoints, collects the
 * tasks' acknowledgements, completes a checkpoint by writing its `_metadata` atomically
 * and notifying every task, aborts checkpoints that fail or expire, keeps the retained
 * ones and deletes the subsumed. When every task has ended its input it takes the final
 * checkpoint, whose completion lets two-phase-commit sinks commit their last data.
 *
 * Savepoints share the checkpoint ids and the barrier path but are written to their own
 * directory, are always aligned, never retained or discarded by the coordinator, and are
 * not announced to the tasks when they complete (so sinks do not commit on an
 * intermediate savepoint: a later failover to an older checkpoint would repeat that
 * output). A stop-with-savepoint ends every source, then takes the final checkpoint as
 * a savepoint; its completion is announced, sinks commit, and the tasks finish.
 *
 * A savepoint's directory is created before the savepoint is triggered
 * ({@link SavepointPreparations}), so a target that cannot be written fails that savepoint
 * alone and never holds periodic checkpoints back or keeps the job from ending.
 *
 * Retained checkpoints and the shared files of incremental checkpoints are kept by
 * {@link RetainedCheckpoints}: acknowledgements register their shared files for their
 * pending checkpoint, and an abort or a subsumption deletes those no checkpoint holds.
 *
 * Time comes from a {@link CheckpointScheduler} (real timers by default, a manual one in
 * tests); the coordinator uses no global timer.
 */
import { CheckpointError } from '../core/errors.js';
import type { CheckpointOptions, CheckpointBarrier } from './barrier/checkpoint-barrier.js';
import type { TaskCheckpointAck } from './checkpoint-metadata.js';
import { SYSTEM_CHECKPOINT_SCHEDULER } from './checkpoint-scheduler.js';
import type { CheckpointScheduler, ScheduledTask } from './checkpoint-scheduler.js';
import type { CheckpointCounts, CheckpointStats } from './checkpoint-stats.js';
import { PendingCheckpoint, pendingCheckpointMetadata, pendingCheckpointStats } from './pending-checkpoint.js';
import type { SavepointRequest } from './pending-checkpoint.js';
import { incrementalHandlesOf, RetainedCheckpoints } from './retained-checkpoints.js';
import type { CompletedCheckpoint } from './retained-checkpoints.js';
import { SavepointPreparations } from './savepoint-preparations.js';
import type { SharedStateRegistry } from './storage/shared-state-registry.js';
import { SAVEPOINT_DIRECTORY_TIMEOUT_MS } from './coordinator-contracts.js';
import type { CheckpointGateway, CoordinatorListener, CoordinatorOperator, CoordinatorOptions, CoordinatorSettings, CoordinatorStorage, CoordinatorTask, SavepointStorage } from './coordinator-contracts.js';

export type { CompletedCheckpoint } from './retained-checkpoints.js';
// what the cluster layer imports from here
export type { CheckpointGateway, CoordinatorOperator, CoordinatorTask } from './coordinator-contracts.js';

/** A stop-with-savepoint between the stop of the sources and the final savepoint. */
interface StopRequest extends SavepointRequest {
  readonly drain: boolean;
}

const HISTORY = 50;

/** Coordinates the checkpoints of one job across all its attempts. */
export class CheckpointCoordinator {
  private nextId: number;
  /** Checkpoints and savepoints in flight, until they complete or are aborted. */
  private readonly pending = new Map<number, PendingCheckpoint>();
  private readonly history: CheckpointStats[] = [];
  private readonly counts = { triggered: 0, completed: 0, aborted: 0 };
  private gateway: CheckpointGateway | undefined;
  private readonly ended = new Set<string>();
  private consecutiveFailures = 0;
  private lastCompletion = Number.NEGATIVE_INFINITY;
  /**
   * Completed checkpoints whose completion is not announced yet (subsumed files being
   * deleted): they still count against `maxConcurrent`, so whoever hears of a completion
   * (e.g. cancels the job in `onCheckpointCompleted`) knows no later checkpoint started first.
   */
  private announcing = 0;
  private periodic: ScheduledTask | undefined;
  private readonly expectedAcks: number;
  /** A stop-with-savepoint whose directory is being created (the sources run on meanwhile). */
  private stopPreparing = false;
  private stopping: StopRequest | undefined;
  /** Retained checkpoints and the shared files of incremental ones; only with storage. */
  private readonly retained: RetainedCheckpoints | undefined;
  /**
   * The retained checkpoint whose files the tasks' keyed backends refer to now: the last
   * one whose completion they were told of, or the one they restored.
   */
  private lastNotified: number | undefined;
  private readonly scheduler: CheckpointScheduler;
  private readonly preparations: SavepointPreparations | undefined;
  private readonly savepointDirectoryTimeoutMs: number;

  constructor(
    private readonly jobId: string,
    private readonly settings: CoordinatorSettings,
    /** Undefined when checkpointing is off: the final checkpoint then stores nothing. */
    private readonly storage: CoordinatorStorage | undefined,
    private readonly tasks: readonly CoordinatorTask[],
    private readonly operators: readonly CoordinatorOperator[],
    private readonly listener: CoordinatorListener,
    /**
     * The checkpoint a run started from, if any: ids continue after it. It is never
     * discarded, unless it is a checkpoint of this job in this storage (see {@link restoring}).
     */
    restoredFrom?: CompletedCheckpoint,
    private readonly savepoints?: SavepointStorage,
    options: CoordinatorOptions = {},
  ) {
    this.expectedAcks = tasks.length;
    this.nextId = (restoredFrom?.metadata.checkpointId ?? 0) + 1;
    this.scheduler = options.scheduler ?? SYSTEM_CHECKPOINT_SCHEDULER;
    this.savepointDirectoryTimeoutMs = Math.min(options.savepointDirectoryTimeoutMs ?? SAVEPOINT_DIRECTORY_TIMEOUT_MS, settings.timeoutMs);
    this.preparations = savepoints && new SavepointPreparations(savepoints, this.scheduler, (what, error) => this.cleanupFailed(what, error));
    this.retained = storage && new RetainedCheckpoints(storage, jobId, settings.retained, (what, error) => this.cleanupFailed(what, error));
    if (restoredFrom) this.restoring(restoredFrom);
  }

  /** Who holds which shared file of incremental checkpoints (undefined without storage). */
  get sharedStateRegistry(): SharedStateRegistry | undefined {
    return this.retained?.registry;
  }

  /**
   * The next attempt restores from `checkpoint`. If it is a checkpoint of this job that
   * the coordinator does not retain (the newer ones were broken, or a coordinator took
   * over a job's directory), it becomes the oldest retained checkpoint and the registry
   * is rebuilt with its shared files, so the files the restored state refers to are not
   * deleted before a newer checkpoint holds them. Checkpoints of other jobs hold nothing
   * here: their files are never deleted, and never referred to.
   */
  restoring(checkpoint: CompletedCheckpoint): void {
    const id = checkpoint.metadata.checkpointId;
    if (this.retained?.adopt(checkpoint)) this.nextId = Math.max(this.nextId, id + 1);
    // the restored backends refer to its files, if it is this job's
    this.lastNotified = this.retained?.has(id) ? id : undefined;
  }

  /** The latest checkpoint this run completed, if any. */
  get latestCompleted(): CompletedCheckpoint | undefined {
    return this.retained?.latest;
  }

  /** Statistics of recent checkpoints, oldest first. */
  get checkpointHistory(): readonly CheckpointStats[] {
    return this.history;
  }

  get checkpointCounts(): CheckpointCounts {
    return { ...this.counts };
  }

  /** The ids of the checkpoints and savepoints in flight, oldest first. */
  get pendingIds(): number[] {
    return [...this.pending.keys()].sort((a, b) => a - b);
  }

  /** A new attempt is running: start triggering. */
  attach(gateway: CheckpointGateway): void {
    this.gateway = gateway;
    this.ended.clear();
    if (this.settings.interval !== undefined && this.storage) this.schedulePeriodic();
  }

  /**
   * The attempt ended (failed, canceled or finished): abort what is pending, fail the
   * savepoints whose directory is being created, stop triggering. Waits for nothing.
   */
  detach(reason: string): void {
    this.stopPeriodic();
    this.gateway = undefined;
    for (const id of [...this.pending.keys()]) this.abort(id, reason, false);
    this.preparations?.cancelAll(reason);
    const stop = this.stopping;
    this.stopping = undefined;
    stop?.reject(new CheckpointError(`the stop-with-savepoint did not complete: ${reason}`));
  }

  /** Triggers a checkpoint now (periodic trigger, or an API call). Returns its id, or undefined if not possible now. */
  triggerCheckpoint(): number | undefined {
    if (!this.gateway || !this.storage || this.ended.size > 0 || this.stopping) return undefined;
    return this.start('checkpoint', false);
  }

  /**
   * Takes a savepoint into a new directory under `parent`; resolves with its path once
   * its `_metadata` is written. The job keeps running. The directory is created first,
   * within `savepointDirectoryTimeoutMs`; only then are barriers sent, and the savepoint
   * then has the checkpoint timeout to complete.
   *
   * @throws CheckpointError (rejects) when no savepoint can be taken now, or it fails
   */
  async triggerSavepoint(parent: string): Promise<string> {
    const refusal = () => this.savepointRefusal() ?? (this.ended.size > 0 ? 'the job is finishing (some tasks have ended their input; stop it with a savepoint instead)' : undefined);
    const early = refusal();
    if (early) throw new CheckpointError(`cannot take a savepoint: ${early}`);
    const directory = this.savepoints!.newDirectory(parent);
    await this.preparations!.prepare(directory, this.savepointDirectoryTimeoutMs);
    const late = refusal();
    if (late) {
      this.discardSavepointDirectory(directory);
      throw new CheckpointError(`cannot take a savepoint: ${late}`);
    }
    return new Promise((resolve, reject) => {
      this.start('savepoint', false, { directory, resolve, reject });
    });
  }

  /**
   * Stops the job with a savepoint: once its directory is created, every source ends its
   * input (`drain`: operators finish), and once every task has ended, the final
   * checkpoint is taken as a savepoint into a new directory under `parent` (tasks that had
   * already ended, e.g. behind a bounded source, take part with their final state).
   * Resolves with its path when it is complete; the tasks then commit and finish. If the
   * directory cannot be created the job runs on; if the savepoint fails the attempt fails
   * (the job restarts from its latest checkpoint, as after any failure).
   */
  async stopWithSavepoint(parent: string, drain: boolean): Promise<string> {
    const refusal = () =>
      this.savepointRefusal() ?? (this.ended.size === this.tasks.length ? 'the job is finishing (every task has ended its input)' : undefined);
    const early = refusal();
    if (early) throw new CheckpointError(`cannot stop with a savepoint: ${early}`);
    const directory = this.savepoints!.newDirectory(parent);
    this.stopPreparing = true;
    try {
      await this.preparations!.prepare(directory, this.savepointDirectoryTimeoutMs);
    } finally {
      this.stopPreparing = false;
    }
    const late = refusal();
    if (late) {
      this.discardSavepointDirectory(directory);
      throw new CheckpointError(`cannot stop with a savepoint: ${late}`);
    }
    return new Promise((resolve, reject) => {
      this.stopping = { directory, drain, resolve, reject };
      this.stopPeriodic();
      this.gateway!.stopSources(drain);
    });
  }

  private savepointRefusal(): string | undefined {
    if (!this.savepoints) return 'no savepoint storage';
    if (!this.gateway) return 'the job has no running attempt now (it is starting, restarting or has ended); try again once it runs';
    if (this.stopping || this.stopPreparing) return 'the job is already stopping with a savepoint';
    return undefined;
  }

  /** A task acknowledged its part. */
  receiveAck(ack: TaskCheckpointAck): void {
    const p = this.pending.get(ack.checkpointId);
    if (!p) {
      void this.retained?.discardLate(ack); // aborted or from an older attempt
      return;
    }
    // savepoints (and the final commit without checkpointing) have no file store: full snapshots only
    const refusal =
      p.savepoint || !this.retained
        ? incrementalHandlesOf(ack).length > 0
          ? 'sent an incremental keyed snapshot, but savepoints hold full snapshots only'
          : undefined
        : this.retained.registerAck(p.id, ack);
    if (refusal !== undefined) {
      this.abort(p.id, `task ${ack.vertexId}:${ack.subtaskIndex} ${refusal}`, true);
      return;
    }
    if (p.acknowledge(ack)) {
      // completing handles its own storage failures; anything else escaping it is a fault of this attempt
      this.complete(p).catch((error: unknown) =>
        this.listener.onFailure(new CheckpointError(`completing checkpoint ${p.id} failed: ${(error as Error).message}`, { cause: error })),
      );
    }
  }

  /** A task could not take its part; `failure` false when it merely was not running. */
  receiveDecline(checkpointId: number, task: CoordinatorTask, reason: string, failure = true): void {
    if (!this.pending.has(checkpointId)) return;
    this.abort(checkpointId, `task ${task.vertexId}:${task.subtaskIndex} declined: ${reason}`, failure);
  }

  /** A task ended its input; when all have, the final checkpoint is taken. */
  taskEndedInput(task: CoordinatorTask): void {
    this.ended.add(`${task.vertexId}:${task.subtaskIndex}`);
    if (this.ended.size === this.tasks.length && this.gateway) {
      this.stopPeriodic();
      const stop = this.stopping;
      this.stopping = undefined;
      if (stop) this.start('savepoint', true, stop);
      else this.start('checkpoint', true);
    }
  }

  /** Stops timers and fails what is in flight (the job is over); waits for nothing. */
  shutdown(): void {
    this.detach('the job ended');
  }

  /**
   * The periodic trigger: every `interval`, a checkpoint is triggered unless
   * `maxConcurrent` checkpoints hold a slot or less than `minPauseMs` passed since the
   * last completion; then the next tick tries again.
   */
  private schedulePeriodic(): void {
    this.stopPeriodic();
    this.periodic = this.scheduler.schedule(this.settings.interval!, () => {
      this.periodic = undefined;
      this.schedulePeriodic();
      this.triggerPeriodic();
    });
  }

  private stopPeriodic(): void {
    this.periodic?.cancel();
    this.periodic = undefined;
  }

  private triggerPeriodic(): void {
    let slots = this.announcing;
    for (const p of this.pending.values()) if (p.holdsSlot) slots++;
    if (slots >= this.settings.maxConcurrent) return;
    if (this.scheduler.now() - this.lastCompletion < this.settings.minPauseMs) return;
    this.triggerCheckpoint();
  }

  private start(kind: CheckpointOptions['kind'], isFinal: boolean, savepoint?: SavepointRequest): number {
    const id = this.nextId++;
    // savepoints are always aligned: the at-least-once barrier handler aligns them too
    const referenceFloor = savepoint ? undefined : this.lastNotified;
    const options: CheckpointOptions = savepoint
      ? { kind, mode: this.settings.mode, targetDirectory: savepoint.directory }
      : { kind, mode: this.settings.mode, ...(referenceFloor === undefined ? {} : { lastCompletedCheckpointId: referenceFloor }) };
    const barrier: CheckpointBarrier = { type: 'barrier', checkpointId: id, timestamp: this.scheduler.now(), options };
    const timeout = this.scheduler.schedule(this.settings.timeoutMs, () => this.abort(id, `expired after ${this.settings.timeoutMs} ms`, true));
    this.pending.set(id, new PendingCheckpoint(id, barrier, isFinal, referenceFloor, savepoint, this.expectedAcks, timeout));
    if (this.stores(savepoint)) this.counts.triggered++;
    if (isFinal) this.gateway!.triggerFinalCheckpoint(barrier);
    else this.gateway!.triggerCheckpoint(barrier);
    return id;
  }

  /** Whether a checkpoint stores state (savepoints always do; checkpoints when checkpointing is on). */
  private stores(savepoint: SavepointRequest | undefined): boolean {
    return savepoint !== undefined || this.storage !== undefined;
  }

  /** Every task acknowledged `p`: write its `_metadata` (its timeout still runs), then complete it. */
  private async complete(p: PendingCheckpoint): Promise<void> {
    if (p.savepoint) return this.completeSavepoint(p, p.savepoint);
    let directory: string | undefined;
    const metadata = pendingCheckpointMetadata(p, this.jobId, this.operators, this.scheduler.now());
    if (this.storage) {
      try {
        await this.storage.writeMetadata(metadata);
        directory = this.storage.checkpointDirectory(p.id);
      } catch (error) {
        this.abort(p.id, `writing its metadata failed: ${(error as Error).message}`, true);
        return;
      }
    }
    if (p.status !== 'pending') {
      // aborted while the metadata was written: the abort's delete may have run before the write
      if (this.storage) await this.settleCleanup(this.storage.discardCheckpoint(p.id), `deleting checkpoint ${p.id}, aborted while its metadata was written`);
      return;
    }
    p.markCompleted();
    this.pending.delete(p.id);
    this.consecutiveFailures = 0;
    this.lastCompletion = this.scheduler.now();
    if (this.storage) this.counts.completed++;
    const stats = pendingCheckpointStats(p, undefined, directory, this.scheduler.now());
    this.record(stats);
    this.announcing++;
    try {
      if (directory) {
        const added = this.retained!.add({ metadata, directory }, () => this.referenceFloors());
        // older pending checkpoints can no longer be useful
        for (const [id, older] of [...this.pending]) if (id < p.id && !older.savepoint) this.abort(id, `subsumed by checkpoint ${p.id}`, false);
        await added; // the oldest retained checkpoints beyond the number retained are deleted
        this.lastNotified = p.id;
      }
      this.gateway?.notifyCheckpointComplete(p.id, p.isFinal);
      this.listener.onCheckpointCompleted?.(stats);
    } finally {
      this.announcing--;
    }
  }

  private async completeSavepoint(p: PendingCheckpoint, request: SavepointRequest): Promise<void> {
    const metadata = pendingCheckpointMetadata(p, this.jobId, this.operators, this.scheduler.now());
    try {
      await this.savepoints!.writeMetadata(request.directory, metadata);
    } catch (error) {
      this.abort(p.id, `writing its metadata failed: ${(error as Error).message}`, true);
      return;
    }
    if (p.status !== 'pending') {
      // aborted while the metadata was written: the caller was told it failed, and the
      // abort's discard may have run before the write, leaving `_metadata` without state files
      await this.settleCleanup(this.savepoints!.discardFailed(request.directory, true), `deleting savepoint ${p.id} (${request.directory}), aborted while its metadata was written`);
      return;
    }
    p.markCompleted();
    this.pending.delete(p.id);
    this.lastCompletion = this.scheduler.now();
    this.counts.completed++;
    const stats = pendingCheckpointStats(p, undefined, request.directory, this.scheduler.now());
    this.record(stats);
    request.resolve(request.directory);
    if (p.isFinal) this.gateway?.notifyCheckpointComplete(p.id, true);
    this.listener.onCheckpointCompleted?.(stats);
  }

  private abort(id: number, reason: string, countsAsFailure: boolean): void {
    const p = this.pending.get(id);
    if (!p) return;
    p.markAborted();
    this.pending.delete(id);
    if (this.stores(p.savepoint)) this.counts.aborted++;
    const stats = pendingCheckpointStats(p, reason, undefined, this.scheduler.now());
    this.record(stats);
    if (p.savepoint) {
      this.discardSavepointDirectory(p.savepoint.directory);
      p.savepoint.reject(new CheckpointError(`savepoint ${id} failed: ${reason}`));
    } else {
      void this.retained?.abort(id); // its directory, and the shared files only it held (its uploads)
    }
    void this.retained?.releaseUnpinned(this.referenceFloors());
    this.gateway?.notifyCheckpointAborted(id);
    this.listener.onCheckpointAborted?.(stats);
    if (!countsAsFailure || !this.gateway) return;
    if (p.isFinal) {
      this.listener.onFailure(new CheckpointError(`the final checkpoint ${id} failed: ${reason}`));
    } else if (!p.savepoint && ++this.consecutiveFailures > this.settings.tolerableFailures) {
      this.listener.onFailure(
        new CheckpointError(
          `checkpoint ${id} failed (${reason}); ${this.consecutiveFailures} checkpoint(s) failed in a row, more than the ${this.settings.tolerableFailures} tolerated (--tolerable-failures)`,
        ),
      );
    }
  }

  /** Removes what a failed savepoint left in `directory`, without waiting for it. */
  private discardSavepointDirectory(directory: string): void {
    if (this.savepoints) void this.settleCleanup(this.savepoints.discardFailed(directory), `deleting the failed savepoint in '${directory}'`);
  }

  private cleanupFailed(what: string, error: unknown): void {
    this.listener.onCleanupFailed?.(what, error);
  }

  /** Waits for a deletion and reports its failure instead of throwing it. */
  private async settleCleanup(work: Promise<unknown>, what: string): Promise<void> {
    try {
      await work;
    } catch (error) {
      this.cleanupFailed(what, error);
    }
  }

  /** The reference floors of the pending checkpoints (savepoints refer to nothing). */
  private referenceFloors(): number[] {
    return [...this.pending.values()].flatMap((p) => (p.referenceFloor === undefined ? [] : [p.referenceFloor]));
  }

  private record(stats: CheckpointStats): void {
    if (stats.isFinal && !this.storage && stats.kind !== 'savepoint') return; // only the final commit of a job without checkpointing
    this.history.push(stats);
    if (this.history.length > HISTORY) this.history.shift();
  }
}
