/**
 * Fault injection for checkpoint storage (a public testing helper, STYLE rule 9): writes
 * chosen by checkpoint id or by count fail the way a full or broken disk makes them fail,
 * so tests of Eddy and of user jobs can check that a failed checkpoint is aborted, that
 * the job goes on, and that a restore picks an older checkpoint.
 */
import { z } from 'zod';

/** Error codes an injected fault can raise. */
export type StorageFaultCode = 'ENOSPC' | 'EIO' | 'EACCES';

/**
 * Which checkpoint storage writes fail. Plain data: it travels inside
 * `CheckpointStorageConfig` to worker threads, and each storage instance built from it
 * applies it. Every listed condition fails a write; a write matching none succeeds.
 *
 * A failing write first writes part of its bytes to its temporary file, then throws an
 * error like Node's own (`code`, `syscall`, `path`, plus `injected: true`); the storage
 * removes the temporary file and throws a `CheckpointError` naming the file, with that
 * error as its `cause`, as it does for real I/O errors.
 *
 * @example
 * // checkpoint 2 cannot write its state; the third state write of every storage instance fails
 * runJob(job, { testing: { storageFaults: { failStateWritesOfCheckpoints: [2], failNthStateWrite: 3 } } })
 */
export interface StorageFaults {
  /**
   * State file writes of these checkpoint ids fail (in every task), and so do the copies
   * of incremental snapshot files into storage (`fileStore(...).storeShared/storePrivate`).
   */
  readonly failStateWritesOfCheckpoints?: readonly number[];
  /** Writing `_metadata` of these checkpoint ids fails, so they never complete. */
  readonly failMetadataWritesOfCheckpoints?: readonly number[];
  /**
   * The n-th state file write (1-based) of each storage instance fails. Every call of
   * `writeStateFile` counts, failed or not, and so does every copy of an incremental
   * snapshot file into storage. Each worker thread (and each restart of a
   * task's thread) builds its own instance, so each counts on its own.
   */
  readonly failNthStateWrite?: number;
  /** The n-th `_metadata` write (1-based) of the storage instance fails. */
  readonly failNthMetadataWrite?: number;
  /** The error code injected failures carry. @default 'ENOSPC' */
  readonly errorCode?: StorageFaultCode;
}

/** Schema of {@link StorageFaults}, for validation at the storage's boundary. */
export const storageFaultsSchema = z.strictObject({
  failStateWritesOfCheckpoints: z.array(z.number().int().min(0)).optional(),
  failMetadataWritesOfCheckpoints: z.array(z.number().int().min(0)).optional(),
  failNthStateWrite: z.number().int().min(1).optional(),
  failNthMetadataWrite: z.number().int().min(1).optional(),
  errorCode: z.enum(['ENOSPC', 'EIO', 'EACCES']).optional(),
});

const DESCRIPTIONS: Record<StorageFaultCode, { errno: number; text: string }> = {
  ENOSPC: { errno: -28, text: 'no space left on device' },
  EIO: { errno: -5, text: 'i/o error' },
  EACCES: { errno: -13, text: 'permission denied' },
};

/** An error shaped like the one Node's `fs` throws for `code` (with `injected: true`). */
export function injectedStorageError(code: StorageFaultCode, syscall: string, path: string): NodeJS.ErrnoException & { injected: true } {
  const { errno, text } = DESCRIPTIONS[code];
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'`), { code, errno, syscall, path, injected: true as const });
}

/**
 * Decides, write by write, whether a {@link StorageFaults} setting fails it. One instance
 * per storage instance: it holds the write counters.
 */
export class StorageFaultInjector {
  private stateWrites = 0;
  private metadataWrites = 0;

  constructor(private readonly faults: StorageFaults | undefined) {}

  /** Counts one state file write; the code to fail it with, or undefined to let it succeed. */
  nextStateWrite(checkpointId: number): StorageFaultCode | undefined {
    const n = ++this.stateWrites;
    const f = this.faults;
    if (!f) return undefined;
    const fails = f.failStateWritesOfCheckpoints?.includes(checkpointId) || f.failNthStateWrite === n;
    return fails ? (f.errorCode ?? 'ENOSPC') : undefined;
  }

  /** Counts one `_metadata` write; the code to fail it with, or undefined to let it succeed. */
  nextMetadataWrite(checkpointId: number): StorageFaultCode | undefined {
    const n = ++this.metadataWrites;
    const f = this.faults;
    if (!f) return undefined;
    const fails = f.failMetadataWritesOfCheckpoints?.includes(checkpointId) || f.failNthMetadataWrite === n;
    return fails ? (f.errorCode ?? 'ENOSPC') : undefined;
  }
}
