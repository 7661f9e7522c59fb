/**
 * Takes one task's part of a checkpoint. The synchronous part runs between two records:
 * every operator's `snapshotState` (functions write their operator state, sinks
 * pre-commit), the operator state stores encode themselves, keyed backends fix their
 * copy-on-write view, the source records its position, and the barrier goes downstream.
 * The asynchronous part then serializes keyed state, writes the state files and
 * acknowledges to the coordinator while the task goes on processing.
 */
import { performance } from 'node:perf_hooks';
import type {
  KeyedStateHandle,
  OperatorSubtaskState,
  StateFileHandle,
  TaskCheckpointAck,
} from '../../checkpoint/checkpoint-metadata.js';
import { writeStateFileInto } from '../../checkpoint/storage/savepoint-storage.js';
import { stateFileName } from '../../checkpoint/storage/state-file-name.js';
import { readKeyedSnapshotHeader } from '../../state/keyed-snapshot/keyed-snapshot-reader.js';
import type { SnapshotRunner } from '../../state/keyed-state-backend.js';
import { encodeOperatorStateSnapshot } from '../../state/operator/operator-state-snapshot.js';
import type { CheckpointBarrier } from '../io/channel-event.js';
import type { RecordWriter } from '../io/record-writer.js';
import type { SourceReader } from '../source.js';
import type { ChainedOperator } from './operator-chain.js';
import { markOperator } from './task-failure.js';

/** Writes a task's state files (the checkpoint storage, seen from a task). */
export interface StateFileWriter {
  /** Writes into checkpoint `checkpointId`'s directory, or into `directory` (a savepoint's) when given. */
  writeStateFile(checkpointId: number, name: string, bytes: Uint8Array, directory?: string): Promise<StateFileHandle>;
}

/** Where a task reports the outcome of its part of a checkpoint. */
export interface CheckpointResponder {
  acknowledge(ack: TaskCheckpointAck): void;
  /**
   * @param failure false when the task merely could not take part (not running, checkpoint
   *   subsumed or canceled upstream): such declines abort the checkpoint without counting
   *   towards the tolerable failures
   */
  decline(checkpointId: number, task: { readonly vertexId: number; readonly subtaskIndex: number }, reason: unknown, failure: boolean): void;
}

interface SyncResult {
  readonly uid: string;
  readonly operatorState: Uint8Array | undefined;
  readonly keyed: SnapshotRunner | undefined;
  readonly sourcePosition?: unknown;
}

/** Snapshots one task. */
export class TaskCheckpointer {
  private readonly inFlight = new Map<number, SnapshotRunner[]>();
  /** Asynchronous parts still running (also after an abort), so a closing task can wait for them. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly vertexId: number,
    private readonly subtaskIndex: number,
    private readonly operators: readonly ChainedOperator[],
    private readonly source: { readonly uid: string; readonly reader: SourceReader<unknown> } | undefined,
    private readonly writers: readonly RecordWriter[],
    /**
     * Undefined when checkpointing is off: checkpoints then only run the final commit and
     * store nothing; savepoints (which name their directory) still store everything.
     */
    private readonly storage: StateFileWriter | undefined,
    private readonly responder: CheckpointResponder,
  ) {}

  /**
   * Takes the synchronous part of checkpoint `barrier.checkpointId`, forwards the barrier
   * (unless `forward` is false: the final checkpoint has no downstream), and starts the
   * asynchronous part.
   */
  async checkpoint(barrier: CheckpointBarrier, alignmentMs: number, forward = true): Promise<void> {
    const id = barrier.checkpointId;
    const started = performance.now();
    const parts: SyncResult[] = [];
    const stores = this.storage !== undefined || barrier.options.targetDirectory !== undefined;
    try {
      for (const op of this.operators) {
        // without storage only the final commit runs: just the committing operators take part
        if (!stores && !op.operator.commitsOnCheckpoint) continue;
        try {
          await op.operator.snapshotState?.(id);
        } catch (error) {
          throw markOperator(error, op.name);
        }
        if (!stores) continue;
        const opSnapshot = op.operatorStateStore.snapshot();
        parts.push({
          uid: op.uid,
          operatorState: opSnapshot.states.length > 0 ? encodeOperatorStateSnapshot(opSnapshot) : undefined,
          keyed: op.keyedBackend?.snapshot(id),
        });
      }
      if (this.source && stores) {
        parts.push({ uid: this.source.uid, operatorState: undefined, keyed: undefined, sourcePosition: this.source.reader.snapshotPosition?.() });
      }
    } catch (error) {
      for (const p of parts) p.keyed?.cancel();
      throw error; // a failing snapshotState fails the task, as in Flink
    }
    if (forward) for (const w of this.writers) w.broadcastEvent(barrier);
    const syncMs = performance.now() - started;
    this.inFlight.set(id, parts.flatMap((p) => (p.keyed ? [p.keyed] : [])));
    const running = this.finishAsync(id, barrier.options.targetDirectory, parts, syncMs, alignmentMs).finally(() => this.running.delete(running));
    this.running.add(running);
  }

  /** The checkpoint was aborted: stop its asynchronous part's copy-on-write. */
  abort(checkpointId: number): void {
    const runners = this.inFlight.get(checkpointId);
    if (!runners) return;
    this.inFlight.delete(checkpointId);
    for (const r of runners) r.cancel();
  }

  /** Tells the coordinator this task cannot take part in checkpoint `checkpointId`. */
  decline(checkpointId: number, reason: unknown, failure = true): void {
    this.responder.decline(checkpointId, { vertexId: this.vertexId, subtaskIndex: this.subtaskIndex }, reason, failure);
  }

  /** Aborts everything in flight and waits until no asynchronous part writes any more (task ends or is canceled). */
  async dispose(): Promise<void> {
    for (const id of [...this.inFlight.keys()]) this.abort(id);
    await Promise.allSettled([...this.running]);
  }

  private async finishAsync(
    id: number,
    targetDirectory: string | undefined,
    parts: readonly SyncResult[],
    syncMs: number,
    alignmentMs: number,
  ): Promise<void> {
    const started = performance.now();
    // parts are empty when nothing is stored
    const write = (uid: string, kind: 'keyed' | 'operator', bytes: Uint8Array): Promise<StateFileHandle> => {
      const name = stateFileName(uid, this.subtaskIndex, kind);
      if (targetDirectory === undefined) return this.storage!.writeStateFile(id, name, bytes);
      return this.storage
        ? this.storage.writeStateFile(id, name, bytes, targetDirectory)
        : writeStateFileInto(targetDirectory, name, bytes, `savepoint ${id}`);
    };
    try {
      let stateBytes = 0;
      const operators: { uid: string; state: OperatorSubtaskState }[] = [];
      for (const part of parts) {
        if (!this.inFlight.has(id)) return; // aborted: write nothing more into its directory
        let keyed: KeyedStateHandle | undefined;
        let operatorState: StateFileHandle | undefined;
        if (part.keyed) {
          const snapshot = await part.keyed.run();
          if (snapshot.type !== 'full') throw new Error('incremental keyed snapshots are not stored yet');
          const header = readKeyedSnapshotHeader(snapshot.bytes);
          if (header.keyGroups.length > 0 && this.inFlight.has(id)) {
            const file = await write(part.uid, 'keyed', snapshot.bytes);
            keyed = {
              ...file,
              keyGroupRange: [header.keyGroupRange.startKeyGroup, header.keyGroupRange.endKeyGroup],
              keyGroups: header.keyGroups.map(({ keyGroup, offset, length }) => ({ keyGroup, offset, length })),
            };
            stateBytes += file.size;
          }
        }
        if (part.operatorState && this.inFlight.has(id)) {
          operatorState = await write(part.uid, 'operator', part.operatorState);
          stateBytes += operatorState.size;
        }
        if (keyed || operatorState || part.sourcePosition !== undefined) {
          operators.push({
            uid: part.uid,
            state: { subtaskIndex: this.subtaskIndex, keyed, operatorState, sourcePosition: part.sourcePosition },
          });
        }
      }
      if (!this.inFlight.delete(id)) return; // aborted meanwhile
      this.responder.acknowledge({
        checkpointId: id,
        vertexId: this.vertexId,
        subtaskIndex: this.subtaskIndex,
        operators,
        stats: {
          vertexId: this.vertexId,
          subtaskIndex: this.subtaskIndex,
          syncMs,
          asyncMs: performance.now() - started,
          alignmentMs,
          stateBytes,
        },
      });
    } catch (error) {
      this.abort(id);
      this.decline(id, error);
    }
  }
}
