/**
 * Creates a savepoint's directory one level at a time. Node's `mkdir(…, { recursive: true })`
 * retries forever on some file systems that refuse new entries with ENOENT (under
 * `/proc` it never returns, and the pending request keeps the process alive); here every
 * level is one plain `mkdir`, so such a target fails at once with the file system's error.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Creates `directory` and its missing parents.
 *
 * @throws the file system's error (ENOENT, EACCES, ENOSPC, ENOTDIR…) for the level that
 *   could not be created, or an error when something that is not a directory is in the way
 */
export async function createSavepointDirectory(directory: string): Promise<void> {
  const path = resolve(directory);
  try {
    await mkdir(path);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return requireDirectory(path);
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw error;
  }
  await createSavepointDirectory(dirname(path));
  // one more try only: a second ENOENT with the parent in place is the file system's answer
  try {
    await mkdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return requireDirectory(path);
    throw error;
  }
}

async function requireDirectory(path: string): Promise<void> {
  if (!(await stat(path)).isDirectory()) throw new Error(`'${path}' exists and is not a directory`);
}
