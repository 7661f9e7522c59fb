/**
 * {@link RocksDB} over the C API. get/put/delete are on a state backend's per-record path:
 * they reuse one read and one write options object and the thread's {@link NativeMemory},
 * and check the column family with a field read rather than a Map lookup.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RocksDBError } from './rocksdb-api.js';
import type {
  RocksDB,
  RocksDBColumnFamily,
  RocksDBIterator,
  RocksDBIteratorOptions,
  RocksDBSnapshot,
  RocksDBWriteBatch,
} from './rocksdb-api.js';
import type { Pointer, RocksDBBindings } from './rocksdb-bindings.js';
import type { NativeMemory } from './native-memory.js';
import { NativeIterator } from './native-iterator.js';
import { NativeSnapshot } from './native-snapshot.js';
import { NativeWriteBatch } from './native-write-batch.js';

/** Something that holds native memory the database frees when it closes. */
export interface NativeResource {
  /** Frees the native object; idempotent, never throws. */
  free(): void;
}

/** A column family handle of one {@link NativeRocksDB}. */
export class NativeColumnFamily implements RocksDBColumnFamily {
  constructor(
    readonly name: string,
    readonly owner: NativeRocksDB,
    /** The `rocksdb_column_family_handle_t*`; null once dropped or the database closed. */
    public handle: Pointer | null,
  ) {}
}

/** The native objects {@link NativeRocksDB} takes ownership of. */
export interface NativeRocksDBHandles {
  readonly db: Pointer;
  /** The options the database was opened with, kept to create column families. */
  readonly options: Pointer;
  /** Column family name → handle, `default` included. */
  readonly families: ReadonlyMap<string, Pointer>;
}

/** An open database; see {@link RocksDB}. Writes skip the WAL. */
export class NativeRocksDB implements RocksDB {
  private readonly db: Pointer;
  private readonly options: Pointer;
  private readonly readOptions: Pointer;
  private readonly writeOptions: Pointer;
  private readonly flushOptions: Pointer;
  private readonly families = new Map<string, NativeColumnFamily>();
  /** Iterators, snapshots and batches, in creation order (later ones may use earlier ones). */
  private readonly resources = new Set<NativeResource>();
  private closed = false;

  constructor(
    private readonly b: RocksDBBindings,
    private readonly mem: NativeMemory,
    readonly path: string,
    handles: NativeRocksDBHandles,
  ) {
    this.db = handles.db;
    this.options = handles.options;
    for (const [name, handle] of handles.families) this.families.set(name, new NativeColumnFamily(name, this, handle));
    this.readOptions = b.readoptions_create();
    this.writeOptions = b.writeoptions_create();
    b.writeoptions_disable_WAL(this.writeOptions, 1);
    this.flushOptions = b.flushoptions_create();
    b.flushoptions_set_wait(this.flushOptions, 1);
  }

  columnFamily(name: string): RocksDBColumnFamily | undefined {
    this.live();
    return this.families.get(name);
  }

  columnFamilies(): RocksDBColumnFamily[] {
    this.live();
    return [...this.families.values()];
  }

  createColumnFamily(name: string): RocksDBColumnFamily {
    const db = this.live();
    if (this.families.has(name)) {
      throw new RocksDBError(`column family '${name}' already exists in the RocksDB instance at ${this.path}`);
    }
    const handle = this.b.create_column_family(db, this.options, name, this.mem.error);
    this.mem.check(() => `RocksDB could not create column family '${name}' at ${this.path}`);
    const family = new NativeColumnFamily(name, this, handle);
    this.families.set(name, family);
    return family;
  }

  dropColumnFamily(cf: RocksDBColumnFamily): void {
    const handle = this.handleOf(cf);
    this.b.drop_column_family(this.db, handle, this.mem.error);
    this.mem.check(() => this.failure('drop', cf));
    this.b.column_family_handle_destroy(handle);
    (cf as NativeColumnFamily).handle = null;
    this.families.delete(cf.name);
  }

  get(cf: RocksDBColumnFamily, key: Uint8Array): Uint8Array | undefined {
    const handle = this.handleOf(cf);
    const { b, mem } = this;
    const ptr = b.get_cf(this.db, this.readOptions, handle, mem.stageKey(key), key.length, mem.length, mem.error);
    if (mem.failed()) throw mem.takeError(this.failure('get', cf));
    if (ptr === null) return undefined;
    const value = mem.copyOut(ptr, mem.lengthValue());
    b.free(ptr);
    return value;
  }

  put(cf: RocksDBColumnFamily, key: Uint8Array, value: Uint8Array): void {
    const handle = this.handleOf(cf);
    const { mem } = this;
    this.b.put_cf(
      this.db, this.writeOptions, handle,
      mem.stageKey(key), key.length, mem.stageValue(value), value.length, mem.error,
    );
    if (mem.failed()) throw mem.takeError(this.failure('put', cf));
  }

  delete(cf: RocksDBColumnFamily, key: Uint8Array): void {
    const handle = this.handleOf(cf);
    const { mem } = this;
    this.b.delete_cf(this.db, this.writeOptions, handle, mem.stageKey(key), key.length, mem.error);
    if (mem.failed()) throw mem.takeError(this.failure('delete', cf));
  }

  deleteRange(cf: RocksDBColumnFamily, start: Uint8Array, end: Uint8Array): void {
    const handle = this.handleOf(cf);
    const { mem } = this;
    this.b.delete_range_cf(
      this.db, this.writeOptions, handle,
      mem.stageKey(start), start.length, mem.stageValue(end), end.length, mem.error,
    );
    if (mem.failed()) throw mem.takeError(this.failure('deleteRange', cf));
  }

  newWriteBatch(): RocksDBWriteBatch {
    this.live();
    return this.track(new NativeWriteBatch(this.b, this.mem, this, this.b.writebatch_create()));
  }

  write(batch: RocksDBWriteBatch): void {
    const db = this.live();
    if (!(batch instanceof NativeWriteBatch) || batch.owner !== this) {
      throw new RocksDBError(`the write batch was not created by the RocksDB instance at ${this.path}`);
    }
    this.b.write(db, this.writeOptions, batch.pointer(), this.mem.error);
    this.mem.check(() => this.failure('write of a batch'));
  }

  iterator(cf: RocksDBColumnFamily, options?: RocksDBIteratorOptions): RocksDBIterator {
    const handle = this.handleOf(cf);
    if (!options) {
      const iterator = this.b.create_iterator_cf(this.db, this.readOptions, handle);
      return this.track(new NativeIterator(this.b, this.mem, this, cf.name, iterator, null, []));
    }
    const snapshot = options.snapshot ? this.snapshotPointer(options.snapshot) : undefined;
    const { b, mem } = this;
    const readOptions = b.readoptions_create();
    const bounds: Pointer[] = [];
    if (options.lowerBound) {
      const bound = mem.allocNative(options.lowerBound);
      bounds.push(bound);
      b.readoptions_set_iterate_lower_bound(readOptions, bound, options.lowerBound.length);
    }
    if (options.upperBound) {
      const bound = mem.allocNative(options.upperBound);
      bounds.push(bound);
      b.readoptions_set_iterate_upper_bound(readOptions, bound, options.upperBound.length);
    }
    if (snapshot !== undefined) b.readoptions_set_snapshot(readOptions, snapshot);
    if (options.noCacheFill) b.readoptions_set_fill_cache(readOptions, 0);
    const iterator = b.create_iterator_cf(this.db, readOptions, handle);
    return this.track(new NativeIterator(b, mem, this, cf.name, iterator, readOptions, bounds));
  }

  snapshot(): RocksDBSnapshot {
    const db = this.live();
    return this.track(new NativeSnapshot(this.b, this, db, this.b.create_snapshot(db)));
  }

  flush(): void {
    const db = this.live();
    const { b, mem } = this;
    const handles = [...this.families.values()].map((family) => family.handle!);
    if (b.flush_cfs) {
      b.flush_cfs(db, this.flushOptions, BigUint64Array.from(handles), handles.length, mem.error);
      mem.check(() => this.failure('flush'));
      return;
    }
    for (const family of this.families.values()) {
      b.flush_cf(db, this.flushOptions, family.handle!, mem.error);
      mem.check(() => this.failure('flush', family));
    }
  }

  compactRange(cf: RocksDBColumnFamily, start?: Uint8Array, end?: Uint8Array): void {
    const handle = this.handleOf(cf);
    const { mem } = this;
    this.b.compact_range_cf(
      this.db, handle,
      start ? mem.stageKey(start) : null, start?.length ?? 0,
      end ? mem.stageValue(end) : null, end?.length ?? 0,
    );
  }

  checkpoint(directory: string): void {
    const db = this.live();
    const context = () => `RocksDB checkpoint of ${this.path} into ${directory} failed`;
    if (existsSync(directory)) throw new RocksDBError(`${context()}: the directory already exists`);
    mkdirSync(dirname(resolve(directory)), { recursive: true });
    const { b, mem } = this;
    const checkpoint = b.checkpoint_object_create(db, mem.error);
    mem.check(context);
    try {
      // log_size_for_flush 0: always flush the memtables (there is no WAL to copy instead)
      b.checkpoint_create(checkpoint!, directory, 0, mem.error);
      mem.check(context);
    } finally {
      b.checkpoint_object_destroy(checkpoint!);
    }
  }

  property(name: string, cf?: RocksDBColumnFamily): string | undefined {
    const ptr = cf
      ? this.b.property_value_cf(this.db, this.handleOf(cf), name)
      : this.b.property_value(this.live(), name);
    return ptr === null ? undefined : this.mem.takeString(ptr);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const { b } = this;
    for (const resource of [...this.resources].reverse()) resource.free();
    this.resources.clear();
    for (const family of this.families.values()) {
      b.column_family_handle_destroy(family.handle!);
      family.handle = null;
    }
    this.families.clear();
    b.close(this.db);
    b.readoptions_destroy(this.readOptions);
    b.writeoptions_destroy(this.writeOptions);
    b.flushoptions_destroy(this.flushOptions);
    b.options_destroy(this.options);
  }

  /**
   * The native handle of `cf`, checked to belong to this open database.
   * @internal used by the write batch too
   */
  handleOf(cf: RocksDBColumnFamily): Pointer {
    const handle = (cf as NativeColumnFamily).handle;
    if ((cf as NativeColumnFamily).owner === this && handle != null) return handle;
    this.live();
    if ((cf as NativeColumnFamily).owner === this) {
      throw new RocksDBError(`column family '${cf.name}' of the RocksDB instance at ${this.path} was dropped`);
    }
    throw new RocksDBError(`column family '${cf.name}' does not belong to the RocksDB instance at ${this.path}`);
  }

  /** The database pointer; throws if closed. @internal */
  live(): Pointer {
    if (this.closed) throw new RocksDBError(`the RocksDB instance at ${this.path} is closed`);
    return this.db;
  }

  /** Forgets a resource its owner freed. @internal */
  untrack(resource: NativeResource): void {
    this.resources.delete(resource);
  }

  private track<T extends NativeResource>(resource: T): T {
    this.resources.add(resource);
    return resource;
  }

  private snapshotPointer(snapshot: RocksDBSnapshot): Pointer {
    if (!(snapshot instanceof NativeSnapshot) || snapshot.owner !== this) {
      throw new RocksDBError(`the snapshot was not taken of the RocksDB instance at ${this.path}`);
    }
    return snapshot.pointer();
  }

  private failure(operation: string, cf?: RocksDBColumnFamily): string {
    const family = cf ? ` in column family '${cf.name}'` : '';
    return `RocksDB ${operation}${family} at ${this.path} failed`;
  }
}
