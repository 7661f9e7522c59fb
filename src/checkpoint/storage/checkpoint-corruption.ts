/**
 * Damages a file of a checkpoint or savepoint on purpose, the way a bad disk or an
 * interrupted copy would, so tests (Eddy's and users') can check that the damage is
 * detected and that recovery falls back to an older checkpoint. A public testing helper.
 */
import { readFile, writeFile } from 'node:fs/promises';

/** How {@link corruptCheckpointFile} damages a file; both may be given (truncation first). */
export interface FileCorruption {
  /** Keep only the first `truncateTo` bytes. */
  readonly truncateTo?: number;
  /** XOR the byte at this index with {@link mask}; a negative index counts from the end (-1 is the last byte). */
  readonly flipByteAt?: number;
  /** The bits to flip. @default 0xff */
  readonly mask?: number;
}

/**
 * Damages `path` in place (e.g. `<chk-dir>/_metadata` or a state file).
 *
 * @throws RangeError if `truncateTo` is longer than the file, the byte index is outside
 *   it, or the mask would change nothing
 * @example await corruptCheckpointFile(join(dir, '_metadata'), { flipByteAt: -5 })
 */
export async function corruptCheckpointFile(path: string, corruption: FileCorruption): Promise<void> {
  let bytes: Uint8Array = await readFile(path);
  const { truncateTo, flipByteAt, mask = 0xff } = corruption;
  if (truncateTo !== undefined) {
    if (!Number.isInteger(truncateTo) || truncateTo < 0 || truncateTo > bytes.length) {
      throw new RangeError(`corruptCheckpointFile: cannot truncate '${path}' (${bytes.length} bytes) to ${truncateTo} bytes`);
    }
    bytes = bytes.subarray(0, truncateTo);
  }
  if (flipByteAt !== undefined) {
    const index = flipByteAt < 0 ? bytes.length + flipByteAt : flipByteAt;
    if (!Number.isInteger(index) || index < 0 || index >= bytes.length) {
      throw new RangeError(`corruptCheckpointFile: byte ${flipByteAt} is outside '${path}' (${bytes.length} bytes)`);
    }
    if (!Number.isInteger(mask) || (mask & 0xff) === 0 || mask > 0xff || mask < 0) {
      throw new RangeError(`corruptCheckpointFile: mask ${mask} must be an integer in 1..255`);
    }
    bytes[index] = bytes[index]! ^ mask;
  }
  await writeFile(path, bytes);
}
