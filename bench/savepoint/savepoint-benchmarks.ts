/**
 * The savepoint benchmarks as one group, since the restores need the savepoint: fill a
 * job with `keys` keys at `parallelism`, time its savepoints and its stop-with-savepoint
 * (savepoint-duration.ts), then restore that savepoint at each of `restoreParallelisms`
 * (restore-rescale.ts). Everything is written to a fresh temporary directory, removed at
 * the end.
 */
import { tempCheckpointDir, type Result } from '../checkpoint/common.js';
import { restoreWithRescale } from './restore-rescale.js';
import { savepointDuration } from './savepoint-duration.js';

export async function savepointBenchmarks(options: {
  keys: number;
  perKey: number;
  parallelism: number;
  /** Undisturbed savepoints wanted, and at most this many in all. */
  savepoints: number;
  maxSavepoints: number;
  restoreParallelisms: readonly number[];
  /** Undisturbed rounds of restores wanted (one restore and one empty start per parallelism), and at most this many in all. */
  restoreRounds: number;
  maxRestoreRounds: number;
}): Promise<Result[]> {
  const { keys, perKey, parallelism, savepoints, maxSavepoints, restoreParallelisms, restoreRounds, maxRestoreRounds } = options;
  const dir = tempCheckpointDir('savepoint');
  try {
    const { results, savepoint } = await savepointDuration({ keys, perKey, parallelism, repetitions: savepoints, maxRepetitions: maxSavepoints, directory: dir.path });
    const restores = await restoreWithRescale({
      savepoint,
      keys,
      perKey,
      fromParallelism: parallelism,
      parallelisms: restoreParallelisms,
      rounds: restoreRounds,
      maxRounds: maxRestoreRounds,
    });
    return [...results, ...restores];
  } finally {
    dir.dispose();
  }
}
