/**
 * Reads checkpoint and savepoint directories, the same way for both: `_metadata` plus the
 * state files it names, all relative to the directory that holds it, so a directory can
 * be copied or moved and still be restored (an incremental checkpoint also needs the
 * job's `shared/` directory beside it). Reading never changes a file.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { crc32 } from '../../core/crc32.js';
import type { SnapshotFile } from '../../state/keyed-state-backend.js';
import type { CheckpointMetadata, StateFileHandle } from '../checkpoint-metadata.js';
import { CheckpointCorruptedError } from './checkpoint-corrupted-error.js';
import { decodeCheckpointMetadata, METADATA_FILE_NAME } from './checkpoint-metadata-format.js';
import { isSharedFileLocation, isValidStateFileName } from './state-file-name.js';

const OLDER = 'choose an older checkpoint or a savepoint';

/**
 * Reads and validates the `_metadata` of a checkpoint or savepoint directory (format,
 * version, size, checksum, content). State files are not read; see {@link verifyCheckpoint}.
 *
 * @throws CheckpointCorruptedError when the directory or `_metadata` is missing, or
 *   `_metadata` is truncated, damaged, of an unknown version or invalid
 */
export async function readCheckpointMetadata(directory: string): Promise<CheckpointMetadata> {
  let info;
  try {
    info = await stat(directory);
  } catch (error) {
    if (isNotFound(error)) {
      throw new CheckpointCorruptedError(
        `checkpoint directory '${directory}' does not exist; check the path, or choose another checkpoint or savepoint`,
        { path: directory, problem: 'missing-directory', cause: error },
      );
    }
    throw unreadable(directory, error);
  }
  if (!info.isDirectory()) {
    const hint = basename(directory) === METADATA_FILE_NAME ? `; give the directory that holds it ('${dirname(directory)}')` : '';
    throw new CheckpointCorruptedError(
      `'${directory}' is not a directory: a checkpoint or savepoint is a directory with a ${METADATA_FILE_NAME} file${hint}`,
      { path: directory, problem: 'missing-directory' },
    );
  }
  const path = join(directory, METADATA_FILE_NAME);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (isNotFound(error)) {
      throw new CheckpointCorruptedError(
        `'${directory}' has no ${METADATA_FILE_NAME}, so it is not a completed checkpoint or savepoint ` +
          `(an aborted or unfinished checkpoint leaves such a directory); choose another checkpoint`,
        { path, problem: 'missing-metadata', cause: error },
      );
    }
    throw unreadable(path, error);
  }
  return decodeCheckpointMetadata(bytes, path);
}

/**
 * Reads the state file `handle` names from `directory` (the one that holds `_metadata`),
 * checking its size and CRC-32.
 *
 * @throws CheckpointCorruptedError naming the file when it is missing, has another size
 *   or fails its checksum, or when the handle's name is not a plain file name
 */
export async function readStateFile(directory: string, handle: StateFileHandle): Promise<Uint8Array> {
  const path = stateFilePath(directory, handle);
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (error) {
    throw readFailure(path, directory, error);
  }
  checkSize(path, handle, buffer.length);
  checkCrc(path, handle, crc32(buffer));
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * Checks that the state file `handle` names exists in `directory` with the recorded size
 * and CRC-32, reading it in chunks rather than all at once.
 *
 * @throws CheckpointCorruptedError as {@link readStateFile} does
 */
export async function verifyStateFile(directory: string, handle: StateFileHandle): Promise<void> {
  const path = stateFilePath(directory, handle);
  let size = 0;
  let crc = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      size += chunk.length;
      crc = crc32(chunk, crc);
    }
  } catch (error) {
    throw readFailure(path, directory, error);
  }
  checkSize(path, handle, size);
  checkCrc(path, handle, crc);
}

/**
 * Checks that a file of an incremental keyed snapshot exists with the recorded size. Its
 * bytes are not read (SST files can be gigabytes; RocksDB checksums its blocks).
 *
 * @param directory - the checkpoint's directory, which `file.file` is relative to
 * @throws CheckpointCorruptedError naming the file when it is missing or has another size
 */
export async function verifySnapshotFile(directory: string, file: SnapshotFile): Promise<void> {
  if (typeof file.file !== 'string' || !(isValidStateFileName(file.file) || isSharedFileLocation(file.file))) {
    throw new CheckpointCorruptedError(
      `checkpoint '${directory}' names an invalid snapshot file ${JSON.stringify(file.file)} (it must be a plain file name or '../shared/<file name>'); ${OLDER}`,
      { path: directory, problem: 'invalid-content' },
    );
  }
  const path = resolve(directory, file.file);
  const what = isSharedFileLocation(file.file) ? 'shared file' : 'state file';
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw readFailure(path, directory, error, what);
  }
  if (!info.isFile()) {
    throw new CheckpointCorruptedError(`${what} '${path}' is not a regular file; ${OLDER}`, { path, problem: 'unreadable' });
  }
  checkSize(path, file, info.size, what);
}

/**
 * Reads `_metadata` and checks every file it names: state files (existence, size,
 * CRC-32) and the files of incremental keyed snapshots (existence, size): the test of
 * whether a directory can be restored from.
 *
 * @throws CheckpointCorruptedError for the first problem found
 */
export async function verifyCheckpoint(directory: string): Promise<CheckpointMetadata> {
  const metadata = await readCheckpointMetadata(directory);
  for (const handle of stateFilesOf(metadata)) await verifyStateFile(directory, handle);
  for (const file of snapshotFilesOf(metadata)) await verifySnapshotFile(directory, file);
  return metadata;
}

/**
 * Every state file a checkpoint's metadata names (full keyed state and operator state,
 * each with its CRC-32), in the order of its operators and subtasks.
 */
export function stateFilesOf(metadata: CheckpointMetadata): StateFileHandle[] {
  const handles: StateFileHandle[] = [];
  for (const op of metadata.operators) {
    for (const sub of op.subtasks) {
      if (sub.keyed && sub.keyed.type !== 'incremental') handles.push(sub.keyed);
      if (sub.operatorState) handles.push(sub.operatorState);
    }
  }
  return handles;
}

/**
 * Every file of the incremental keyed snapshots a checkpoint's metadata names, shared and
 * private, in the order of its operators and subtasks (`file` relative to its directory).
 */
export function snapshotFilesOf(metadata: CheckpointMetadata): SnapshotFile[] {
  const files: SnapshotFile[] = [];
  for (const op of metadata.operators) {
    for (const sub of op.subtasks) {
      if (sub.keyed?.type === 'incremental') files.push(...sub.keyed.sharedFiles, ...sub.keyed.privateFiles);
    }
  }
  return files;
}

function stateFilePath(directory: string, handle: StateFileHandle): string {
  if (typeof handle.file !== 'string' || !isValidStateFileName(handle.file)) {
    throw new CheckpointCorruptedError(
      `checkpoint '${directory}' names an invalid state file ${JSON.stringify(handle.file)} (it must be a plain file name in the checkpoint directory); ${OLDER}`,
      { path: directory, problem: 'invalid-content' },
    );
  }
  return join(directory, handle.file);
}

function checkSize(path: string, handle: { readonly size: number }, size: number, what = 'state file'): void {
  if (size === handle.size) return;
  const truncated = size < handle.size;
  throw new CheckpointCorruptedError(
    `${what} '${path}' ${truncated ? 'is truncated' : 'is longer than recorded'}: ${handle.size} bytes expected, ${size} found; ${OLDER}`,
    { path, problem: truncated ? 'truncated' : 'size-mismatch' },
  );
}

function checkCrc(path: string, handle: StateFileHandle, crc: number): void {
  if (crc === handle.crc32) return;
  throw new CheckpointCorruptedError(
    `state file '${path}' fails its checksum (CRC-32 ${crc}, recorded ${handle.crc32}): its bytes are damaged; ${OLDER}`,
    { path, problem: 'checksum-mismatch' },
  );
}

function readFailure(path: string, directory: string, error: unknown, what = 'state file'): CheckpointCorruptedError {
  if (isNotFound(error)) {
    return new CheckpointCorruptedError(
      `${what} '${path}' is missing, so the checkpoint in '${directory}' is incomplete; ${OLDER}`,
      { path, problem: 'missing-file', cause: error },
    );
  }
  return unreadable(path, error);
}

function unreadable(path: string, error: unknown): CheckpointCorruptedError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new CheckpointCorruptedError(`cannot read '${path}' (${reason}); check its permissions and disk, or ${OLDER}`, {
    path,
    problem: 'unreadable',
    cause: error,
  });
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
