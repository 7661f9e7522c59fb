/**
 * Removes what crashed runs left in a checkpoint directory that can never be used: a
 * process killed in the middle of a checkpoint leaves a `chk-<n>` directory without
 * `_metadata` (never restorable: only a `_metadata` makes a checkpoint) and temporary
 * files of atomic writes (`.<name>.<random>.tmp`). Each run marks its job directory with
 * its owner (an owner file, see {@link ProcessOwner}); only job directories whose owner
 * is gone are cleaned. Completed checkpoints, savepoints, job directories of live
 * processes and job directories without an owner file are never touched.
 */
import { mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { describeOwner, ownerLiveness, readOwnerFile, writeOwnerFile } from '../../core/process-owner.js';
import { METADATA_FILE_NAME } from './checkpoint-metadata-format.js';
import { pathExists } from './path-exists.js';
import { SHARED_DIRECTORY_NAME } from './state-file-name.js';

/** The owner file of a job's checkpoint directory. */
export const JOB_OWNER_FILE_NAME = '.eddy-owner.json';

const CHECKPOINT_DIRECTORY = /^chk-\d+$/;
const TEMPORARY_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * Marks `<directory>/<jobId>/` as this process's (creating it), so a later run can tell
 * whether its owner is alive.
 */
export async function markJobCheckpointDirectory(directory: string, jobId: string): Promise<void> {
  const jobDirectory = join(directory, jobId);
  await mkdir(jobDirectory, { recursive: true });
  writeOwnerFile(join(jobDirectory, JOB_OWNER_FILE_NAME));
}

/**
 * Cleans the job directories under `directory` (other than `currentJobId`'s) whose owner
 * process is gone: removes their `chk-<n>` directories without `_metadata` and temporary
 * files; a job directory left with nothing but its owner file (and `_job.json`) goes too.
 *
 * @returns a line per removed path, for a warning
 */
export async function removeCheckpointLeftovers(directory: string, currentJobId: string): Promise<string[]> {
  const removed: string[] = [];
  for (const job of await entries(directory)) {
    if (!job.isDirectory() || job.name === currentJobId) continue;
    const jobDirectory = join(directory, job.name);
    const owner = readOwnerFile(join(jobDirectory, JOB_OWNER_FILE_NAME));
    if (owner === undefined || ownerLiveness(owner) !== 'dead') continue;
    const who = `${describeOwner(owner)} (no longer running)`;
    for (const entry of await entries(jobDirectory)) {
      const path = join(jobDirectory, entry.name);
      if (entry.isDirectory() && CHECKPOINT_DIRECTORY.test(entry.name)) {
        if (await pathExists(join(path, METADATA_FILE_NAME))) {
          removed.push(...(await removeTemporaryFiles(path, who)));
        } else {
          await rm(path, { recursive: true, force: true });
          removed.push(`in-progress checkpoint '${path}' of ${who}`);
        }
      } else if (entry.isDirectory() && entry.name === SHARED_DIRECTORY_NAME) {
        removed.push(...(await removeTemporaryFiles(path, who)));
      } else if (entry.isFile() && TEMPORARY_FILE.test(entry.name)) {
        await rm(path, { force: true });
        removed.push(`temporary file '${path}' of ${who}`);
      }
    }
    const left = (await entries(jobDirectory)).map((e) => e.name).filter((name) => name !== JOB_OWNER_FILE_NAME && name !== '_job.json');
    const emptyShared = left.length === 1 && left[0] === SHARED_DIRECTORY_NAME && (await entries(join(jobDirectory, SHARED_DIRECTORY_NAME))).length === 0;
    if (left.length === 0 || emptyShared) {
      if (emptyShared) await rmdir(join(jobDirectory, SHARED_DIRECTORY_NAME));
      await rm(join(jobDirectory, '_job.json'), { force: true });
      await rm(join(jobDirectory, JOB_OWNER_FILE_NAME), { force: true });
      await rmdir(jobDirectory);
      removed.push(`empty checkpoint directory '${jobDirectory}' of ${who}`);
    }
  }
  return removed;
}

async function removeTemporaryFiles(directory: string, who: string): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await entries(directory)) {
    if (!entry.isFile() || !TEMPORARY_FILE.test(entry.name)) continue;
    await rm(join(directory, entry.name), { force: true });
    removed.push(`temporary file '${join(directory, entry.name)}' of ${who}`);
  }
  return removed;
}

async function entries(directory: string): Promise<Dirent[]> {
  try {
    return await readdir(directory, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}
