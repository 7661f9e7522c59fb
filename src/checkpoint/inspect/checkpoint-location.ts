/**
 * Turns the path a person gives `eddy inspect` into a checkpoint: a `chk-<n>` directory,
 * a savepoint directory, or the `_metadata` file inside either. When the path is a job's
 * checkpoint directory (which holds `chk-<n>` directories, not a `_metadata`), the error
 * says which checkpoints are in it.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { CheckpointMetadata } from '../checkpoint-metadata.js';
import { CheckpointCorruptedError } from '../storage/checkpoint-corrupted-error.js';
import { METADATA_FILE_NAME } from '../storage/checkpoint-metadata-format.js';
import { FileSystemCheckpointStorage } from '../storage/checkpoint-storage.js';

/** A checkpoint or savepoint found at a path, with its validated `_metadata`. */
export interface LocatedCheckpoint {
  /** The absolute directory that holds `_metadata`; state file names are relative to it. */
  readonly directory: string;
  readonly metadata: CheckpointMetadata;
  /** Size of the `_metadata` file in bytes. */
  readonly metadataBytes: number;
}

const CHECKPOINT_DIRECTORY = /^chk-\d+$/;

/**
 * Reads the checkpoint or savepoint at `path` (its directory or its `_metadata` file) and
 * validates its `_metadata`. State files are not read.
 *
 * @throws CheckpointCorruptedError naming the path and what is wrong: it does not exist,
 *   has no `_metadata` (then the completed checkpoints inside it, if any, are listed), or
 *   `_metadata` is truncated, damaged or of an unknown version
 */
export async function locateCheckpoint(path: string): Promise<LocatedCheckpoint> {
  let directory = resolve(path);
  if (basename(directory) === METADATA_FILE_NAME && (await isFile(directory))) directory = dirname(directory);
  let metadata: CheckpointMetadata;
  try {
    metadata = await FileSystemCheckpointStorage.readCheckpoint(directory);
  } catch (error) {
    if (error instanceof CheckpointCorruptedError && error.problem === 'missing-metadata') {
      const inside = await completedCheckpointsIn(directory);
      if (inside.length > 0) {
        throw new CheckpointCorruptedError(
          `'${directory}' has no ${METADATA_FILE_NAME}, so it is not a checkpoint or savepoint; it holds the checkpoints ` +
            `${inside.join(', ')}: inspect one of them, e.g. '${join(directory, inside[0]!)}'`,
          { path: error.path, problem: 'missing-metadata', cause: error },
        );
      }
    }
    throw error;
  }
  const metadataBytes = (await stat(join(directory, METADATA_FILE_NAME))).size;
  return { directory, metadata, metadataBytes };
}

/** The `chk-<n>` directories with a `_metadata` directly under `directory`, newest first. */
async function completedCheckpointsIn(directory: string): Promise<string[]> {
  const names = await readdir(directory).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names) {
    if (CHECKPOINT_DIRECTORY.test(name) && (await isFile(join(directory, name, METADATA_FILE_NAME)))) found.push(name);
  }
  return found.sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
