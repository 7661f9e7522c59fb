/**
 * Writes a file so that it is either absent or complete under its final name, even if
 * the process or the machine dies midway: write a temporary file in the same directory,
 * fsync it, rename it over the final name. Checkpoints depend on this: a `_metadata`
 * that exists is a `_metadata` that was written in full.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { injectedStorageError } from './storage-faults.js';
import type { StorageFaultCode } from './storage-faults.js';

/**
 * The temporary name `name` is written under before its rename: `.<name>.<random>.tmp`.
 * It starts with a dot, so it is never a valid state file name nor `_metadata`.
 */
export function temporaryFileName(name: string): string {
  return `.${name}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Writes `bytes` to `<directory>/<name>` atomically (temporary file, fsync, rename). The
 * directory must exist; the directory entry itself is not fsynced (see
 * {@link fsyncDirectory}). On failure the temporary file is removed and the original
 * error (from `fs`) is thrown; nothing is left under `name` that was not there before.
 *
 * @param fault - fail like a disk with this error would, after writing part of the bytes (testing)
 */
export async function writeFileAtomically(directory: string, name: string, bytes: Uint8Array, fault?: StorageFaultCode): Promise<void> {
  const temporary = join(directory, temporaryFileName(name));
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx');
    if (fault) {
      await handle.write(bytes.subarray(0, bytes.length >>> 1));
      throw injectedStorageError(fault, 'write', temporary);
    }
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, join(directory, name));
  } catch (error) {
    throw await discardTemporary(handle, temporary, error);
  }
}

/**
 * Copies the file `source` to `<directory>/<name>` atomically (copy to a temporary file,
 * fsync, rename), without reading it into memory: the copy is done by the operating
 * system (`copy_file_range`, or a clone on file systems that offer one), so files of
 * gigabytes cost no heap. The directory must exist and is not fsynced (see
 * {@link fsyncDirectory}). On failure the temporary file is removed and the original
 * error (from `fs`) is thrown.
 *
 * @param fault - fail like a disk with this error would, after the copy and before the rename (testing)
 * @returns the size of the copy in bytes
 */
export async function copyFileAtomically(source: string, directory: string, name: string, fault?: StorageFaultCode): Promise<number> {
  const temporary = join(directory, temporaryFileName(name));
  let handle: FileHandle | undefined;
  try {
    await copyFile(source, temporary, constants.COPYFILE_EXCL);
    handle = await open(temporary, 'r+');
    if (fault) throw injectedStorageError(fault, 'write', temporary);
    const { size } = await handle.stat();
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, join(directory, name));
    return size;
  } catch (error) {
    throw await discardTemporary(handle, temporary, error);
  }
}

/**
 * Closes and removes the temporary file of a failed write; returns `error` to throw. What
 * stops the clean-up is not lost: it is added to the error as `suppressed` (as Java's
 * suppressed exceptions), since the write's own failure is what the caller must see.
 */
async function discardTemporary(handle: FileHandle | undefined, temporary: string, error: unknown): Promise<unknown> {
  const suppressed: unknown[] = [];
  if (handle) await handle.close().catch((e: unknown) => suppressed.push(e));
  await unlink(temporary).catch((e: unknown) => {
    // ENOENT: the failure came before the temporary file existed
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') suppressed.push(e);
  });
  if (suppressed.length > 0 && typeof error === 'object' && error !== null && Object.isExtensible(error)) {
    Object.assign(error, { suppressed });
  }
  return error;
}

/**
 * Fsyncs a directory, making the entries created or renamed in it durable. A no-op on
 * Windows, where directories cannot be opened for fsync.
 */
export async function fsyncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
