/**
 * The point of the RocksDB backend (DESIGN §4.3): keyed state far larger than memory. The
 * job of test/jobs/large-state.ts runs through the CLI in a process whose heap (and so each
 * worker thread's heap) is limited with --max-old-space-size, holds at least four times
 * that limit in keyed state, takes incremental checkpoints, fails once after a completed
 * checkpoint, restores, and still finds in every key exactly what it wrote.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KeyCheck } from '../../jobs/large-state.js';
import { FULL_MATRIX, STATE_BACKENDS } from '../../support/state-backends.js';
import { TempDirs } from '../fault-tolerance/support.js';
import { ROOT } from '../support.js';

/**
 * Heap limit and keys: with the full matrix 96 MB and 420,000 keys; in `npm test` 64 MB and
 * 280,000 keys, a third less work for the same proof (state over four times the heap).
 */
const HEAP_MB = FULL_MATRIX ? 96 : 64;
const KEYS = FULL_MATRIX ? 420_000 : 280_000;
const VALUE_BYTES = 1000;

const dirs = new TempDirs('rocksdb-large-state');
afterAll(() => dirs.removeAll());

/** Bytes of the shared (SST) files under the checkpoint directory now; files may vanish while counting. */
function sharedBytes(checkpoints: string): number {
  let total = 0;
  const sizeOf = (path: string): number => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  };
  try {
    for (const job of readdirSync(checkpoints)) {
      const shared = join(checkpoints, job, 'shared');
      for (const file of readdirSync(shared)) total += sizeOf(join(shared, file));
    }
  } catch {
    // not created yet, or deleted at the end
  }
  return total;
}

describe.runIf(STATE_BACKENDS.includes('rocksdb'))('rocksdb: keyed state larger than the heap', () => {
  it(`holds ${KEYS} keys × ${VALUE_BYTES} bytes with a ${HEAP_MB} MB heap, checkpoints, fails, recovers, loses nothing`, { timeout: 600_000 }, async () => {
    const checkpoints = dirs.make();
    const out = join(dirs.make(), 'out');
    const failureLog = join(dirs.make(), 'failures.log');
    const args = [
      `--max-old-space-size=${HEAP_MB}`,
      'bin/eddy.js', 'run', 'test/jobs/large-state.ts',
      '--state-backend', 'rocksdb', '--rocksdb-dir', dirs.make(), '--rocksdb-memory', '64',
      '--parallelism', '1', '--checkpoint-dir', checkpoints, '--checkpoint-interval', '2000', '--retained-checkpoints', '2',
      '--restart-attempts', '1', '--restart-delay', '0', '--rest-port', '0', '-q',
      '--set', `keys=${KEYS}`, '--set', 'rounds=2', '--set', `valueBytes=${VALUE_BYTES}`,
      '--set', `failAt=${Math.floor(KEYS / 2)}`, '--set', `failureLog=${failureLog}`, '--set', `out=${out}`,
    ];
    // the checkpoints are deleted when the job finishes: measure them while it runs
    let largestCheckpoint = 0;
    const measure = setInterval(() => {
      largestCheckpoint = Math.max(largestCheckpoint, sharedBytes(checkpoints));
    }, 250);
    const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr }),
      );
    }).finally(() => clearInterval(measure));
    expect(run.code, run.stderr).toBe(0);
    // the failure happened once, after a completed checkpoint, and the job recovered from it
    expect(readFileSync(failureLog, 'utf8').trim().split('\n')).toHaveLength(1);

    // every key checked its state in every round, and its last round is in the output exactly once
    const lines = readdirSync(out)
      .filter((f) => f.endsWith('.jsonl'))
      .flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter((l) => l !== ''))
      .map((l) => JSON.parse(l) as KeyCheck);
    expect(lines.length).toBe(KEYS);
    expect(new Set(lines.map((l) => l.key)).size).toBe(KEYS);
    expect(lines.filter((l) => !l.ok)).toEqual([]);

    // the state the checkpoints held was at least four times the heap limit
    expect(largestCheckpoint).toBeGreaterThan(4 * HEAP_MB * 1024 * 1024);
  });
});
