/**
 * The local working directory of one RocksDB backend instance:
 * `<local directory>/<job id>/<instance name>/`, holding the open database (`db-<n>/`),
 * native checkpoints on their way to checkpoint storage (`chk-<id>/`) and restore scratch
 * space (`restore-<n>/`), and an owner file ({@link OWNER_FILE_NAME}: the pid and start
 * token of the process) by which a later run tells a crashed process's leftovers from a
 * live one's (rocksdb-directory-sweep.ts). Nothing in it outlives the instance: its state
 * comes from checkpoints.
 */
import { mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import { describeOwner, isCurrentProcess, ownerLiveness, readOwnerFile, writeOwnerFile } from '../../core/process-owner.js';

/** The owner file in each instance directory (see {@link ProcessOwner}). */
export const OWNER_FILE_NAME = '.eddy-owner.json';

/** The directories of one instance. */
export class InstanceDirectory {
  private next = 0;

  private constructor(readonly root: string) {}

  /**
   * Creates the instance's directory, discarding whatever was there (instance names are
   * unique within a job run, so that can only be a leftover of this run), and marks it
   * with this process as its owner.
   */
  static create(localDirectory: string, jobId: string, instanceName: string): InstanceDirectory {
    const root = join(localDirectory, safeName(jobId), safeName(instanceName));
    const owner = readOwnerFile(join(root, OWNER_FILE_NAME));
    if (owner !== undefined && !isCurrentProcess(owner) && ownerLiveness(owner) !== 'dead') {
      throw new ConfigError(
        `RocksDB working directory '${root}' belongs to ${describeOwner(owner)}, which is still running; ` +
          'expected each job run to have its own job id (or give this run another --rocksdb-dir)',
      );
    }
    rmSync(root, { recursive: true, force: true });
    for (let tries = 1; ; tries++) {
      mkdirSync(root, { recursive: true });
      try {
        writeOwnerFile(join(root, OWNER_FILE_NAME));
        break;
      } catch (error) {
        // the job directory was empty a moment ago, and another run's sweep may have removed it: once more
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || tries >= 3) throw error;
      }
    }
    return new InstanceDirectory(root);
  }

  /** A fresh path for a database (it does not exist yet). */
  newDatabasePath(): string {
    return join(this.root, `db-${this.next++}`);
  }

  /** A fresh path for restore scratch space (it does not exist yet). */
  newScratchPath(): string {
    return join(this.root, `restore-${this.next++}`);
  }

  /** Where the native checkpoint of checkpoint `checkpointId` goes (it must not exist). */
  checkpointPath(checkpointId: number): string {
    return join(this.root, `chk-${checkpointId}-${this.next++}`);
  }

  /** Deletes everything, and the job's directory once no instance is left in it. */
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
    removeIfEmpty(dirname(this.root));
  }
}

/** Removes directory `path` if it is empty; leaves it when another instance is (or was just) created in it. */
export function removeIfEmpty(path: string): boolean {
  try {
    rmdirSync(path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') return false;
    throw error;
  }
}

/** `name` with path separators and other unsafe characters replaced. */
export function safeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || safe === '.' || safe === '..' ? `_${safe}` : safe;
}
