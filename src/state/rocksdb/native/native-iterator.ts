/**
 * {@link RocksDBIterator} over `rocksdb_iterator_t`. RocksDB's iterator asserts (or reads
 * garbage) when key(), value() or next() is called off a valid position, so the wrapper
 * remembers the last valid() answer and checks it instead of trusting the caller.
 */
import { RocksDBError } from './rocksdb-api.js';
import type { RocksDBIterator } from './rocksdb-api.js';
import type { Pointer, RocksDBBindings } from './rocksdb-bindings.js';
import type { NativeMemory } from './native-memory.js';
import type { NativeResource, NativeRocksDB } from './native-rocksdb.js';

/** Whether the iterator is known to be on an entry, known not to be, or moved since asked. */
type Position = 'unknown' | 'valid' | 'invalid';

/** An iterator over one column family; frees its read options and bounds with itself. */
export class NativeIterator implements RocksDBIterator, NativeResource {
  private iterator: Pointer | null;
  private position: Position = 'unknown';

  constructor(
    private readonly b: RocksDBBindings,
    private readonly mem: NativeMemory,
    private readonly owner: NativeRocksDB,
    private readonly family: string,
    iterator: Pointer,
    /** Read options created for this iterator only (null: the database's shared ones). */
    private readonly readOptions: Pointer | null,
    /** Native copies of the bounds, which the read options point into. */
    private readonly bounds: readonly Pointer[],
  ) {
    this.iterator = iterator;
  }

  seekToFirst(): void {
    this.b.iter_seek_to_first(this.live());
    this.position = 'unknown';
  }

  seek(key: Uint8Array): void {
    this.b.iter_seek(this.live(), this.mem.stageKey(key), key.length);
    this.position = 'unknown';
  }

  valid(): boolean {
    const valid = this.b.iter_valid(this.live()) !== 0;
    this.position = valid ? 'valid' : 'invalid';
    return valid;
  }

  next(): void {
    this.b.iter_next(this.onEntry('next'));
    this.position = 'unknown';
  }

  key(): Uint8Array {
    const ptr = this.b.iter_key(this.onEntry('key'), this.mem.length);
    return this.mem.copyOut(ptr, this.mem.lengthValue());
  }

  value(): Uint8Array {
    const ptr = this.b.iter_value(this.onEntry('value'), this.mem.length);
    return this.mem.copyOut(ptr, this.mem.lengthValue());
  }

  checkStatus(): void {
    this.b.iter_get_error(this.live(), this.mem.error);
    this.mem.check(() => `RocksDB iteration over column family '${this.family}' at ${this.owner.path} failed`);
  }

  close(): void {
    this.free();
    this.owner.untrack(this);
  }

  /** @internal */
  free(): void {
    if (this.iterator === null) return;
    this.b.iter_destroy(this.iterator);
    this.iterator = null;
    if (this.readOptions !== null) this.b.readoptions_destroy(this.readOptions);
    for (const bound of this.bounds) this.mem.freeNative(bound);
  }

  private live(): Pointer {
    if (this.iterator !== null) return this.iterator;
    this.owner.live();
    throw new RocksDBError(`the iterator over column family '${this.family}' at ${this.owner.path} is closed`);
  }

  private onEntry(operation: string): Pointer {
    const iterator = this.live();
    if (this.position === 'valid' || (this.position === 'unknown' && this.valid())) return iterator;
    throw new RocksDBError(
      `iterator.${operation}() called past the end of column family '${this.family}' at ${this.owner.path}; ` +
        'check valid() first',
    );
  }
}
