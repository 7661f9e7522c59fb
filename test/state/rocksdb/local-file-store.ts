/**
 * A {@link SnapshotFileStore} over a temporary directory laid out as checkpoint storage
 * (`<root>/shared/`, `<root>/chk-<n>/`), for backend tests without the checkpoint
 * coordinator, and the step a restore loader takes: relative locations to absolute paths.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { incrementalSnapshot } from '../../../src/checkpoint/restore/task-restore-loader.js';
import type { KeyedStateSnapshot, SnapshotFile, SnapshotFileStore } from '../../../src/state/keyed-state-backend.js';

/** A file store writing into `<root>/shared` and `<root>/chk-<checkpointId>`. */
export function localFileStore(root: string, checkpointId: number): SnapshotFileStore & { readonly directory: string } {
  const directory = join(root, `chk-${checkpointId}`);
  const shared = join(root, 'shared');
  mkdirSync(directory, { recursive: true });
  mkdirSync(shared, { recursive: true });
  const store = (from: string, to: string): SnapshotFile => {
    copyFileSync(from, to);
    return { name: basename(from), file: relative(directory, to), size: statSync(to).size };
  };
  return {
    directory,
    storeShared: async (path) => store(path, join(shared, `${randomUUID()}.sst`)),
    storePrivate: async (path) => store(path, join(directory, `${randomUUID()}-${basename(path)}`)),
    owns: (path) => resolve(path).startsWith(shared + '/'),
    locate: (path) => relative(directory, path),
  };
}

/** `snapshot` as a restore sees it: incremental files with absolute paths, as the restore loader makes them. */
export function restorable(snapshot: KeyedStateSnapshot, root: string): KeyedStateSnapshot {
  if (snapshot.type !== 'incremental') return snapshot;
  return incrementalSnapshot(snapshot, join(root, `chk-${snapshot.checkpointId}`), snapshot.checkpointId, snapshot.maxParallelism);
}
