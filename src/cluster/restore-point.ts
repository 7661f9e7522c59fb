/**
 * Finds what `--from-savepoint PATH` restores from. PATH is a checkpoint or savepoint
 * directory (it holds `_metadata`), or a job's checkpoint directory
 * (`<checkpoint-dir>/<job-id>`), from which the newest valid retained checkpoint is taken,
 * older ones standing in for corrupt newer ones. Every state file is verified before the
 * job starts; nothing is ever modified or deleted.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CompletedCheckpoint } from '../checkpoint/checkpoint-coordinator.js';
import { FileSystemCheckpointStorage } from '../checkpoint/storage/checkpoint-storage.js';
import { CheckpointCorruptedError } from '../checkpoint/storage/checkpoint-corrupted-error.js';

/**
 * The checkpoint `path` names, verified.
 * @param warn told about newer checkpoints that were skipped because they are broken
 * @throws {@link CheckpointCorruptedError} naming the path when nothing valid is there
 */
export async function resolveRestorePoint(path: string, warn: (message: string) => void): Promise<CompletedCheckpoint> {
  const directory = resolve(path);
  if (existsSync(join(directory, '_metadata')) || !existsSync(directory)) {
    return { metadata: await FileSystemCheckpointStorage.verifyCheckpoint(directory), directory };
  }
  const storage = new FileSystemCheckpointStorage({ directory: dirname(directory), jobId: basename(directory) });
  const { latest, skipped } = await storage.scanCheckpoints();
  for (const s of skipped) warn(`skipping checkpoint ${s.directory}: ${s.reason}`);
  if (!latest) {
    throw new CheckpointCorruptedError(
      `'${directory}' holds no valid checkpoint${skipped.length > 0 ? ` (${skipped.length} broken: ${skipped.map((s) => s.reason).join('; ')})` : ' (no chk-<n> directory with a _metadata file)'}; give the path of a chk-<n> or savepoint directory`,
      { path: directory, problem: 'missing-metadata' },
    );
  }
  if (skipped.length > 0) warn(`restoring from the older checkpoint ${latest.directory}`);
  return { metadata: latest.metadata, directory: latest.directory };
}
