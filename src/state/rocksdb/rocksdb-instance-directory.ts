/**
 * The local working directory of one RocksDB backend instance:
 * `<local directory>/<job id>/<instance name>/`, holding the open database (`db-<n>/`),
 * native checkpoints on their way to checkpoint storage (`chk-<id>/`) and restore scratch
 * space (`restore-<n>/`). Nothing in it outlives the instance: a directory left over by a
 * crashed run (perhaps half-written or corrupt) is discarded when the instance starts, and
 * its state comes from the checkpoint instead.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** The directories of one instance. */
export class InstanceDirectory {
  private next = 0;

  private constructor(readonly root: string) {}

  /** Creates the instance's directory, discarding whatever was there. */
  static create(localDirectory: string, jobId: string, instanceName: string): InstanceDirectory {
    const root = join(localDirectory, safeName(jobId), safeName(instanceName));
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
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

  /** Deletes everything. */
  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** `name` with path separators and other unsafe characters replaced. */
function safeName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || safe === '.' || safe === '..' ? `_${safe}` : safe;
}
