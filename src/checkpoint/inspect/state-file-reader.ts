/**
 * Reads the state files of a checkpoint for `eddy inspect`: each file is checked against
 * its size and CRC-32 in `_metadata`, then decoded. Any problem with the bytes becomes a
 * {@link CheckpointCorruptedError} naming the file, so a person knows which file is bad.
 */
import { join } from 'node:path';
import { EddyError } from '../../core/errors.js';
import type { KeyedSnapshotHeader } from '../../state/keyed-snapshot/keyed-snapshot-format.js';
import { readKeyedSnapshotHeader } from '../../state/keyed-snapshot/keyed-snapshot-reader.js';
import { decodeOperatorStateSnapshot, type OperatorStateSnapshot } from '../../state/operator/operator-state-snapshot.js';
import type { FullKeyedStateHandle, StateFileHandle } from '../checkpoint-metadata.js';
import { CheckpointCorruptedError } from '../storage/checkpoint-corrupted-error.js';
import { FileSystemCheckpointStorage } from '../storage/checkpoint-storage.js';

/** A keyed state file, read and checked, with its decoded header. */
export interface KeyedStateFile {
  /** The file's path. */
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly header: KeyedSnapshotHeader;
}

/**
 * Reads a keyed state file and its header.
 *
 * @throws CheckpointCorruptedError naming the file when it is missing, damaged or not a keyed snapshot
 */
export async function readKeyedStateFile(directory: string, handle: FullKeyedStateHandle): Promise<KeyedStateFile> {
  const path = join(directory, handle.file);
  const bytes = await FileSystemCheckpointStorage.readStateFile(directory, handle);
  const header = withFile(path, () => readKeyedSnapshotHeader(bytes));
  return { path, bytes, header };
}

/**
 * Reads and decodes an operator state file.
 *
 * @throws CheckpointCorruptedError naming the file when it is missing, damaged or not an operator state snapshot
 */
export async function readOperatorStateFile(directory: string, handle: StateFileHandle): Promise<OperatorStateSnapshot> {
  const bytes = await FileSystemCheckpointStorage.readStateFile(directory, handle);
  return withFile(join(directory, handle.file), () => decodeOperatorStateSnapshot(bytes));
}

/**
 * Runs `read` on the bytes of the state file at `path`; a failure to decode them (a
 * `StateSerializationError`, a `KeyError`…) is rethrown as a {@link CheckpointCorruptedError}
 * that names the file.
 */
export function withFile<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw corruptFile(path, error);
  }
}

/** The error for a state file whose bytes cannot be decoded (passes a CheckpointCorruptedError through). */
export function corruptFile(path: string, error: unknown): Error {
  if (error instanceof CheckpointCorruptedError || !(error instanceof EddyError)) return error as Error;
  return new CheckpointCorruptedError(`state file '${path}' cannot be read: ${error.message}`, {
    path,
    problem: 'malformed',
    cause: error,
  });
}
