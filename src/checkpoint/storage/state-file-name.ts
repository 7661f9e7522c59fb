/**
 * Names of state files inside a checkpoint directory and the job's `shared/` directory.
 * Operator uids are chosen by users and may hold any character (`/`, `..`, emoji, names
 * that differ only in case), so a uid is never used as a file name as it is: it is
 * reduced to a readable, safe part and a hash of the whole uid keeps different uids
 * apart, even on case-insensitive disks.
 */
import { createHash, randomBytes } from 'node:crypto';

/**
 * What a state file holds: `'keyed'` (a keyed state snapshot), `'operator'` (operator
 * state) or `'channel'` (in-flight data of an unaligned checkpoint).
 */
export type StateFileKind = 'keyed' | 'operator' | 'channel';

/** Longest readable part of a uid kept in a file name. */
const READABLE_UID_LENGTH = 48;

/** What a state file name may look like: a safe, portable, single path segment. */
const VALID_NAME = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$/;

/**
 * The file name of one kind of state of one subtask of an operator:
 * `op-<readable uid>-<hash>-<subtaskIndex>-<kind>.bin`, where the readable part is the
 * uid with every character outside `[A-Za-z0-9._-]` replaced by `_` (at most 48
 * characters) and the hash is the first 8 hex digits of the SHA-256 of the whole uid.
 *
 * Different uids get different names (up to a 32-bit hash collision between uids that
 * also look alike), on every file system; the same arguments always give the same name.
 *
 * @param uid - the operator's uid, any string
 * @param subtaskIndex - the subtask (0-based)
 * @param kind - what the file holds
 * @example stateFileName('dedup', 2, 'keyed') // 'op-dedup-<8 hex>-2-keyed.bin'
 */
export function stateFileName(uid: string, subtaskIndex: number, kind: StateFileKind): string {
  return `${subtaskFilePrefix(uid, subtaskIndex, 'stateFileName')}-${kind}.bin`;
}

/**
 * The name under which a file of an incremental keyed snapshot (`nativeName`, e.g.
 * `000012.sst` or `MANIFEST-000005`) is stored: `op-<readable uid>-<hash>-<subtaskIndex>-`
 * followed by `native-<nativeName>` for a private file (in the checkpoint's directory; the
 * same native name appears in every subtask) or by 16 random hex digits and
 * `-<nativeName>` for a shared file, whose name must never be used twice in `shared/`.
 *
 * @throws RangeError if the subtask index is not a non-negative integer
 * @example snapshotFileName('dedup', 2, '000012.sst', 'shared') // 'op-dedup-<8 hex>-2-<16 hex>-000012.sst'
 */
export function snapshotFileName(uid: string, subtaskIndex: number, nativeName: string, kind: 'shared' | 'private'): string {
  const unique = kind === 'shared' ? randomBytes(8).toString('hex') : 'native';
  return `${subtaskFilePrefix(uid, subtaskIndex, 'snapshotFileName')}-${unique}-${nativeName}`;
}

function subtaskFilePrefix(uid: string, subtaskIndex: number, caller: string): string {
  if (!Number.isSafeInteger(subtaskIndex) || subtaskIndex < 0) {
    throw new RangeError(`${caller}: subtaskIndex must be a non-negative integer, got ${subtaskIndex}`);
  }
  const readable = uid.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, READABLE_UID_LENGTH);
  const hash = createHash('sha256').update(uid, 'utf8').digest('hex').slice(0, 8);
  return `op-${readable}-${hash}-${subtaskIndex}`;
}

/** The name of a job's directory of files shared by incremental checkpoints: `<checkpoint dir>/<job id>/shared/`. */
export const SHARED_DIRECTORY_NAME = 'shared';

/** Where a shared file named `name` is, relative to a checkpoint directory of its job: `../shared/<name>`. */
export function sharedFileLocation(name: string): string {
  return `../${SHARED_DIRECTORY_NAME}/${name}`;
}

/**
 * Whether `file` is a location {@link sharedFileLocation} gives for a valid state file
 * name; like {@link isValidStateFileName}, it cannot reach anywhere else.
 */
export function isSharedFileLocation(file: string): boolean {
  const prefix = sharedFileLocation('');
  return file.startsWith(prefix) && isValidStateFileName(file.slice(prefix.length));
}

/**
 * Whether `name` may be a state file name: 1–200 characters from `[A-Za-z0-9._~-]`,
 * starting with a letter or digit. That rules out path separators, `.` and `..`, hidden
 * and temporary files (which start with `.`) and `_metadata`, so a name read from
 * `_metadata` can never reach outside its checkpoint directory.
 */
export function isValidStateFileName(name: string): boolean {
  return VALID_NAME.test(name);
}
