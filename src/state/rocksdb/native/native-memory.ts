/**
 * The per-thread native memory calls read and write through, so the per-record path
 * allocates nothing but the values it returns. Passing a typed array through koffi costs
 * more than passing a pointer, and a small JavaScript byte array lives in V8's heap, where
 * koffi must first move it off-heap (several hundred ns); so out-parameters and small keys
 * and values go through one fixed native block instead, addressed by pointer.
 *
 * Copying native bytes out is dominated by allocating the result: V8 allocates a typed
 * array of more than 64 bytes off-heap, at about 1 µs each. So small results are
 * memcpy()ed into the block and `slice`d onto V8's heap, medium ones are memcpy()ed into a
 * region of a shared 64 KiB slab (as Node's Buffer pool does: the result is a view with a
 * byteOffset into a buffer other results share), and only large ones get a buffer of
 * their own.
 */
import { RocksDBError } from './rocksdb-api.js';
import type { Koffi, Pointer, RocksDBBindings } from './rocksdb-bindings.js';

/** Arrays up to this length are staged: V8 keeps typed arrays of at most 64 bytes on its heap. */
const STAGE_LIMIT = 64;
/** Results up to this length are copied onto V8's heap through the block. */
const COPY_OUT_LIMIT = 64;
/** Results up to this length are carved from a shared slab. */
const SLAB_LIMIT = 4096;
const SLAB_SIZE = 64 * 1024;
/** Layout of the block: the `char **errptr` slot, the `size_t *len` slot, two stages, the copy area. */
const ERROR_AT = 0;
const LENGTH_AT = 8;
const KEY_STAGE_AT = 16;
const VALUE_STAGE_AT = KEY_STAGE_AT + STAGE_LIMIT;
const COPY_AT = VALUE_STAGE_AT + STAGE_LIMIT;
const BLOCK_SIZE = COPY_AT + COPY_OUT_LIMIT;

/**
 * Staging, out-parameter slots and copy-out for one thread. The block is allocated once
 * per thread and lives as long as the thread (a few hundred bytes).
 */
export class NativeMemory {
  /** Address of the `char **errptr` slot: RocksDB stores a malloc()ed message there on failure. */
  readonly error: Pointer;
  /** Address of the `size_t *len` out-parameter slot. */
  readonly length: Pointer;
  private readonly keyStage: Pointer;
  private readonly valueStage: Pointer;
  private readonly copyArea: Pointer;
  private readonly words: Uint32Array;
  private readonly errorPointer: BigUint64Array;
  private readonly keyStageView: Uint8Array;
  private readonly valueStageView: Uint8Array;
  private readonly copyView: Uint8Array;
  private slab = new ArrayBuffer(SLAB_SIZE);
  private slabUsed = 0;

  constructor(
    private readonly b: RocksDBBindings,
    private readonly koffi: Koffi,
  ) {
    const block = koffi.alloc('uint8_t', BLOCK_SIZE) as Pointer;
    const memory = koffi.view(block, BLOCK_SIZE);
    new Uint8Array(memory, 0, KEY_STAGE_AT).fill(0);
    this.error = block + BigInt(ERROR_AT);
    this.length = block + BigInt(LENGTH_AT);
    this.keyStage = block + BigInt(KEY_STAGE_AT);
    this.valueStage = block + BigInt(VALUE_STAGE_AT);
    this.copyArea = block + BigInt(COPY_AT);
    this.words = new Uint32Array(memory, 0, 4);
    this.errorPointer = new BigUint64Array(memory, ERROR_AT, 1);
    this.keyStageView = new Uint8Array(memory, KEY_STAGE_AT, STAGE_LIMIT);
    this.valueStageView = new Uint8Array(memory, VALUE_STAGE_AT, STAGE_LIMIT);
    this.copyView = new Uint8Array(memory, COPY_AT, COPY_OUT_LIMIT);
  }

  /** What to pass for `bytes` as a key (or range start), with its length passed explicitly. */
  stageKey(bytes: Uint8Array): Pointer | Uint8Array {
    if (bytes.length > STAGE_LIMIT) return bytes;
    this.keyStageView.set(bytes);
    return this.keyStage;
  }

  /** Like {@link stageKey}, for the second byte argument of a call (value or range end). */
  stageValue(bytes: Uint8Array): Pointer | Uint8Array {
    if (bytes.length > STAGE_LIMIT) return bytes;
    this.valueStageView.set(bytes);
    return this.valueStage;
  }

  /** The `size_t` the last call stored at {@link length} (little-endian; below 4 GiB). */
  lengthValue(): number {
    return this.words[2]!;
  }

  /** Whether the last call stored an error at {@link error}. */
  failed(): boolean {
    return (this.words[0]! | this.words[1]!) !== 0;
  }

  /**
   * Takes the error message of the last call (freeing it and clearing the slot, which
   * RocksDB does not reset on success) as a {@link RocksDBError}: `<context>: <message>`.
   */
  takeError(context: string): RocksDBError {
    const ptr = this.errorPointer[0]!;
    this.errorPointer[0] = 0n;
    return new RocksDBError(`${context}: ${this.takeString(ptr)}`);
  }

  /** Throws {@link takeError} if the last call failed. */
  check(context: () => string): void {
    if (this.failed()) throw this.takeError(context());
  }

  /**
   * A copy of `length` native bytes at `ptr`, owned by the caller; between 65 bytes and
   * 4 KiB a view into a shared slab (do not assume `byteOffset` 0 or transfer `buffer`).
   */
  copyOut(ptr: Pointer, length: number): Uint8Array {
    if (length <= COPY_OUT_LIMIT) {
      if (length === 0) return new Uint8Array(0);
      this.b.memcpy(this.copyArea, ptr, length);
      return this.copyView.slice(0, length);
    }
    let copy: Uint8Array;
    if (length <= SLAB_LIMIT) {
      if (this.slabUsed + length > SLAB_SIZE) {
        this.slab = new ArrayBuffer(SLAB_SIZE);
        this.slabUsed = 0;
      }
      copy = new Uint8Array(this.slab, this.slabUsed, length);
      this.slabUsed += (length + 7) & ~7; // 8-byte aligned, for Float64Array views
    } else {
      copy = new Uint8Array(new ArrayBuffer(length));
    }
    this.b.memcpy(copy, ptr, length);
    return copy;
  }

  /** Copies then frees a malloc()ed C string. */
  takeString(ptr: Pointer): string {
    const text = this.koffi.decode.string(ptr);
    this.b.free(ptr);
    return text;
  }

  /** The C strings of a native `char **` array of `count` entries. */
  readStrings(array: Pointer, count: number): string[] {
    const pointerSize = this.koffi.sizeof('void *');
    return Array.from({ length: count }, (_, i) => this.koffi.decode(array, i * pointerSize, 'const char *') as string);
  }

  /**
   * A copy of `bytes` in native memory that stays put until {@link freeNative} (RocksDB
   * keeps pointers to iterator bounds, so they cannot live in a movable JavaScript array).
   */
  allocNative(bytes: Uint8Array): Pointer {
    const ptr = this.koffi.alloc('uint8_t', Math.max(bytes.length, 1)) as Pointer;
    if (bytes.length > 0) this.b.memcpy(ptr, bytes, bytes.length);
    return ptr;
  }

  /** Frees memory from {@link allocNative}. */
  freeNative(ptr: Pointer): void {
    this.koffi.free(ptr);
  }
}
