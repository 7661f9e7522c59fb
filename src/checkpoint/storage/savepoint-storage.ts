/**
 * Savepoints on a file system (DESIGN §5.1, §6): each savepoint is one self-contained
 * directory `<savepoint-dir>/savepoint-<short-job-id>-<random>/` holding `_metadata` and
 * every state file it names, by relative name, so the directory can be moved or copied
 * anywhere and still be restored. Nothing here ever deletes a completed savepoint: only a
 * savepoint that failed before its `_metadata` was written is discarded.
 */
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { crc32 } from '../../core/crc32.js';
import { CheckpointError } from '../../core/errors.js';
import type { CheckpointMetadata, StateFileHandle } from '../checkpoint-metadata.js';
import { fsyncDirectory, writeFileAtomically } from './atomic-file-write.js';
import { encodeCheckpointMetadata, METADATA_FILE_NAME } from './checkpoint-metadata-format.js';
import { makeDirectory } from './make-directory.js';
import { isValidStateFileName } from './state-file-name.js';
import type { StorageFaultCode } from './storage-faults.js';
import { storageAdvice } from '../../core/storage-error-advice.js';

const SAVEPOINT_DIRECTORY = /^savepoint-[0-9a-z]{1,6}-[0-9a-f]{12}$/;

/** A new, unused savepoint directory under `parent`: `savepoint-<first 6 of job id>-<12 random hex>` (absolute). */
export function newSavepointDirectory(parent: string, jobId: string): string {
  const short = jobId.toLowerCase().replace(/[^0-9a-z]/g, '').slice(0, 6) || 'job';
  return join(resolve(parent), `savepoint-${short}-${randomBytes(6).toString('hex')}`);
}

/** Whether `directory` has the name {@link newSavepointDirectory} gives. */
export function isSavepointDirectoryName(directory: string): boolean {
  return SAVEPOINT_DIRECTORY.test(basename(directory));
}

/**
 * Writes a state file into `directory` (created if needed, with a timeout: see
 * make-directory.ts) atomically: temporary name, fsync, rename. Used by checkpoints
 * (their `chk-<n>` directory) and savepoints.
 *
 * @throws CheckpointError naming the file, with the file system's error as cause
 */
export async function writeStateFileInto(
  directory: string,
  name: string,
  bytes: Uint8Array,
  what: string,
  fault?: StorageFaultCode,
): Promise<StateFileHandle> {
  if (!isValidStateFileName(name)) {
    throw new CheckpointError(
      `${what}: invalid state file name ${JSON.stringify(name)}: expected 1-200 characters of [A-Za-z0-9._~-] starting with a letter or digit (use stateFileName())`,
    );
  }
  const path = join(directory, name);
  await makeDirectory(directory, what);
  try {
    await writeFileAtomically(directory, name, bytes, fault);
  } catch (error) {
    const advice = storageAdvice(error, what.startsWith('savepoint') ? 'the savepoint directory' : '--checkpoint-dir');
    throw new CheckpointError(`${what}: cannot write state file '${path}': ${(error as Error).message ?? String(error)}${advice}`, { cause: error });
  }
  return { file: name, size: bytes.length, crc32: crc32(bytes) };
}

/**
 * Completes a savepoint: writes its `_metadata` atomically and makes the directory entries
 * durable. Refuses to overwrite an existing `_metadata`.
 *
 * @throws CheckpointError if the write fails or the directory already holds a savepoint
 */
export async function writeSavepointMetadata(directory: string, metadata: CheckpointMetadata): Promise<void> {
  const bytes = encodeCheckpointMetadata(metadata);
  const path = join(directory, METADATA_FILE_NAME);
  await makeDirectory(directory, `savepoint ${metadata.checkpointId}`);
  try {
    const existing = await stat(path).catch(() => undefined);
    if (existing) throw new CheckpointError(`savepoint: '${path}' already exists; a savepoint is never rewritten`);
    await writeFileAtomically(directory, METADATA_FILE_NAME, bytes);
    await fsyncDirectory(directory);
    await fsyncDirectory(dirname(directory));
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(`savepoint ${metadata.checkpointId}: cannot write '${path}': ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Removes what a failed savepoint wrote. Only directories named like a savepoint are
 * touched, and only without a `_metadata` unless `reportedFailed`: the savepoint was
 * aborted (and reported failed) while its `_metadata` was being written. A savepoint
 * reported complete is never deleted.
 */
export async function discardFailedSavepoint(directory: string, reportedFailed = false): Promise<void> {
  if (!isSavepointDirectoryName(directory)) return;
  const completed = await stat(join(directory, METADATA_FILE_NAME)).catch(() => undefined);
  if (completed && !reportedFailed) return;
  await rm(directory, { recursive: true, force: true });
}
