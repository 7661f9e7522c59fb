/**
 * Creates a directory and its missing parents with a deadline. Node's
 * `mkdir(path, { recursive: true })` never settles under some pseudo file systems (it
 * loops forever under `/proc`, holding a thread of libuv's pool), so directories are made
 * one level at a time with plain `mkdir`, which always answers, and the whole creation is
 * bounded by a timeout for file systems that hang (a dead network mount).
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CheckpointError } from '../../core/errors.js';

/** How long creating one savepoint directory may take by default (ms). */
export const DEFAULT_MKDIR_TIMEOUT_MS = 10_000;

/** Options of {@link makeDirectory}. */
export interface MakeDirectoryOptions {
  /** @default {@link DEFAULT_MKDIR_TIMEOUT_MS} */
  readonly timeoutMs?: number;
  /** Creates one level (tests inject a file system that hangs). @default fs.promises.mkdir */
  readonly mkdirOne?: (path: string) => Promise<unknown>;
}

/**
 * Creates `directory` and its missing parents.
 * @param what names the operation in error messages, e.g. `savepoint 7`
 * @throws CheckpointError naming the directory when it cannot be created or it took longer than the timeout
 */
export async function makeDirectory(directory: string, what: string, options: MakeDirectoryOptions = {}): Promise<void> {
  const { timeoutMs = DEFAULT_MKDIR_TIMEOUT_MS, mkdirOne = (level: string) => mkdir(level) } = options;
  const path = resolve(directory);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new CheckpointError(
            `${what}: creating directory '${path}' did not finish within ${timeoutMs} ms; check that its file system is mounted and writable, or give another directory`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    await Promise.race([createLevels(path, what, mkdirOne), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Creates the missing levels of `path`, top-down, each with a non-recursive mkdir. */
async function createLevels(path: string, what: string, mkdirOne: (path: string) => Promise<unknown>): Promise<void> {
  const missing: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    const found = await stat(current).then(
      (s) => s,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw cannotCreate(path, what, error);
      },
    );
    if (found) {
      if (!found.isDirectory()) throw new CheckpointError(`${what}: cannot create directory '${path}': '${current}' is not a directory`);
      break;
    }
    if (dirname(current) === current) break;
    missing.push(current);
  }
  for (const level of missing.reverse()) {
    await mkdirOne(level).catch((error: NodeJS.ErrnoException) => {
      // another writer (a parallel subtask of the same savepoint) made it first
      if (error.code !== 'EEXIST') throw cannotCreate(path, what, error);
    });
  }
}

function cannotCreate(path: string, what: string, error: NodeJS.ErrnoException): CheckpointError {
  return new CheckpointError(`${what}: cannot create directory '${path}': ${error.message}`, { cause: error });
}
