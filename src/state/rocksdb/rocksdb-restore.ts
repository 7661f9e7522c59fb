/**
 * Restoring the RocksDB backend (DESIGN §4.3, docs/ROCKSDB.md).
 *
 * - From **incremental snapshots** (native RocksDB checkpoints): the snapshot that overlaps
 *   the new key-group range most becomes the new database — its files are hard-linked (or
 *   copied) into the instance directory and opened, and the key groups outside the range
 *   are deleted with range deletions ("clipping"). Every other overlapping snapshot is
 *   opened in scratch space and the entries of the range are copied over ("merging"). The
 *   same parallelism is the first case without clipping: nothing is read at all.
 * - From **full snapshots** (the canonical format, e.g. savepoints of either backend): the
 *   entries of the range are written into the column families as they are stored, without
 *   deserializing values (unless a migration needs to).
 */
import { copyFileSync, linkSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ByteReader } from '../../core/byte-reader.js';
import { RestoreError } from '../../core/errors.js';
import { KeyGroupRange } from '../../core/key-group-range.js';
import type { StateKind } from '../descriptors.js';
import type { KeyedSnapshotStateMeta } from '../keyed-snapshot/keyed-snapshot-format.js';
import { readEntryKey } from '../keyed-snapshot/state-block-codec.js';
import { checkSameMeta, type RestoredKeyedState } from '../keyed-snapshot/restored-keyed-state.js';
import type { IncrementalKeyedStateSnapshot } from '../keyed-state-backend.js';
import type { RocksDB, RocksDBColumnFamily, RocksDBLibrary, RocksDBOpenOptions, RocksDBWriteBatch } from './native/rocksdb-api.js';
import type { InstanceDirectory } from './rocksdb-instance-directory.js';
import {
  concatBytes,
  encodeKeyPrefix,
  encodeNamespace,
  keyGroupSpan,
  stateNameOf,
  VOID_NAMESPACE_BYTES,
} from './rocksdb-key-layout.js';
import { appendListElements } from './rocksdb-list-format.js';
import { rewriteStoredValue } from './rocksdb-state-migration.js';

/** Where a restore goes. */
export interface RocksDBRestoreTarget {
  readonly library: RocksDBLibrary;
  readonly openOptions: RocksDBOpenOptions;
  readonly directory: InstanceDirectory;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly keyGroupBytes: 1 | 2;
  /** `operator 'x' (subtask 1/2): ` or `''`, for messages. */
  readonly prefix: string;
}

/** A database opened from incremental snapshots. */
export interface OpenedFromSnapshots {
  readonly db: RocksDB;
  /** The states the snapshots describe, by name. */
  readonly states: Map<string, KeyedSnapshotStateMeta>;
  /**
   * When the database is exactly one snapshot's (same key-group range), its SST files by
   * name with their stored (absolute) locations: the next checkpoint may refer to them.
   */
  readonly reusable: ReadonlyMap<string, { readonly file: string; readonly size: number }>;
}

/** Entries per write batch when copying. */
const BATCH_ENTRIES = 1000;

/**
 * Opens a new database holding exactly the target's key groups of `snapshots`.
 *
 * @throws {@link RestoreError} if a snapshot has another maxParallelism, two cover the same
 *   key group, they describe a state differently, or the files cannot be opened
 */
export function openFromIncrementalSnapshots(
  snapshots: readonly IncrementalKeyedStateSnapshot[],
  target: RocksDBRestoreTarget,
): OpenedFromSnapshots {
  const overlapping = checkSnapshots(snapshots, target);
  const states = incrementalSnapshotStates(snapshots, target);

  overlapping.sort((a, b) => b.overlap.numberOfKeyGroups - a.overlap.numberOfKeyGroups);
  const [base, ...others] = overlapping;
  const db = base === undefined ? target.library.open(target.directory.newDatabasePath(), []) : openCopy(base.snapshot, target.directory.newDatabasePath(), target);
  try {
    if (base !== undefined) clip(db, base.range, target);
    for (const { snapshot } of others) mergeInto(db, snapshot, target, new Map());
  } catch (error) {
    db.close();
    throw error;
  }
  const exact = base !== undefined && others.length === 0 && base.range.equals(target.keyGroupRange);
  const reusable = new Map(exact ? base.snapshot.sharedFiles.map((f) => [f.name, { file: f.file, size: f.size }] as const) : []);
  return { db, states, reusable };
}

/** Rewrites the stored values of one state while they are copied (a migration). */
export type ValueTransform = (value: Uint8Array) => Uint8Array;

/**
 * The states `snapshots` describe within the target's key groups, checked against each
 * other (see {@link openFromIncrementalSnapshots} for the errors).
 */
export function incrementalSnapshotStates(
  snapshots: readonly IncrementalKeyedStateSnapshot[],
  target: RocksDBRestoreTarget,
): Map<string, KeyedSnapshotStateMeta> {
  const states = new Map<string, KeyedSnapshotStateMeta>();
  for (const { snapshot } of checkSnapshots(snapshots, target)) for (const meta of snapshot.states) mergeMeta(states, meta, target.prefix);
  return states;
}

/**
 * Copies the target's key groups of every snapshot into the open database `db` (whose
 * states may hold entries already), rewriting the values of the states `transforms` names.
 */
export function mergeIncrementalSnapshots(
  db: RocksDB,
  snapshots: readonly IncrementalKeyedStateSnapshot[],
  target: RocksDBRestoreTarget,
  transforms: ReadonlyMap<string, { readonly kind: StateKind; readonly transform: ValueTransform }>,
): void {
  for (const { snapshot } of checkSnapshots(snapshots, target)) mergeInto(db, snapshot, target, transforms);
}

/**
 * Writes the entries of `restored` (one state's blocks of full snapshots, already cut to
 * the target's key groups) into `cf`. `transform`, when given, rewrites every stored value
 * (a list element, a map value, a value) — for a migration.
 */
export function importRestoredState(
  db: RocksDB,
  cf: RocksDBColumnFamily,
  restored: RestoredKeyedState,
  keyGroupBytes: 1 | 2,
  prefix: string,
  transform?: (value: Uint8Array) => Uint8Array,
): void {
  const { name, kind } = restored.meta;
  const batch = db.newWriteBatch();
  try {
    for (const [keyGroup, block] of restored.blocks) {
      readRawBlock(block, kind, `${prefix}state '${name}' in key group ${keyGroup}`, (keyBytes, namespaceBytes, write) => {
        const entryPrefix = concatBytes(
          encodeKeyPrefix(keyGroup, keyBytes, keyGroupBytes),
          namespaceBytes === undefined ? VOID_NAMESPACE_BYTES : encodeNamespace(namespaceBytes),
        );
        write(entryPrefix, (key, value) => {
          batch.put(cf, key, value);
          if (batch.count() >= BATCH_ENTRIES) {
            db.write(batch);
            batch.clear();
          }
        }, transform);
      });
    }
    if (batch.count() > 0) db.write(batch);
  } finally {
    batch.destroy();
  }
}

/**
 * Reads a canonical state block entry by entry. For each entry `visit` gets its key and
 * namespace bytes and a `write(entryPrefix, put, transform?)` that reads the entry's
 * payload and puts its RocksDB entries, every stored value passed through `transform`.
 */
function readRawBlock(
  block: Uint8Array,
  kind: StateKind,
  what: string,
  visit: (
    keyBytes: Uint8Array,
    namespaceBytes: Uint8Array | undefined,
    write: (entryPrefix: Uint8Array, put: (key: Uint8Array, value: Uint8Array) => void, transform?: (v: Uint8Array) => Uint8Array) => void,
  ) => void,
): void {
  const reader = new ByteReader(block, what);
  while (!reader.atEnd) {
    const { keyBytes, namespaceBytes } = readEntryKey(reader);
    visit(keyBytes, namespaceBytes, (entryPrefix, put, transform) => {
      switch (kind) {
        case 'list': {
          const count = reader.varint('list length');
          const elements: Uint8Array[] = [];
          for (let i = 0; i < count; i++) {
            const element = reader.bytes('list element');
            elements.push(transform === undefined ? element : transform(element));
          }
          if (elements.length > 0) put(entryPrefix, appendListElements(undefined, elements));
          return;
        }
        case 'map': {
          const count = reader.varint('map size');
          for (let i = 0; i < count; i++) {
            const userKey = reader.bytes('map key');
            const value = reader.bytes('map value');
            put(concatBytes(entryPrefix, userKey), transform === undefined ? value : transform(value));
          }
          return;
        }
        default: {
          const value = reader.bytes('value');
          put(entryPrefix, transform === undefined ? value : transform(value));
        }
      }
    });
  }
}

interface Overlapping {
  readonly snapshot: IncrementalKeyedStateSnapshot;
  readonly range: KeyGroupRange;
  readonly overlap: KeyGroupRange;
}

function checkSnapshots(snapshots: readonly IncrementalKeyedStateSnapshot[], target: RocksDBRestoreTarget): Overlapping[] {
  const { prefix } = target;
  const out: Overlapping[] = [];
  for (const snapshot of snapshots) {
    if (snapshot.backend !== 'rocksdb') {
      throw new RestoreError(`${prefix}cannot restore an incremental snapshot of the '${String(snapshot.backend)}' backend`);
    }
    if (snapshot.maxParallelism !== target.maxParallelism) {
      throw new RestoreError(
        `${prefix}the keyed state was written with maxParallelism ${snapshot.maxParallelism} but is restored with maxParallelism ${target.maxParallelism}; maxParallelism is fixed for the life of the state`,
      );
    }
    const range = KeyGroupRange.of(snapshot.keyGroupRange[0], snapshot.keyGroupRange[1]);
    const overlap = range.intersection(target.keyGroupRange);
    if (overlap.isEmpty) continue;
    for (const other of out) {
      const both = other.overlap.intersection(overlap);
      if (!both.isEmpty) {
        throw new RestoreError(
          `${prefix}two snapshots both hold key groups ${both.startKeyGroup}..${both.endKeyGroup}; each key group must be restored from exactly one snapshot`,
        );
      }
    }
    out.push({ snapshot, range, overlap });
  }
  return out;
}

function mergeMeta(states: Map<string, KeyedSnapshotStateMeta>, meta: KeyedSnapshotStateMeta, prefix: string): void {
  const known = states.get(meta.name);
  if (known === undefined) {
    states.set(meta.name, meta);
    return;
  }
  checkSameMeta(known, meta, prefix);
}

/** Links (or copies) the snapshot's files into `path` and opens them. */
function openCopy(snapshot: IncrementalKeyedStateSnapshot, path: string, target: RocksDBRestoreTarget): RocksDB {
  mkdirSync(path, { recursive: true });
  try {
    for (const file of snapshot.sharedFiles) linkOrCopy(file.file, join(path, file.name));
    for (const file of snapshot.privateFiles) copyFileSync(file.file, join(path, file.name));
    const families = target.library.listColumnFamilies(path);
    return target.library.open(path, families, { ...target.openOptions, createIfMissing: false });
  } catch (cause) {
    rmSync(path, { recursive: true, force: true });
    const range = `${snapshot.keyGroupRange[0]}..${snapshot.keyGroupRange[1]}`;
    throw new RestoreError(
      `${target.prefix}cannot open the RocksDB files of checkpoint ${snapshot.checkpointId} (key groups ${range}): ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
}

/** Deletes the key groups of `range` outside the target's range from every state. */
function clip(db: RocksDB, range: KeyGroupRange, target: RocksDBRestoreTarget): void {
  const { startKeyGroup: first, endKeyGroup: last } = target.keyGroupRange;
  const bytes = target.keyGroupBytes;
  for (const cf of db.columnFamilies()) {
    if (stateNameOf(cf.name) === undefined) continue;
    if (range.startKeyGroup < first) db.deleteRange(cf, ...keyGroupSpan(range.startKeyGroup, first - 1, bytes));
    if (range.endKeyGroup > last) db.deleteRange(cf, ...keyGroupSpan(last + 1, range.endKeyGroup, bytes));
  }
}

/** Copies the target's key groups of `snapshot` into `db`, rewriting values as `transforms` say. */
function mergeInto(
  db: RocksDB,
  snapshot: IncrementalKeyedStateSnapshot,
  target: RocksDBRestoreTarget,
  transforms: ReadonlyMap<string, { readonly kind: StateKind; readonly transform: ValueTransform }>,
): void {
  const scratch = target.directory.newScratchPath();
  const source = openCopy(snapshot, scratch, target);
  const [lower, upper] = keyGroupSpan(target.keyGroupRange.startKeyGroup, target.keyGroupRange.endKeyGroup, target.keyGroupBytes);
  let batch: RocksDBWriteBatch | undefined;
  try {
    batch = db.newWriteBatch();
    for (const from of source.columnFamilies()) {
      const stateName = stateNameOf(from.name);
      if (stateName === undefined) continue;
      const to = db.columnFamily(from.name) ?? db.createColumnFamily(from.name);
      const rewrite = transforms.get(stateName);
      const it = source.iterator(from, { lowerBound: lower, upperBound: upper, noCacheFill: true });
      try {
        for (it.seek(lower); it.valid(); it.next()) {
          const value = it.value();
          batch.put(to, it.key(), rewrite === undefined ? value : rewriteStoredValue(value, rewrite.kind, rewrite.transform));
          if (batch.count() >= BATCH_ENTRIES) {
            db.write(batch);
            batch.clear();
          }
        }
        it.checkStatus();
      } finally {
        it.close();
      }
    }
    if (batch.count() > 0) db.write(batch);
  } finally {
    batch?.destroy();
    source.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}
