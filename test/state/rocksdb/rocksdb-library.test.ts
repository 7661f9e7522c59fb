import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { RocksDBError } from '../../../src/state/rocksdb/native/rocksdb-api.js';
import type { RocksDB, RocksDBColumnFamily } from '../../../src/state/rocksdb/native/rocksdb-api.js';
import { isRocksDBAvailable, loadRocksDB, loadRocksDBFrom } from '../../../src/state/rocksdb/native/rocksdb-library.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : new TextDecoder().decode(value));

/** Every key and value of `cf`, in iteration order, as text. */
function entries(db: RocksDB, cf: RocksDBColumnFamily): [string, string][] {
  const iterator = db.iterator(cf);
  const result: [string, string][] = [];
  for (iterator.seekToFirst(); iterator.valid(); iterator.next()) {
    result.push([text(iterator.key())!, text(iterator.value())!]);
  }
  iterator.checkStatus();
  iterator.close();
  return result;
}

describe.skipIf(!isRocksDBAvailable())('RocksDB C library through koffi', () => {
  let root: string;
  const open: RocksDB[] = [];
  const lib = () => loadRocksDB();
  const openDB = (name: string, families: string[] = ['state']) => {
    const db = lib().open(join(root, name), families);
    open.push(db);
    return db;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'eddy-rocksdb-library-'));
  });
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('creates a database with its column families, default included', () => {
    const db = openDB('db', ['a', 'b']);
    expect(db.columnFamilies().map((cf) => cf.name).sort()).toEqual(['a', 'b', 'default']);
    expect(db.columnFamily('a')?.name).toBe('a');
    expect(db.columnFamily('missing')).toBeUndefined();
    const c = db.createColumnFamily('c');
    expect(db.columnFamily('c')).toBe(c);
    expect(() => db.createColumnFamily('c')).toThrow(RocksDBError);
  });

  it('puts, gets and deletes, and a missing key reads as undefined', () => {
    const db = openDB('db');
    const cf = db.columnFamily('state')!;
    expect(db.get(cf, bytes('k'))).toBeUndefined();
    db.put(cf, bytes('k'), bytes('v1'));
    db.put(cf, bytes('k'), bytes('v2'));
    expect(text(db.get(cf, bytes('k')))).toBe('v2');
    expect(db.get(db.columnFamily('default')!, bytes('k'))).toBeUndefined();
    db.delete(cf, bytes('k'));
    expect(db.get(cf, bytes('k'))).toBeUndefined();
  });

  it('round-trips binary keys, empty values and values of every copy size', () => {
    const db = openDB('db');
    const cf = db.columnFamily('state')!;
    const key = Uint8Array.of(0, 0xff, 0, 1);
    db.put(cf, key, new Uint8Array(0));
    expect(db.get(cf, key)).toEqual(new Uint8Array(0));
    expect(db.get(cf, Uint8Array.of(0, 0xff, 0))).toBeUndefined();
    db.put(cf, new Uint8Array(0), bytes('empty key'));
    expect(text(db.get(cf, new Uint8Array(0)))).toBe('empty key');
    for (const size of [1, 64, 65, 100, 4096, 4097, 100_000]) {
      const bigKey = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
      const value = new Uint8Array(size).map((_, i) => (i * 13 + size) & 0xff);
      db.put(cf, bigKey, value);
      const read = db.get(cf, bigKey)!;
      expect(read).toEqual(value);
      expect(read.byteOffset % 8).toBe(0);
    }
    // a value read earlier is not overwritten by later reads (which fill more than a slab)
    const first = db.get(cf, new Uint8Array(100).map((_, i) => (i * 7) & 0xff))!;
    const copy = first.slice();
    const slabFiller = new Uint8Array(4096).map((_, i) => (i * 7) & 0xff);
    for (let i = 0; i < 100; i++) db.get(cf, slabFiller);
    expect(first).toEqual(copy);
  });

  it('applies a write batch of puts, deletes and range deletes together', () => {
    const db = openDB('db', ['a', 'b']);
    const [a, b] = [db.columnFamily('a')!, db.columnFamily('b')!];
    for (const k of ['k1', 'k2', 'k3', 'k4']) db.put(a, bytes(k), bytes('old'));
    const batch = db.newWriteBatch();
    batch.put(a, bytes('k5'), bytes('new'));
    batch.put(b, bytes('x'), bytes('in b'));
    batch.delete(a, bytes('k1'));
    batch.deleteRange(a, bytes('k2'), bytes('k4'));
    expect(batch.count()).toBe(4);
    expect(db.get(b, bytes('x'))).toBeUndefined();
    db.write(batch);
    expect(entries(db, a)).toEqual([['k4', 'old'], ['k5', 'new']]);
    expect(text(db.get(b, bytes('x')))).toBe('in b');
    batch.clear();
    expect(batch.count()).toBe(0);
    batch.destroy();
    batch.destroy();
    expect(() => batch.count()).toThrow(/write batch .* was destroyed/);
  });

  it('deletes a range [start, end)', () => {
    const db = openDB('db');
    const cf = db.columnFamily('state')!;
    for (const k of ['a', 'b', 'c', 'd']) db.put(cf, bytes(k), bytes(k));
    db.deleteRange(cf, bytes('b'), bytes('d'));
    expect(entries(db, cf).map(([k]) => k)).toEqual(['a', 'd']);
  });

  it('iterates in bytewise key order within its bounds, and seeks', () => {
    const db = openDB('db');
    const cf = db.columnFamily('state')!;
    for (const k of ['a1', 'b1', 'b2', 'b3', 'c1']) db.put(cf, bytes(k), bytes(`v-${k}`));
    db.put(cf, Uint8Array.of(0x62, 0xff), bytes('high'));
    const iterator = db.iterator(cf, { lowerBound: bytes('b'), upperBound: bytes('c'), noCacheFill: true });
    const keys: string[] = [];
    for (iterator.seekToFirst(); iterator.valid(); iterator.next()) keys.push(Buffer.from(iterator.key()).toString('hex'));
    expect(keys).toEqual(['6231', '6232', '6233', '62ff']);
    iterator.seek(bytes('b2'));
    expect(text(iterator.key())).toBe('b2');
    expect(text(iterator.value())).toBe('v-b2');
    iterator.seek(bytes('b4'));
    expect([...iterator.key()]).toEqual([0x62, 0xff]);
    iterator.next();
    expect(iterator.valid()).toBe(false);
    expect(() => iterator.key()).toThrow(RocksDBError);
    iterator.seek(bytes('a'));
    expect(text(iterator.key())).toBe('b1');
    iterator.checkStatus();
    iterator.close();
    iterator.close();
    expect(() => iterator.seekToFirst()).toThrow(/iterator .* is closed/);
  });

  it('reads as of a snapshot: an iterator over it does not see later writes', () => {
    const db = openDB('db');
    const cf = db.columnFamily('state')!;
    db.put(cf, bytes('a'), bytes('1'));
    db.put(cf, bytes('b'), bytes('1'));
    const snapshot = db.snapshot();
    db.put(cf, bytes('a'), bytes('2'));
    db.delete(cf, bytes('b'));
    db.put(cf, bytes('c'), bytes('2'));
    const iterator = db.iterator(cf, { snapshot });
    const seen: string[] = [];
    for (iterator.seekToFirst(); iterator.valid(); iterator.next()) {
      seen.push(`${text(iterator.key())}=${text(iterator.value())}`);
    }
    iterator.close();
    expect(seen).toEqual(['a=1', 'b=1']);
    expect(entries(db, cf)).toEqual([['a', '2'], ['c', '2']]);
    snapshot.release();
    snapshot.release();
    expect(() => db.iterator(cf, { snapshot })).toThrow(/snapshot .* was released/);
  });

  it('takes a checkpoint that opens as a database with the same data', () => {
    const db = openDB('db', ['a', 'b']);
    db.put(db.columnFamily('a')!, bytes('k'), bytes('in a'));
    db.put(db.columnFamily('b')!, bytes('k'), bytes('in b'));
    const directory = join(root, 'checkpoints', 'chk-1');
    db.checkpoint(directory);
    db.put(db.columnFamily('a')!, bytes('k'), bytes('after the checkpoint'));
    expect(lib().listColumnFamilies(directory).sort()).toEqual(['a', 'b', 'default']);
    const restored = lib().open(directory, []);
    open.push(restored);
    expect(text(restored.get(restored.columnFamily('a')!, bytes('k')))).toBe('in a');
    expect(text(restored.get(restored.columnFamily('b')!, bytes('k')))).toBe('in b');
    expect(() => db.checkpoint(directory)).toThrow(/already exists/);
  });

  it('reopens a database with the column families it has, and keeps its data without a WAL', () => {
    const path = join(root, 'db');
    const db = lib().open(path, ['a', 'b']);
    db.put(db.columnFamily('b')!, bytes('k'), bytes('v'));
    db.flush();
    db.put(db.columnFamily('a')!, bytes('unflushed'), bytes('v'));
    db.close();
    expect(lib().listColumnFamilies(path).sort()).toEqual(['a', 'b', 'default']);
    const reopened = lib().open(path, [], { createIfMissing: false });
    open.push(reopened);
    expect(reopened.columnFamilies().map((cf) => cf.name).sort()).toEqual(['a', 'b', 'default']);
    expect(text(reopened.get(reopened.columnFamily('b')!, bytes('k')))).toBe('v');
    expect(text(reopened.get(reopened.columnFamily('a')!, bytes('unflushed')))).toBe('v');
  });

  it('drops a column family, which then cannot be used', () => {
    const path = join(root, 'db');
    const db = openDB('db', ['a', 'b']);
    const a = db.columnFamily('a')!;
    db.put(a, bytes('k'), bytes('v'));
    db.dropColumnFamily(a);
    expect(db.columnFamily('a')).toBeUndefined();
    expect(() => db.get(a, bytes('k'))).toThrow(/column family 'a' .* was dropped/);
    expect(lib().listColumnFamilies(path).sort()).toEqual(['b', 'default']);
    expect(() => db.dropColumnFamily(db.columnFamily('default')!)).toThrow(RocksDBError);
  });

  it('rejects a column family of another database', () => {
    const one = openDB('one');
    const other = openDB('other');
    expect(() => one.put(other.columnFamily('state')!, bytes('k'), bytes('v'))).toThrow(/does not belong/);
  });

  it('answers RocksDB properties, undefined for unknown ones', () => {
    const db = openDB('db');
    const cf = db.columnFamily('state')!;
    for (let i = 0; i < 100; i++) db.put(cf, bytes(`k${i}`), bytes('v'));
    expect(Number(db.property('rocksdb.estimate-num-keys', cf))).toBeGreaterThan(0);
    expect(db.property('rocksdb.estimate-num-keys')).toMatch(/^\d+$/);
    expect(db.property('rocksdb.no-such-property')).toBeUndefined();
  });

  it('flushes and compacts', () => {
    const db = openDB('db');
    const cf = db.columnFamily('state')!;
    for (let i = 0; i < 100; i++) db.put(cf, bytes(`k${i}`), bytes('v'));
    db.flush();
    expect(db.property('rocksdb.num-files-at-level0', cf)).toBe('1');
    db.compactRange(cf);
    db.compactRange(cf, bytes('k1'), bytes('k5'));
    expect(entries(db, cf)).toHaveLength(100);
  });

  it('shares an LRU block cache between databases', () => {
    const cache = lib().createLruCache(1 << 20);
    expect(cache.capacity).toBe(1 << 20);
    const db = lib().open(join(root, 'db'), ['state'], { blockCache: cache, writeBufferSize: 1 << 20, bloomBitsPerKey: 0 });
    open.push(db);
    const cf = db.columnFamily('state')!;
    for (let i = 0; i < 1000; i++) db.put(cf, bytes(`k${i}`), bytes('v'.repeat(100)));
    db.flush();
    db.get(cf, bytes('k1'));
    expect(cache.usage()).toBeGreaterThan(0);
    cache.destroy();
    cache.destroy();
    expect(text(db.get(cf, bytes('k2')))).toBe('v'.repeat(100));
    expect(() => cache.usage()).toThrow(RocksDBError);
  });

  it('rejects invalid open options with a ConfigError', () => {
    expect(() => lib().open(join(root, 'db'), [], { writeBufferSize: -1 })).toThrow(ConfigError);
    expect(() => lib().open(join(root, 'db'), [], { backgroundThreads: 1.5 })).toThrow(ConfigError);
    expect(() => lib().createLruCache(-1)).toThrow(ConfigError);
  });

  it('closes idempotently, freeing what is open, and refuses use after close', () => {
    const db = lib().open(join(root, 'db'), ['state']);
    const cf = db.columnFamily('state')!;
    db.put(cf, bytes('k'), bytes('v'));
    const iterator = db.iterator(cf, { lowerBound: bytes('a') });
    const snapshot = db.snapshot();
    const batch = db.newWriteBatch();
    db.close();
    db.close();
    const closed = `the RocksDB instance at ${join(root, 'db')} is closed`;
    expect(() => db.get(cf, bytes('k'))).toThrow(closed);
    expect(() => db.put(cf, bytes('k'), bytes('v'))).toThrow(RocksDBError);
    expect(() => db.columnFamilies()).toThrow(closed);
    expect(() => db.snapshot()).toThrow(closed);
    expect(() => db.flush()).toThrow(closed);
    expect(() => iterator.valid()).toThrow(closed);
    expect(() => batch.put(cf, bytes('k'), bytes('v'))).toThrow(closed);
    expect(() => snapshot.release()).not.toThrow();
    iterator.close();
  });

  it("reports RocksDB's own error message as a RocksDBError", () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'not a database');
    expect(() => lib().open(file, [])).toThrow(RocksDBError);
    expect(() => lib().open(file, [])).toThrow(/RocksDB could not open .*a-file.*: IO error/);
    expect(() => lib().open(join(root, 'absent'), [], { createIfMissing: false })).toThrow(/does not exist|Invalid argument/);
    expect(() => lib().listColumnFamilies(join(root, 'absent'))).toThrow(RocksDBError);
  });

  it('says how to install librocksdb when none loads', () => {
    let error: unknown;
    try {
      loadRocksDBFrom(['/nonexistent/librocksdb.so']);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('sudo apt-get install librocksdb-dev');
    expect(message).toContain('brew install rocksdb');
    expect(message).toContain('EDDY_ROCKSDB_LIBRARY');
    expect(message).toContain('--state-backend hashmap');
    expect(message).toContain('/nonexistent/librocksdb.so (');
  });

  it('works inside a worker thread, which loads its own copy of the library', async () => {
    const path = join(root, 'from-worker');
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      (async () => {
        (await import(workerData.tsx)).register();
        const { loadRocksDB } = await import(workerData.library);
        const lib = loadRocksDB();
        const db = lib.open(workerData.path, ['w']);
        db.put(db.columnFamily('w'), Buffer.from('written by'), Buffer.from('a worker'));
        const value = Buffer.from(db.get(db.columnFamily('w'), Buffer.from('written by'))).toString();
        db.close();
        parentPort.postMessage({ value, libraryFile: lib.libraryFile });
      })().catch((error) => parentPort.postMessage({ error: String(error && error.stack || error) }));
    `;
    const mainDB = openDB('main');
    const worker = new Worker(code, {
      eval: true,
      // the worker loads the library itself, here the one named explicitly
      env: { ...process.env, EDDY_ROCKSDB_LIBRARY: lib().libraryFile },
      workerData: {
        tsx: import.meta.resolve('tsx/esm/api'),
        library: new URL('../../../src/state/rocksdb/native/rocksdb-library.ts', import.meta.url).href,
        path,
      },
    });
    const reply = await new Promise<{ value?: string; libraryFile?: string; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(reply.error).toBeUndefined();
    expect(reply.value).toBe('a worker');
    expect(reply.libraryFile).toBe(lib().libraryFile);
    mainDB.put(mainDB.columnFamily('state')!, bytes('k'), bytes('v'));
    const reopened = lib().open(path, []);
    open.push(reopened);
    expect(text(reopened.get(reopened.columnFamily('w')!, bytes('written by')))).toBe('a worker');
  });
});
