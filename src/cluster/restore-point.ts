/**
 * Finds what `--from-savepoint PATH` restores from. PATH is one of:
 * - a checkpoint or savepoint directory (it holds `_metadata`);
 * - the `_metadata` file of one;
 * - a run's checkpoint directory (`<checkpoint-dir>/<job-id>`), from which the newest
 *   valid completed checkpoint (or savepoint taken on stop) is taken, older ones standing
 *   in for broken newer ones.
 * Anything else is refused with a message naming the path and these forms. Every state
 * file is verified before the job starts; nothing is ever modified or deleted.
 */
import { readdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CompletedCheckpoint } from '../checkpoint/checkpoint-coordinator.js';
import { CheckpointCorruptedError } from '../checkpoint/storage/checkpoint-corrupted-error.js';
import { METADATA_FILE_NAME } from '../checkpoint/storage/checkpoint-metadata-format.js';
import { FileSystemCheckpointStorage } from '../checkpoint/storage/checkpoint-storage.js';
import { JOB_RECORD_FILE_NAME } from '../checkpoint/storage/job-run-record.js';
import { isSavepointDirectoryName } from '../checkpoint/storage/savepoint-storage.js';
import { newestValidCheckpoint } from './resume-point.js';

/** The forms PATH may take, for messages. */
const EXPECTED =
  'give a checkpoint or savepoint directory (chk-<n>, savepoint-…), its _metadata file, or a run\'s checkpoint directory (<checkpoint-dir>/<job-id>)';

/**
 * The checkpoint `path` names, verified.
 * @param warn told about newer checkpoints that were skipped because they are broken
 * @throws {@link CheckpointCorruptedError} naming the path, what it is and what was expected, when nothing valid is there
 */
export async function resolveRestorePoint(path: string, warn: (message: string) => void): Promise<CompletedCheckpoint> {
  const target = resolve(path);
  const info = await statOf(target);
  if (!info) {
    throw new CheckpointCorruptedError(`cannot restore from '${target}': it does not exist; ${EXPECTED}`, { path: target, problem: 'missing-directory' });
  }
  if (info.isFile()) {
    if (basename(target) !== METADATA_FILE_NAME) {
      throw new CheckpointCorruptedError(`cannot restore from '${target}': it is a file, not a checkpoint; ${EXPECTED}`, { path: target, problem: 'missing-directory' });
    }
    const directory = dirname(target);
    return { metadata: await FileSystemCheckpointStorage.verifyCheckpoint(directory), directory };
  }
  const names = await readdir(target);
  if (names.includes(METADATA_FILE_NAME)) return { metadata: await FileSystemCheckpointStorage.verifyCheckpoint(target), directory: target };
  const runDirectory = names.includes(JOB_RECORD_FILE_NAME) || names.some((n) => /^chk-\d+$/.test(n) || isSavepointDirectoryName(n));
  if (runDirectory) {
    const { checkpoint, broken } = await newestValidCheckpoint(target, {}, warn);
    if (!checkpoint) {
      throw new CheckpointCorruptedError(
        `cannot restore from '${target}': it holds no valid completed checkpoint${broken.length > 0 ? ` (${broken.length} broken: ${broken.join(', ')})` : ' (no chk-<n> or savepoint directory with a _metadata file)'}; give the path of another checkpoint or savepoint`,
        { path: target, problem: 'missing-metadata' },
      );
    }
    if (broken.length > 0) warn(`restoring from the older checkpoint ${checkpoint.directory}`);
    return checkpoint;
  }
  const runs = await runDirectoriesIn(target, names);
  if (runs.length > 0) {
    throw new CheckpointCorruptedError(
      `cannot restore from '${target}': it holds the checkpoints of ${runs.length} run(s) (${runs.slice(0, 3).join(', ')}${runs.length > 3 ? ', …' : ''}); give one of them (<checkpoint-dir>/<job-id>), or use --resume --checkpoint-dir '${target}' to resume the newest run of the job`,
      { path: target, problem: 'missing-metadata' },
    );
  }
  throw new CheckpointCorruptedError(`cannot restore from '${target}': it has no _metadata, no chk-<n> directories and no runs' directories; ${EXPECTED}`, {
    path: target,
    problem: 'missing-metadata',
  });
}

/** The subdirectories of `directory` that are a run's checkpoint directory (they hold `_job.json` or `chk-<n>`). */
async function runDirectoriesIn(directory: string, names: readonly string[]): Promise<string[]> {
  const runs: string[] = [];
  for (const name of names) {
    const child = join(directory, name);
    if (!(await statOf(child))?.isDirectory()) continue;
    const inside = await readdir(child);
    if (inside.includes(JOB_RECORD_FILE_NAME) || inside.some((n) => /^chk-\d+$/.test(n))) runs.push(child);
  }
  return runs;
}

async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CheckpointCorruptedError(`cannot read '${path}': ${(error as Error).message}`, { path, problem: 'unreadable', cause: error });
  }
}
