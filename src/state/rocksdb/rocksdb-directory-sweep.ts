/**
 * Removes what crashed runs left in the RocksDB local directory (DESIGN §4.3,
 * docs/ROCKSDB.md): a process killed with `kill -9` never disposes its instances, so their
 * working directories would stay forever. Only instance directories whose owner file
 * names a process that is gone are removed; a directory of a live process (this one or
 * another Eddy on the machine), one without a readable owner file (not made by this
 * version of Eddy) and anything that is not an instance directory are left alone.
 */
import { readdirSync, rmSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { describeOwner, isCurrentProcess, ownerLiveness, readOwnerFile } from '../../core/process-owner.js';
import { OWNER_FILE_NAME, removeIfEmpty, safeName } from './rocksdb-instance-directory.js';

/** A job directory name: the 32 hex digits of a job id. */
const JOB_DIRECTORY = /^[0-9a-f]{32}$/;

/** One removed leftover: the directory and who owned it. */
export interface RemovedInstanceDirectory {
  readonly path: string;
  readonly owner: string;
}

/**
 * Removes the instance directories under `localDirectory` whose owner process is gone,
 * and the job directories left empty by that.
 *
 * @returns what was removed, for a warning
 */
export function removeDeadInstanceDirectories(localDirectory: string): RemovedInstanceDirectory[] {
  const removed: RemovedInstanceDirectory[] = [];
  for (const job of directoriesIn(localDirectory)) {
    if (!JOB_DIRECTORY.test(job)) continue;
    const jobDirectory = join(localDirectory, job);
    for (const instance of directoriesIn(jobDirectory)) {
      const path = join(jobDirectory, instance);
      const owner = readOwnerFile(join(path, OWNER_FILE_NAME));
      if (owner === undefined || ownerLiveness(owner) !== 'dead') continue;
      rmSync(path, { recursive: true, force: true });
      removed.push({ path, owner: describeOwner(owner) });
    }
    removeIfEmpty(jobDirectory);
  }
  return removed;
}

/**
 * Removes the instance directories of attempt `attemptNumber` of job `jobId` that this
 * process still holds: those of a worker thread the cancel watchdog had to terminate,
 * which never disposed its instances.
 *
 * @returns the removed directories
 */
export function removeAbandonedInstanceDirectories(localDirectory: string, jobId: string, attemptNumber: number): string[] {
  const jobDirectory = join(localDirectory, safeName(jobId));
  const suffix = `-a${attemptNumber}`;
  const removed: string[] = [];
  for (const instance of directoriesIn(jobDirectory)) {
    if (!instance.endsWith(suffix)) continue;
    const path = join(jobDirectory, instance);
    const owner = readOwnerFile(join(path, OWNER_FILE_NAME));
    if (owner === undefined || !isCurrentProcess(owner)) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  removeIfEmpty(jobDirectory);
  return removed;
}

/** The names of the directories in `path`; none when it does not exist. */
function directoriesIn(path: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}
