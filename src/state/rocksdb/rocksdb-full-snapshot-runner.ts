/**
 * The asynchronous part of a full snapshot of the RocksDB backend: reads every state as of
 * a RocksDB snapshot (taken in the synchronous part) and writes the canonical keyed
 * snapshot format, key group by key group, so savepoints (and full checkpoints) are the
 * same bytes whatever the backend. Stored bytes are copied as they are: values are never
 * deserialized.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CheckpointError } from '../../core/errors.js';
import type { KeyGroupRange } from '../../core/key-group-range.js';
import type { ByteWriter } from '../../core/byte-writer.js';
import type { StateKind } from '../descriptors.js';
import type { KeyedSnapshotStateMeta } from '../keyed-snapshot/keyed-snapshot-format.js';
import { KeyedSnapshotWriter } from '../keyed-snapshot/keyed-snapshot-writer.js';
import { writeEntryKey } from '../keyed-snapshot/state-block-codec.js';
import type { FullKeyedStateSnapshot, SnapshotRunner } from '../keyed-state-backend.js';
import type { RocksDB, RocksDBColumnFamily, RocksDBIterator, RocksDBSnapshot } from './native/rocksdb-api.js';
import { equalBytes, keyGroupOf, keyGroupStart, parseEntryKey } from './rocksdb-key-layout.js';
import { splitListElements } from './rocksdb-list-format.js';

/** A state as the synchronous part found it. */
export interface CapturedColumn {
  readonly meta: KeyedSnapshotStateMeta;
  readonly cf: RocksDBColumnFamily;
}

/** What the runner needs besides the captured states. */
export interface FullSnapshotInfo {
  readonly checkpointId: number;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly keyGroupBytes: 1 | 2;
  /** `operator 'x' (subtask 1/2): ` or `''`, for messages. */
  readonly prefix: string;
}

/** Yield to the event loop after this long, so the task keeps processing records. */
const SLICE_MS = 5;

/** The {@link SnapshotRunner} of a full snapshot. */
export class RocksDBFullSnapshotRunner implements SnapshotRunner<FullKeyedStateSnapshot> {
  readonly checkpointId: number;
  private status: 'ready' | 'running' | 'done' | 'cancelled' = 'ready';

  constructor(
    private readonly db: RocksDB,
    private readonly snapshot: RocksDBSnapshot,
    private readonly columns: readonly CapturedColumn[],
    private readonly info: FullSnapshotInfo,
    private readonly released: () => void,
  ) {
    this.checkpointId = info.checkpointId;
  }

  async run(): Promise<FullKeyedStateSnapshot> {
    if (this.status !== 'ready') {
      throw new CheckpointError(
        `${this.info.prefix}the keyed snapshot of checkpoint ${this.checkpointId} was already ${this.status === 'cancelled' ? 'cancelled' : 'run'}`,
      );
    }
    this.status = 'running';
    const { keyGroupRange, keyGroupBytes } = this.info;
    const writer = new KeyedSnapshotWriter({
      maxParallelism: this.info.maxParallelism,
      keyGroupRange,
      checkpointId: this.checkpointId,
      states: this.columns.map((c) => c.meta),
    });
    const lower = keyGroupStart(keyGroupRange.startKeyGroup, keyGroupBytes);
    const upper = keyGroupRange.endKeyGroup + 1 < 2 ** (8 * keyGroupBytes) ? keyGroupStart(keyGroupRange.endKeyGroup + 1, keyGroupBytes) : undefined;
    const iterators: RocksDBIterator[] = [];
    try {
      for (const { cf } of this.columns) {
        const it = this.db.iterator(cf, { lowerBound: lower, upperBound: upper, snapshot: this.snapshot, noCacheFill: true });
        iterators.push(it);
        it.seek(lower);
      }
      let sliceStart = performance.now();
      for (let kg = keyGroupRange.startKeyGroup; kg <= keyGroupRange.endKeyGroup; kg++) {
        writer.beginKeyGroup(kg);
        this.columns.forEach(({ meta }, index) => {
          const it = iterators[index]!;
          if (!it.valid() || keyGroupOf(it.key(), keyGroupBytes) !== kg) return;
          writeBlock(writer.beginStateBlock(index), it, kg, meta, keyGroupBytes);
          writer.endStateBlock();
        });
        writer.endKeyGroup();
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToEventLoop();
          if ((this.status as string) === 'cancelled') {
            throw new CheckpointError(`${this.info.prefix}the keyed snapshot of checkpoint ${this.checkpointId} was cancelled`);
          }
          sliceStart = performance.now();
        }
      }
      for (const it of iterators) it.checkStatus();
      return { type: 'full', checkpointId: this.checkpointId, bytes: writer.finish() };
    } finally {
      for (const it of iterators) it.close();
      if (this.status === 'running') this.status = 'done';
      this.free();
    }
  }

  /** Gives up the snapshot; a running one stops at its next yield. */
  cancel(): void {
    if (this.status === 'done' || this.status === 'cancelled') return;
    const wasReady = this.status === 'ready';
    this.status = 'cancelled';
    if (wasReady) this.free();
  }

  private freed = false;

  private free(): void {
    if (this.freed) return;
    this.freed = true;
    this.snapshot.release();
    this.released();
  }
}

/** Writes the entries of key group `kg` the iterator stands on, leaving it after them. */
function writeBlock(out: ByteWriter, it: RocksDBIterator, kg: number, meta: KeyedSnapshotStateMeta, keyGroupBytes: 1 | 2): void {
  const kind: StateKind = meta.kind;
  if (kind !== 'map') {
    for (; it.valid(); it.next()) {
      const key = it.key();
      if (keyGroupOf(key, keyGroupBytes) !== kg) return;
      const parsed = parseEntryKey(key, keyGroupBytes, meta.name);
      writeEntryKey(out, parsed.keyBytes, parsed.namespaceBytes);
      const value = it.value();
      if (kind === 'list') {
        const elements = splitListElements(value);
        out.varint(elements.length);
        for (const element of elements) out.bytes(element);
      } else {
        out.bytes(value);
      }
    }
    return;
  }
  // a map entry per (key, namespace): gather the consecutive entries with the same prefix
  let prefix: Uint8Array | undefined;
  let pairs: Array<[Uint8Array, Uint8Array]> = [];
  const flush = (): void => {
    if (prefix === undefined) return;
    out.varint(pairs.length);
    for (const [userKey, value] of pairs) {
      out.bytes(userKey);
      out.bytes(value);
    }
    pairs = [];
  };
  for (; it.valid(); it.next()) {
    const key = it.key();
    if (keyGroupOf(key, keyGroupBytes) !== kg) break;
    const parsed = parseEntryKey(key, keyGroupBytes, meta.name);
    const entryPrefix = key.subarray(0, parsed.prefixLength);
    if (prefix === undefined || !equalBytes(prefix, entryPrefix)) {
      flush();
      prefix = entryPrefix;
      writeEntryKey(out, parsed.keyBytes, parsed.namespaceBytes);
    }
    pairs.push([key.subarray(parsed.prefixLength), it.value()]);
  }
  flush();
}
