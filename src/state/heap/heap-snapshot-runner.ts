/**
 * The asynchronous part of a heap snapshot: serializes the key-group slots that
 * `snapshot()` captured (frozen by copy-on-write, so later writes do not show) into the
 * keyed snapshot format, yielding to the event loop between key groups so that record
 * processing goes on.
 */
import type { ByteWriter } from '../../core/byte-writer.js';
import { CheckpointError, StateSerializationError } from '../../core/errors.js';
import { encodeKey, keyFromId, type KeyId } from '../../core/key-encoding.js';
import type { KeyGroupRange } from '../../core/key-group-range.js';
import type { KeyedSnapshotStateMeta } from '../keyed-snapshot/keyed-snapshot-format.js';
import { KeyedSnapshotWriter } from '../keyed-snapshot/keyed-snapshot-writer.js';
import {
  writeEntryKey,
  writeListPayload,
  writeMapPayload,
  writeSinglePayload,
  type StateBlockCodec,
} from '../keyed-snapshot/state-block-codec.js';
import type { FullKeyedStateSnapshot, SnapshotRunner } from '../keyed-state-backend.js';
import { isEmptySlot, StateTable, type KeyGroupSlot } from './state-table.js';

/** A registered state as `snapshot()` captured it. */
export interface CapturedTable {
  readonly type: 'table';
  readonly meta: KeyedSnapshotStateMeta;
  readonly codec: StateBlockCodec;
  readonly slots: readonly KeyGroupSlot[];
}

/** A restored state nobody requested: its blocks are written back as they are. */
export interface CapturedBlocks {
  readonly type: 'blocks';
  readonly meta: KeyedSnapshotStateMeta;
  readonly blocks: ReadonlyMap<number, Uint8Array>;
}

/** One state in a snapshot. */
export type CapturedState = CapturedTable | CapturedBlocks;

/** What the runner writes into the header. */
export interface HeapSnapshotInfo {
  readonly checkpointId: number;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Error message prefix (`operator 'x' (subtask 1/2): `) or `''`. */
  readonly prefix: string;
}

/** How long the runner works before it lets other tasks run. */
const SLICE_MS = 5;

type RunnerStatus = 'ready' | 'running' | 'done' | 'cancelled';

/** The {@link SnapshotRunner} of the heap backend. */
export class HeapSnapshotRunner implements SnapshotRunner<FullKeyedStateSnapshot> {
  readonly checkpointId: number;
  private readonly info: HeapSnapshotInfo;
  private readonly states: readonly CapturedState[];
  private readonly onRelease: () => void;
  private status: RunnerStatus = 'ready';
  private released = false;

  constructor(info: HeapSnapshotInfo, states: readonly CapturedState[], onRelease: () => void) {
    this.checkpointId = info.checkpointId;
    this.info = info;
    this.states = states;
    this.onRelease = onRelease;
  }

  async run(): Promise<FullKeyedStateSnapshot> {
    if (this.status !== 'ready') {
      throw new CheckpointError(
        `${this.info.prefix}the keyed snapshot of checkpoint ${this.checkpointId} was already ${this.status === 'cancelled' ? 'cancelled' : 'run'}`,
      );
    }
    this.status = 'running';
    try {
      const bytes = await this.write();
      return { type: 'full', checkpointId: this.checkpointId, bytes };
    } finally {
      if (this.status === 'running') this.status = 'done';
      this.release();
    }
  }

  cancel(): void {
    if (this.status === 'done' || this.status === 'cancelled') return;
    const wasReady = this.status === 'ready';
    this.status = 'cancelled';
    if (wasReady) this.release(); // a running snapshot releases when it stops
  }

  private async write(): Promise<Uint8Array> {
    const { keyGroupRange, maxParallelism, checkpointId } = this.info;
    const writer = new KeyedSnapshotWriter({
      maxParallelism,
      keyGroupRange,
      checkpointId,
      states: this.states.map((state) => state.meta),
    });
    const first = keyGroupRange.startKeyGroup;
    let sliceEnd = performance.now() + SLICE_MS;
    for (let keyGroup = first; keyGroup <= keyGroupRange.endKeyGroup; keyGroup++) {
      writer.beginKeyGroup(keyGroup);
      for (let index = 0; index < this.states.length; index++) {
        const state = this.states[index]!;
        if (state.type === 'blocks') {
          const block = state.blocks.get(keyGroup);
          if (block !== undefined) writer.addStateBlock(index, block);
          continue;
        }
        const slot = state.slots[keyGroup - first]!;
        if (isEmptySlot(slot)) continue;
        const out = writer.beginStateBlock(index);
        try {
          writeSlot(out, slot, state);
        } catch (cause) {
          throw new StateSerializationError(
            `${this.info.prefix}state '${state.meta.name}' in key group ${keyGroup}: cannot serialize with serializer '${state.codec.value.id}': ${(cause as Error)?.message ?? String(cause)}`,
            { cause },
          );
        }
        writer.endStateBlock();
      }
      writer.endKeyGroup();
      if (performance.now() >= sliceEnd) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if ((this.status as RunnerStatus) === 'cancelled') {
          throw new CheckpointError(`${this.info.prefix}the keyed snapshot of checkpoint ${checkpointId} was cancelled`);
        }
        sliceEnd = performance.now() + SLICE_MS;
      }
    }
    return writer.finish();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    for (const state of this.states) if (state.type === 'table') StateTable.release(state.slots);
    this.onRelease();
  }
}

function writeSlot(out: ByteWriter, slot: KeyGroupSlot, state: CapturedTable): void {
  writeEntries(out, slot.data, undefined, state);
  if (slot.namespaces === undefined) return;
  for (const [namespaceId, map] of slot.namespaces) {
    if (map.size !== 0) writeEntries(out, map, encodeKey(keyFromId(namespaceId)), state);
  }
}

function writeEntries(
  out: ByteWriter,
  map: ReadonlyMap<KeyId, unknown>,
  namespaceBytes: Uint8Array | undefined,
  state: CapturedTable,
): void {
  const { codec } = state;
  const kind = state.meta.kind;
  for (const [id, value] of map) {
    writeEntryKey(out, encodeKey(keyFromId(id)), namespaceBytes);
    if (kind === 'list') writeListPayload(out, value as unknown[], codec);
    else if (kind === 'map') writeMapPayload(out, (value as Map<KeyId, unknown>).size, userPairs(value as Map<KeyId, unknown>), codec);
    else writeSinglePayload(out, value, codec);
  }
}

function* userPairs(map: Map<KeyId, unknown>): Generator<[unknown, unknown]> {
  for (const [id, value] of map) yield [keyFromId(id), value];
}
