/**
 * Savepoint directories being created before their savepoint is triggered. The
 * coordinator creates a savepoint's directory first so that a target that cannot be
 * written (a read-only mount, a full disk, `/proc`, where Node's recursive mkdir never
 * returns) fails that savepoint alone: until its directory exists it holds no checkpoint
 * slot and sends no barrier, it fails after a timeout of its own, and nothing waits for
 * it when the attempt or the job ends.
 */
import { CheckpointError } from '../core/errors.js';
import type { CheckpointScheduler } from './checkpoint-scheduler.js';

/** How savepoint directories are made (part of the coordinator's savepoint storage). */
export interface SavepointDirectoryMaker {
  /** Creates `directory` (and its missing parents). */
  prepareDirectory(directory: string): Promise<void>;
  /** Removes a savepoint directory that will never hold a savepoint. */
  discardFailed(directory: string): Promise<void>;
}

/** The savepoint directories being created, each bounded by a timeout. */
export class SavepointPreparations {
  /** How to fail each preparation in flight, by directory. */
  private readonly active = new Map<string, (error: CheckpointError) => void>();

  constructor(
    private readonly maker: SavepointDirectoryMaker,
    private readonly scheduler: CheckpointScheduler,
    /** Told of what could not be cleaned up. */
    private readonly cleanupFailed: (what: string, error: unknown) => void,
  ) {}

  /** How many directories are being created. */
  get size(): number {
    return this.active.size;
  }

  /**
   * Creates `directory`. Rejects with a {@link CheckpointError} naming it when that fails,
   * takes longer than `timeoutMs`, or {@link cancelAll} is called first; a directory
   * that is made after all is removed again.
   */
  prepare(directory: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: CheckpointError): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        this.active.delete(directory);
        if (error) reject(error);
        else resolve();
      };
      const timer = this.scheduler.schedule(timeoutMs, () =>
        settle(
          new CheckpointError(
            `cannot create the savepoint directory '${directory}': no answer from the file system within ${timeoutMs} ms; choose a target on a writable local file system`,
          ),
        ),
      );
      this.active.set(directory, settle);
      this.maker.prepareDirectory(directory).then(
        () => {
          if (!settled) return settle();
          // too late: nobody will write this savepoint
          this.maker.discardFailed(directory).catch((error: unknown) => {
            this.cleanupFailed(`deleting the unused savepoint directory '${directory}'`, error);
          });
        },
        (error: unknown) =>
          settle(
            new CheckpointError(
              `cannot create the savepoint directory '${directory}': ${(error as Error).message ?? String(error)}; choose a target directory the job can write`,
              { cause: error },
            ),
          ),
      );
    });
  }

  /** Fails every preparation in flight with `reason` (the attempt or the job ended). */
  cancelAll(reason: string): void {
    for (const [directory, fail] of [...this.active]) {
      fail(new CheckpointError(`the savepoint into '${directory}' was not taken: ${reason}`));
    }
  }
}
