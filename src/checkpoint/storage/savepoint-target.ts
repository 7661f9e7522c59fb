/**
 * Where a savepoint may be written. A savepoint's directory can come from outside the
 * process (the REST API, `eddy savepoint`), so it is checked before anything is written:
 * absolute, normalised, never under the kernel's pseudo file systems (`/proc`, `/sys`,
 * `/dev`: Node's recursive mkdir loops forever under `/proc`), and, when savepoint roots
 * are configured, inside one of them. Symbolic links are followed for the part of the
 * path that exists, so a link cannot lead outside the roots.
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';
import { ConfigError } from '../../core/errors.js';

/** Directories no savepoint is ever written under. */
export const FORBIDDEN_SAVEPOINT_ROOTS: readonly string[] = ['/proc', '/sys', '/dev'];

/** A savepoint directory that may not be used; the message names it and says what to do. */
export class SavepointTargetError extends ConfigError {
  constructor(
    /** The directory as it was asked for. */
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Checks the parent directory of a savepoint and returns it normalised (absolute, no
 * `.`/`..` segments, no trailing separator).
 * @param roots directories the savepoint must lie in (absolute); empty: anywhere allowed
 * @throws SavepointTargetError when it is relative, under `/proc`, `/sys` or `/dev`, or outside every root
 */
export async function checkSavepointTarget(directory: string, roots: readonly string[]): Promise<string> {
  if (!isAbsolute(directory)) {
    throw new SavepointTargetError(
      directory,
      `savepoint directory '${directory}' is not absolute: give an absolute path (eddy savepoint and eddy stop resolve relative ones where they run)`,
    );
  }
  const normalised = resolve(directory);
  const real = await realpathOfExistingPart(normalised);
  for (const path of new Set([normalised, real])) {
    const forbidden = FORBIDDEN_SAVEPOINT_ROOTS.find((root) => isInside(path, root));
    if (forbidden !== undefined) {
      throw new SavepointTargetError(
        directory,
        `savepoint directory '${directory}' is under ${forbidden}, where no savepoint can be written: give a directory on a real file system`,
      );
    }
  }
  if (roots.length > 0) {
    const realRoots = await Promise.all(roots.map((root) => realpathOfExistingPart(resolve(root))));
    const inside = roots.some((root, i) => isInside(normalised, resolve(root)) && isInside(real, realRoots[i]!));
    if (!inside) {
      throw new SavepointTargetError(
        directory,
        `savepoint directory '${directory}' is outside the savepoint directories of this job (${roots.join(', ')}): give a directory inside one of them, or start the job with --savepoint-dir ${normalised}`,
      );
    }
  }
  return normalised;
}

/** Whether `path` is `root` or lies under it (both normalised and absolute). */
function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** `path` with the symbolic links of its longest existing ancestor resolved. */
async function realpathOfExistingPart(path: string): Promise<string> {
  const missing: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    const real = await realpath(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw new SavepointTargetError(path, `savepoint directory '${path}' cannot be checked: ${error.message}`);
    });
    if (real !== undefined) return resolve(real, ...missing.reverse());
    if (dirname(current) === current) return path;
    missing.push(basename(current));
  }
}
