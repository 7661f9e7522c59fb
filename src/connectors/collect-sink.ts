/**
 * Sends every record back to the caller, where `JobResult.output(name)` returns them.
 * For tests and programmatic use; everything it receives is kept in memory.
 *
 * It is exactly-once: records are held by the writer, handed out as a committable on each
 * checkpoint (so they are stored in the checkpoint), and sent to the coordinator when the
 * checkpoint completes. Each committable has an id, and the coordinator ignores an id it
 * has seen, so committing again after a restore never duplicates records.
 */
import type {
  Committer,
  CommitterContext,
  CommittingSinkWriter,
  SinkWriterContext,
  TwoPhaseCommittingSink,
} from '../runtime/sink.js';

/** Records of one subtask between two checkpoints, sent to the coordinator on commit. */
export interface CollectCommittable<T> {
  /** Unique per (job, attempt, subtask, checkpoint): the coordinator keeps the first of each id. */
  readonly id: string;
  readonly records: readonly T[];
}

/** A sink whose records come back in the job's result. */
export class CollectSink<T> implements TwoPhaseCommittingSink<T, CollectCommittable<T>> {
  readonly name: string;

  constructor(readonly collectName: string = 'collect') {
    this.name = `Collect(${collectName})`;
  }

  createWriter(ctx: SinkWriterContext): CommittingSinkWriter<T, CollectCommittable<T>> {
    let buffer: T[] = [];
    return {
      write(record) {
        buffer.push(record);
      },
      prepareCommit(checkpointId) {
        if (buffer.length === 0) return [];
        const records = buffer;
        buffer = [];
        return [{ id: `${ctx.jobId}/${ctx.attemptNumber}/${ctx.subtaskIndex}/${checkpointId}`, records }];
      },
    };
  }

  createCommitter(ctx: CommitterContext): Committer<CollectCommittable<T>> {
    const channel = `collect:${this.collectName}`;
    return {
      commit(committables) {
        if (committables.length > 0) ctx.emitToCoordinator(channel, [...committables]);
      },
    };
  }
}
