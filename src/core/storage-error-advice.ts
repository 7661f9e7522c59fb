/**
 * Turns what Node's `fs` throws when a disk cannot take Eddy's files (full, read-only, no
 * permission…) into a {@link StorageError} that names the path and says what to do. Used
 * by checkpoint storage and the file sinks, so a full disk reads the same everywhere.
 */
import { StorageError } from './errors.js';

/** What each error code means for the user, and what to do about it. */
const ADVICE: Readonly<Record<string, { readonly reason: string; readonly advice: string }>> = {
  ENOSPC: { reason: 'the disk is full', advice: 'free some space on it, or choose a directory on another disk' },
  EDQUOT: { reason: 'the disk quota is used up', advice: 'free some space or raise the quota, or choose a directory on another disk' },
  EACCES: { reason: 'permission denied', advice: 'give the user running Eddy write access to it, or choose another directory' },
  EPERM: { reason: 'operation not permitted', advice: 'give the user running Eddy write access to it, or choose another directory' },
  EROFS: { reason: 'the file system is read-only', advice: 'choose a directory on a writable file system' },
  EMFILE: { reason: 'too many open files in this process', advice: 'raise the limit of open files (ulimit -n)' },
  ENFILE: { reason: 'too many open files on this machine', advice: 'raise the system limit of open files, or close other programs' },
  EIO: { reason: 'the device reported an I/O error', advice: 'check the disk (e.g. dmesg); what was written there may be damaged' },
};

/** The Node error code of `error`, if it has one. */
function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * `; <reason>: <what to do>` for an error whose code Eddy knows (to append to a message
 * that already names the path and quotes Node's message), else an empty string.
 * @param option the option that chooses the directory, e.g. `--checkpoint-dir`
 */
export function storageAdvice(error: unknown, option?: string): string {
  const known = ADVICE[codeOf(error) ?? ''];
  if (!known) return '';
  return `; ${known.reason}: ${known.advice}${option ? ` (${option})` : ''}`;
}

/**
 * A {@link StorageError} naming `path`, what was being done, the reason and what to do,
 * with `error` as its cause, when `error` is a file system error Eddy knows (ENOSPC,
 * EDQUOT, EACCES, EPERM, EROFS, EMFILE, ENFILE, EIO); otherwise `error` itself.
 * @param action what was being done, e.g. `write the part file`
 * @param option the option that chooses the directory, e.g. `JsonlSink's directory`
 */
export function toStorageError(error: unknown, path: string, action: string, option?: string): unknown {
  const code = codeOf(error);
  if (!code || !ADVICE[code]) return error;
  return new StorageError(`cannot ${action} '${path}' (${code})${storageAdvice(error, option)}`, { path, code }, { cause: error });
}
