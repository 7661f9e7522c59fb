/**
 * Hands records to a {@link Sink}'s writer. For a {@link TwoPhaseCommittingSink} it also
 * runs the two phases: on every checkpoint the writer pre-commits and the committables
 * go into the checkpoint (union list state `_committables`); when the checkpoint
 * completes they are committed. After a restore, subtask 0 commits every committable of
 * the restored checkpoint again (commits are idempotent) and cleans up what failed
 * attempts left behind, before any writer starts.
 */
import type { OperatorSetup, StreamOperator } from '../../runtime/operators/stream-operator.js';
import { isTwoPhaseCommittingSink } from '../../runtime/sink.js';
import type { Committer, CommittingSinkWriter, Sink, SinkWriter } from '../../runtime/sink.js';
import { ListStateDescriptor } from '../../state/descriptors.js';
import type { ListState } from '../../state/state.js';

/** A committable as stored in the checkpoint, with the checkpoint that prepared it. */
interface StoredCommittable {
  readonly checkpointId: number;
  readonly committable: unknown;
}

export class SinkOperator<T> implements StreamOperator<T, never> {
  readonly commitsOnCheckpoint = true;
  private setupInfo!: OperatorSetup<never>;
  private writer!: SinkWriter<T>;
  private committer: Committer<unknown> | undefined;
  private committables: ListState<StoredCommittable> | undefined;
  /** Prepared but not yet committed, by checkpoint id. */
  private readonly pending = new Map<number, readonly unknown[]>();

  constructor(private readonly sink: Sink<T>) {}

  get keepsState(): boolean {
    return isTwoPhaseCommittingSink(this.sink);
  }

  setup(setup: OperatorSetup<never>): void {
    this.setupInfo = setup;
  }

  async initializeState(): Promise<void> {
    if (!isTwoPhaseCommittingSink(this.sink)) return;
    const { info, operatorStateStore } = this.setupInfo;
    this.committer = this.sink.createCommitter({
      jobId: info.jobId,
      subtaskIndex: info.subtaskIndex,
      parallelism: info.parallelism,
      attemptNumber: info.attemptNumber,
      emitToCoordinator: this.setupInfo.emitToCoordinator,
    });
    this.committables = operatorStateStore.getUnionListState(new ListStateDescriptor<StoredCommittable>('_committables'));
    if (operatorStateStore.isRestored()) {
      const restored = [...this.committables.get()].map((c) => c.committable);
      if (info.subtaskIndex === 0) {
        await this.committer.commit(restored);
        await this.committer.cleanup?.(restored);
      }
      this.committables.clear();
    } else if (info.subtaskIndex === 0) {
      // a fresh start: what earlier attempts (or crashed runs) prepared is void
      await this.committer.cleanup?.([]);
    }
  }

  open(): void {
    const { info } = this.setupInfo;
    this.writer = this.sink.createWriter({
      jobId: info.jobId,
      subtaskIndex: info.subtaskIndex,
      parallelism: info.parallelism,
      attemptNumber: info.attemptNumber,
      emitToCoordinator: this.setupInfo.emitToCoordinator,
    });
  }

  processElement(record: T): void {
    this.writer.write(record);
  }

  async snapshotState(checkpointId: number): Promise<void> {
    if (!this.committables) {
      await this.writer.flush?.(false); // a plain sink: at least make what was written durable
      return;
    }
    const prepared = await (this.writer as CommittingSinkWriter<T, unknown>).prepareCommit(checkpointId);
    if (prepared.length > 0) this.pending.set(checkpointId, prepared);
    const stored: StoredCommittable[] = [];
    for (const [id, list] of this.pending) for (const committable of list) stored.push({ checkpointId: id, committable });
    this.committables.update(stored);
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    if (!this.committer) return;
    for (const [id, list] of [...this.pending]) {
      if (id > checkpointId) continue;
      await this.committer.commit(list);
      this.pending.delete(id);
    }
  }

  finish(): void | Promise<void> {
    // a two-phase sink's last data is prepared by the final checkpoint and committed when it completes
    return this.writer.flush?.(!this.committables);
  }

  close(): void | Promise<void> {
    return this.writer?.close?.();
  }
}
