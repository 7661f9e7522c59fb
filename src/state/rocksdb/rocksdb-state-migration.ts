/**
 * Brings a restored state's stored values to the version its descriptor asks for (DESIGN
 * §4.4): every value (list element, map value, accumulator) is deserialized, passed
 * through the descriptor's `migrate` and written back, in batches.
 */
import type { StateKind } from '../descriptors.js';
import type { RestoredStateDecoder } from '../keyed-snapshot/state-compatibility.js';
import type { TypeSerializer } from '../serializer.js';
import type { RocksDB, RocksDBColumnFamily } from './native/rocksdb-api.js';
import { appendListElements, splitListElements } from './rocksdb-list-format.js';

const BATCH_ENTRIES = 1000;

/** A function that rewrites one stored value's bytes through `migrate`. */
export function migratingTransform(serializer: TypeSerializer<unknown>, migrate: (value: unknown) => unknown): (bytes: Uint8Array) => Uint8Array {
  return (bytes) => serializer.serialize(migrate(serializer.deserialize(bytes)));
}

/** The rewrite that brings stored values to the requesting descriptor's version, if any is needed. */
export function migrationOf(decoder: RestoredStateDecoder): ((bytes: Uint8Array) => Uint8Array) | undefined {
  return decoder.migrate === undefined ? undefined : migratingTransform(decoder.codec.value, decoder.migrate);
}

/**
 * A stored value with every value in it rewritten by `transform`: a list's elements one
 * by one, any other kind's value as a whole.
 */
export function rewriteStoredValue(value: Uint8Array, kind: StateKind, transform: (bytes: Uint8Array) => Uint8Array): Uint8Array {
  return kind === 'list' ? appendListElements(undefined, splitListElements(value).map(transform)) : transform(value);
}

/** Rewrites every value of column family `cf` (a state of kind `kind`) with `transform`. */
export function migrateColumnFamily(db: RocksDB, cf: RocksDBColumnFamily, kind: StateKind, transform: (bytes: Uint8Array) => Uint8Array): void {
  const batch = db.newWriteBatch();
  const snapshot = db.snapshot();
  const it = db.iterator(cf, { snapshot });
  try {
    for (it.seekToFirst(); it.valid(); it.next()) {
      batch.put(cf, it.key(), rewriteStoredValue(it.value(), kind, transform));
      if (batch.count() >= BATCH_ENTRIES) {
        db.write(batch);
        batch.clear();
      }
    }
    it.checkStatus();
    if (batch.count() > 0) db.write(batch);
  } finally {
    it.close();
    snapshot.release();
    batch.destroy();
  }
}
