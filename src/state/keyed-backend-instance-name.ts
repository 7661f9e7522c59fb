/**
 * The `instanceName` of a keyed backend (see {@link KeyedStateBackendOptions}): unique
 * within a job and safe as a file name, because backends that keep files (RocksDB) name
 * their working directory after it. Uids may hold any character (`/`, `..`, spaces,
 * emoji, names that differ only in case), so they are never used as they are.
 */
import { createHash } from 'node:crypto';

/** Longest part of a uid kept in an instance name. */
const READABLE_UID_LENGTH = 48;

/** Characters a uid keeps as they are (lower case only: disks may ignore case). */
const UNSAFE = /[^a-z0-9._-]/gu;

/**
 * `op-<uid>-<subtaskIndex>-a<attemptNumber>`, e.g. `op-dedup-2-a0`. A uid that is not
 * already made of `[a-z0-9._-]` (at most 48 of them) is shown in lower case with every
 * other character replaced by `_`, cut to 48 characters, followed by `~` and the first 8
 * hex digits of the SHA-256 of the whole uid: uid `Dedup/v2` gives
 * `op-dedup_v2~<8 hex>-2-a0`. A uid kept as it is never holds `~`, so it cannot pose as
 * another uid's hashed form; the subtask and attempt, read from the right, are unambiguous.
 *
 * @param uid - the operator's uid, any string
 * @param subtaskIndex - the subtask (0-based)
 * @param attemptNumber - the attempt (0 for the first run of the job)
 */
export function keyedBackendInstanceName(uid: string, subtaskIndex: number, attemptNumber: number): string {
  for (const [what, n] of [['subtaskIndex', subtaskIndex], ['attemptNumber', attemptNumber]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`keyedBackendInstanceName: ${what} must be a non-negative integer, got ${n}`);
  }
  const readable = uid.toLowerCase().replace(UNSAFE, '_').slice(0, READABLE_UID_LENGTH);
  const shown = readable === uid && uid.length > 0 ? uid : `${readable}~${createHash('sha256').update(uid, 'utf8').digest('hex').slice(0, 8)}`;
  return `op-${shown}-${subtaskIndex}-a${attemptNumber}`;
}
