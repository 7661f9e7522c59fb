/** Whether a path exists, for storage code that must tell "absent" from a real I/O error. */
import { stat } from 'node:fs/promises';

/**
 * True when `path` exists, false when it does not (ENOENT).
 * @throws any other file system error (EACCES, EIO…): absence is not assumed
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
