/**
 * Writes a keyed snapshot (format v1, see keyed-snapshot-format.ts): key-group sections
 * first into one buffer, then the header with the index in front of them.
 */
import { ByteWriter } from '../../core/byte-writer.js';
import { crc32 } from '../../core/crc32.js';
import type { KeyGroupRange } from '../../core/key-group-range.js';
import {
  KEYED_SNAPSHOT_MAGIC,
  KEYED_SNAPSHOT_VERSION,
  STATE_KIND_CODES,
  type KeyGroupIndexEntry,
  type KeyedSnapshotStateMeta,
} from './keyed-snapshot-format.js';

/** What the header of a new snapshot says. */
export interface KeyedSnapshotInfo {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly checkpointId: number;
  readonly states: readonly KeyedSnapshotStateMeta[];
}

/** Fixed bytes before the header body: magic, u16 version, u32 header length. */
const PREAMBLE_BYTES = 10;

/**
 * Builds a snapshot key group by key group, in ascending order:
 * `beginKeyGroup`, then any number of state blocks, then `endKeyGroup`; `finish` at the end.
 */
export class KeyedSnapshotWriter {
  private readonly info: KeyedSnapshotInfo;
  private readonly data = new ByteWriter(64 * 1024);
  private readonly index: KeyGroupIndexEntry[] = [];
  private currentKeyGroup = -1;
  private lastKeyGroup = -1;
  private sectionStart = 0;
  private blockLengthAt = -1;

  constructor(info: KeyedSnapshotInfo) {
    this.info = info;
  }

  /** Starts the section of `keyGroup` (greater than the previous one). */
  beginKeyGroup(keyGroup: number): void {
    if (this.currentKeyGroup !== -1) throw new Error('KeyedSnapshotWriter: key group not ended');
    if (keyGroup <= this.lastKeyGroup) throw new Error(`KeyedSnapshotWriter: key group ${keyGroup} out of order`);
    this.currentKeyGroup = keyGroup;
    this.sectionStart = this.data.position;
  }

  /**
   * Starts the block of state number `stateIndex` (its index in the header) and returns the
   * writer its entries go to; close it with {@link KeyedSnapshotWriter.endStateBlock}.
   */
  beginStateBlock(stateIndex: number): ByteWriter {
    if (this.currentKeyGroup === -1 || this.blockLengthAt !== -1) throw new Error('KeyedSnapshotWriter: misplaced state block');
    this.data.varint(stateIndex);
    this.blockLengthAt = this.data.position;
    this.data.u32(0);
    return this.data;
  }

  /** Ends the block begun by {@link KeyedSnapshotWriter.beginStateBlock}. */
  endStateBlock(): void {
    const start = this.blockLengthAt + 4;
    this.data.patchU32(this.blockLengthAt, this.data.position - start);
    this.blockLengthAt = -1;
  }

  /** Adds a block whose entry bytes already exist (a restored state nobody claimed). */
  addStateBlock(stateIndex: number, block: Uint8Array): void {
    this.beginStateBlock(stateIndex).raw(block);
    this.endStateBlock();
  }

  /** Ends the current key group's section; a section without blocks is left out of the index. */
  endKeyGroup(): void {
    const length = this.data.position - this.sectionStart;
    if (length > 0) {
      const crc = crc32(this.data.subarray(this.sectionStart));
      this.index.push({ keyGroup: this.currentKeyGroup, offset: this.sectionStart, length, crc32: crc });
    }
    this.lastKeyGroup = this.currentKeyGroup;
    this.currentKeyGroup = -1;
  }

  /** The complete snapshot bytes. */
  finish(): Uint8Array {
    if (this.currentKeyGroup !== -1) throw new Error('KeyedSnapshotWriter: key group not ended');
    // Index offsets are absolute, and the header's size does not depend on their values.
    const headerLength = this.writeHeaderBody(0).position;
    const dataStart = PREAMBLE_BYTES + headerLength + 4;
    const body = this.writeHeaderBody(dataStart);
    const total = dataStart + this.data.position;
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    out.set(KEYED_SNAPSHOT_MAGIC, 0);
    view.setUint16(4, KEYED_SNAPSHOT_VERSION);
    view.setUint32(6, headerLength);
    out.set(body.subarray(0), PREAMBLE_BYTES);
    view.setUint32(PREAMBLE_BYTES + headerLength, crc32(out.subarray(0, PREAMBLE_BYTES + headerLength)));
    out.set(this.data.subarray(0), dataStart);
    return out;
  }

  private writeHeaderBody(dataStart: number): ByteWriter {
    const { maxParallelism, keyGroupRange, checkpointId, states } = this.info;
    const w = new ByteWriter(256 + states.length * 64 + this.index.length * 20);
    w.u32(maxParallelism);
    w.u32(keyGroupRange.startKeyGroup);
    w.u32(keyGroupRange.numberOfKeyGroups);
    w.u64(checkpointId);
    w.varint(states.length);
    for (const state of states) {
      w.string(state.name);
      w.u8(STATE_KIND_CODES[state.kind]);
      w.string(state.serializerId);
      w.u32(state.serializerVersion);
      w.u32(state.descriptorVersion);
      w.string(state.userKeySerializerId);
      w.u32(state.userKeySerializerVersion);
    }
    w.varint(this.index.length);
    for (const entry of this.index) {
      w.u32(entry.keyGroup);
      w.u64(dataStart + entry.offset);
      w.u32(entry.length);
      w.u32(entry.crc32);
    }
    return w;
  }
}
