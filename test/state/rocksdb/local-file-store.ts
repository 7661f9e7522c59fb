/**
 * A {@link SnapshotFileStore} over a temporary directory laid out as checkpoint storage
 * (`<root>/shared/`, `<root>/chk-<n>/`), for backend tests without the checkpoint
 * coordinator, and the step a restore loader takes: relative locations to absolute paths.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { IncrementalKeyedStateSnapshot, KeyedStateSnapshot, SnapshotFile, SnapshotFileStore } from '../../../src/state/keyed-state-backend.js';

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

/** `snapshot` as a restore sees it: incremental files with absolute paths. */
export function restorable(snapshot: KeyedStateSnapshot, root: string): KeyedStateSnapshot {
  if (snapshot.type !== 'incremental') return snapshot;
  const directory = join(root, `chk-${snapshot.checkpointId}`);
  const absolute = (f: SnapshotFile): SnapshotFile => ({ ...f, file: isAbsolute(f.file) ? f.file : resolve(directory, f.file) });
  const { uploaded: _uploaded, ...rest } = snapshot;
  const out: IncrementalKeyedStateSnapshot = { ...rest, sharedFiles: snapshot.sharedFiles.map(absolute), privateFiles: snapshot.privateFiles.map(absolute) };
  return out;
}
