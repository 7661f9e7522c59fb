/**
 * Takes one task's part of a checkpoint. The synchronous part runs between two records:
 * every operator's `snapshotState` (functions write their operator state, sinks
 * pre-commit), the operator state stores encode themselves, keyed backends fix their
 * copy-on-write view, the source records its position, and the barrier goes downstream.
 * The asynchronous part then serializes keyed state, writes the state files (or, for an
 * incremental keyed snapshot, lets the backend store its files through the checkpoint's
 * file store) and acknowledges to the coordinator while the task goes on processing.
 */
import type { Logger } from '../../core/logging/logger.js';
import { performance } from 'node:perf_hooks';
import type {
  IncrementalKeyedStateHandle,
  KeyedStateHandle,
  OperatorSubtaskState,
  StateFileHandle,
  TaskCheckpointAck,
} from '../../checkpoint/checkpoint-metadata.js';
import type { CheckpointFileStore } from '../../checkpoint/storage/checkpoint-file-store.js';
import { writeStateFileInto } from '../../checkpoint/storage/savepoint-storage.js';
import { stateFileName } from '../../checkpoint/storage/state-file-name.js';
import { CheckpointError } from '../../core/errors.js';
import { readKeyedSnapshotHeader } from '../../state/keyed-snapshot/keyed-snapshot-reader.js';
import type { IncrementalKeyedStateSnapshot, SnapshotRunner } from '../../state/keyed-state-backend.js';
import { encodeOperatorStateSnapshot } from '../../state/operator/operator-state-snapshot.js';
import type { CheckpointBarrier } from '../../checkpoint/barrier/checkpoint-barrier.js';
import type { RecordWriter } from '../io/record-writer.js';
import type { SourceReader } from '../source.js';
import type { ChainedOperator } from './operator-chain.js';
import { markOperator } from './task-failure.js';

/** Writes a task's state files (the checkpoint storage, seen from a task). */
export interface StateFileWriter {
  /** Writes into checkpoint `checkpointId`'s directory, or into `directory` (a savepoint's) when given. */
  writeStateFile(checkpointId: number, name: string, bytes: Uint8Array, directory?: string): Promise<StateFileHandle>;
  /**
   * Where the keyed backend of operator `uid`, subtask `subtaskIndex`, stores the files of
   * an incremental snapshot for checkpoint `checkpointId`. Never asked for savepoints:
   * they are always full snapshots.
   */
  fileStore(checkpointId: number, uid: string, subtaskIndex: number): CheckpointFileStore;
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
  /** Where an incremental keyed snapshot stores its files (checkpoints with storage only). */
  readonly files?: CheckpointFileStore;
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
    private readonly logger?: Logger | undefined,
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
    const savepoint = barrier.options.targetDirectory !== undefined;
    const stores = this.storage !== undefined || savepoint;
    const floor = barrier.options.lastCompletedCheckpointId;
    const lastCompleted = floor === undefined ? {} : { lastCompletedCheckpointId: floor };
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
        // savepoints are always full: they get no file store
        const files = op.keyedBackend && !savepoint ? this.storage?.fileStore(id, op.uid, this.subtaskIndex) : undefined;
        parts.push({
          uid: op.uid,
          operatorState: opSnapshot.states.length > 0 ? encodeOperatorStateSnapshot(opSnapshot) : undefined,
          keyed: op.keyedBackend?.snapshot(id, { savepoint, ...(files ? { files } : {}), ...lastCompleted }),
          ...(files ? { files } : {}),
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
    await this.settled();
  }

  /** Resolves when the asynchronous parts running now have ended (acknowledged, declined or given up). */
  async settled(): Promise<void> {
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
    // what incremental snapshots stored is deleted when the checkpoint is not acknowledged
    const discardStored = () =>
      Promise.all(
        parts.map((p) =>
          p.files?.discardStored().catch((error: unknown) => this.logger?.warn({ err: error, checkpointId: id }, `deleting the files checkpoint ${id} stored failed`)),
        ),
      );
    try {
      let stateBytes = 0;
      let fullStateBytes = 0;
      const uploadedSharedFiles: string[] = [];
      const operators: { uid: string; state: OperatorSubtaskState }[] = [];
      for (const part of parts) {
        if (!this.inFlight.has(id)) {
          await discardStored(); // aborted: write nothing more into its directory
          return;
        }
        let keyed: KeyedStateHandle | undefined;
        let operatorState: StateFileHandle | undefined;
        if (part.keyed) {
          const snapshot = await part.keyed.run();
          if (snapshot.type === 'incremental') {
            const incremental = incrementalHandle(part, snapshot);
            keyed = incremental.handle;
            uploadedSharedFiles.push(...incremental.uploaded);
            stateBytes += incremental.uploadedBytes;
            fullStateBytes += incremental.totalBytes;
          } else {
            const header = readKeyedSnapshotHeader(snapshot.bytes);
            if (header.keyGroups.length > 0 && this.inFlight.has(id)) {
              const file = await write(part.uid, 'keyed', snapshot.bytes);
              keyed = {
                ...file,
                keyGroupRange: [header.keyGroupRange.startKeyGroup, header.keyGroupRange.endKeyGroup],
                keyGroups: header.keyGroups.map(({ keyGroup, offset, length }) => ({ keyGroup, offset, length })),
              };
              stateBytes += file.size;
              fullStateBytes += file.size;
            }
          }
        }
        if (part.operatorState && this.inFlight.has(id)) {
          operatorState = await write(part.uid, 'operator', part.operatorState);
          stateBytes += operatorState.size;
          fullStateBytes += operatorState.size;
        }
        if (keyed || operatorState || part.sourcePosition !== undefined) {
          operators.push({
            uid: part.uid,
            state: { subtaskIndex: this.subtaskIndex, keyed, operatorState, sourcePosition: part.sourcePosition },
          });
        }
      }
      if (!this.inFlight.delete(id)) {
        await discardStored(); // aborted meanwhile
        return;
      }
      try {
        this.responder.acknowledge({
          checkpointId: id,
          vertexId: this.vertexId,
          subtaskIndex: this.subtaskIndex,
          operators,
          ...(uploadedSharedFiles.length > 0 ? { uploadedSharedFiles } : {}),
          stats: {
            vertexId: this.vertexId,
            subtaskIndex: this.subtaskIndex,
            syncMs,
            asyncMs: performance.now() - started,
            alignmentMs,
            stateBytes,
            ...(fullStateBytes !== stateBytes ? { fullStateBytes } : {}),
          },
        });
      } catch (error) {
        // the coordinator never heard of these files: nobody else would delete them
        await discardStored();
        this.decline(id, error);
      }
    } catch (error) {
      this.abort(id);
      await discardStored();
      this.decline(id, error);
    }
  }
}

/** The metadata handle of an incremental keyed snapshot, with what it uploaded. */
function incrementalHandle(
  part: SyncResult,
  snapshot: IncrementalKeyedStateSnapshot,
): { handle: IncrementalKeyedStateHandle; uploaded: string[]; uploadedBytes: number; totalBytes: number } {
  if (!part.files) {
    throw new CheckpointError(
      `operator '${part.uid}': its keyed state backend returned an incremental snapshot without a file store; savepoints are always full snapshots`,
    );
  }
  const copy = ({ name, file, size }: { name: string; file: string; size: number }) => ({ name, file, size });
  const sharedFiles = snapshot.sharedFiles.map(copy);
  const privateFiles = snapshot.privateFiles.map(copy);
  const uploadedSet = new Set(snapshot.uploaded ?? []);
  const uploaded = sharedFiles.filter((f) => uploadedSet.has(f.file));
  const sum = (files: readonly { size: number }[]) => files.reduce((n, f) => n + f.size, 0);
  return {
    handle: {
      type: 'incremental',
      backend: snapshot.backend,
      keyGroupRange: [snapshot.keyGroupRange[0], snapshot.keyGroupRange[1]],
      states: snapshot.states.map((state) => ({ ...state })),
      sharedFiles,
      privateFiles,
    },
    uploaded: uploaded.map((f) => f.file),
    uploadedBytes: sum(uploaded) + sum(privateFiles),
    totalBytes: sum(sharedFiles) + sum(privateFiles),
  };
}

