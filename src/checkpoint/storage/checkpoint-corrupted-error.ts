/**
 * The error every reader of checkpoint storage throws when a checkpoint or savepoint
 * directory cannot be used, so restore code and `findLatestValidCheckpoint` can tell
 * "this checkpoint is broken, try another one" apart from other failures.
 */
import { CheckpointError, registerErrorClass } from '../../core/errors.js';

/**
 * What is wrong with a checkpoint:
 * - `'missing-directory'`: the directory does not exist or is not a directory;
 * - `'missing-metadata'`: the directory has no `_metadata` (an incomplete or aborted checkpoint);
 * - `'missing-file'`: a state file named by `_metadata` does not exist;
 * - `'truncated'`: a file is shorter than recorded;
 * - `'size-mismatch'`: a file is longer than recorded, or its size field is damaged;
 * - `'checksum-mismatch'`: a file's bytes do not match its CRC-32;
 * - `'malformed'`: `_metadata` is not a metadata file at all, or not valid JSON;
 * - `'unsupported-version'`: `_metadata` has a format version this Eddy cannot read;
 * - `'invalid-content'`: `_metadata` checks out but describes something impossible;
 * - `'unreadable'`: the file system refused the read (permissions, I/O error; see `cause`).
 */
export type CheckpointProblem =
  | 'missing-directory'
  | 'missing-metadata'
  | 'missing-file'
  | 'truncated'
  | 'size-mismatch'
  | 'checksum-mismatch'
  | 'malformed'
  | 'unsupported-version'
  | 'invalid-content'
  | 'unreadable';

/**
 * A checkpoint or savepoint directory, or one of its files, is missing, incomplete or
 * corrupt. The message names the path, what is wrong and what to do; {@link path} and
 * {@link problem} carry the same for code.
 *
 * @example
 * try { await FileSystemCheckpointStorage.readCheckpoint(dir) }
 * catch (e) { if (e instanceof CheckpointCorruptedError && e.problem === 'missing-metadata') … }
 */
export class CheckpointCorruptedError extends CheckpointError {
  /** The directory or file that is wrong (empty when the error was rebuilt from a thread message). */
  readonly path: string;
  /** What is wrong (`'malformed'` when the error was rebuilt from a thread message). */
  readonly problem: CheckpointProblem;

  constructor(message: string, options?: { path?: string; problem?: CheckpointProblem; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.path = options?.path ?? '';
    this.problem = options?.problem ?? 'malformed';
  }
}

registerErrorClass(CheckpointCorruptedError);
