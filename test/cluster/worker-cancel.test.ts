/**
 * Graceful cancel on worker threads: each worker cancels its tasks as the single-thread
 * attempt does (operators' close(), keyed backends disposed, RocksDB working directories
 * deleted), and a watchdog terminates a worker stuck in user code.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startJob } from 'eddy';
import { testJobPath } from '../integration/support.js';
import { isRocksDBAvailable } from '../../src/state/rocksdb/native/rocksdb-library.js';

const WAIT = { timeout: 30_000, interval: 20 };

let root: string;
let log: string;
let rocksdbDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'eddy-worker-cancel-'));
  log = join(root, 'log');
  rocksdbDir = join(root, 'rocksdb');
  mkdirSync(log);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Files and directories under `dir`, recursively, relative to it. */
function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe.skipIf(!isRocksDBAvailable())('cancel on worker threads', () => {
  it('runs close() in every subtask and deletes the RocksDB working directories', async () => {
    const warnings: string[] = [];
    const job = await startJob(testJobPath('cancel-close'), {
      execution: 'threads',
      slots: 2,
      parameters: { log, parallelism: '2' },
      stateBackend: { kind: 'rocksdb', localDirectory: rocksdbDir },
      onWarning: (message) => warnings.push(message),
    });
    await vi.waitFor(() => {
      expect(existsSync(join(log, 'counting-0')) && existsSync(join(log, 'counting-1'))).toBe(true);
    }, WAIT);
    // both subtasks run with an open RocksDB instance in its working directory
    expect(listTree(rocksdbDir).filter((p) => /op-marked-count-\d-a0$/.test(p))).toHaveLength(2);

    const result = await job.cancel();

    expect(result.status).toBe('canceled');
    expect(readdirSync(log).filter((n) => n.startsWith('closed-')).sort()).toEqual(['closed-0', 'closed-1']);
    expect(listTree(rocksdbDir)).toEqual([]);
    expect(warnings.filter((w) => /worker thread/.test(w))).toEqual([]);
  });

  it('terminates a worker stuck in user code after the cancel timeout, and the cancel still completes', async () => {
    const warnings: string[] = [];
    const job = await startJob(testJobPath('cancel-close'), {
      execution: 'threads',
      slots: 2,
      parameters: { log, parallelism: '2', stuck: 'true' },
      stateBackend: { kind: 'rocksdb', localDirectory: rocksdbDir },
      cancelTimeoutMs: 300,
      onWarning: (message) => warnings.push(message),
    });
    await vi.waitFor(() => {
      expect(existsSync(join(log, 'stuck-0')) && existsSync(join(log, 'counting-1'))).toBe(true);
    }, WAIT);

    const result = await job.cancel();

    expect(result.status).toBe('canceled');
    expect(warnings.filter((w) => /worker thread 0 of attempt 0 did not finish canceling within 300 ms/.test(w))).toHaveLength(1);
    // the stuck thread never got to close(); the other one did
    expect(readdirSync(log).filter((n) => n.startsWith('closed-'))).toEqual(['closed-1']);
    // what the terminated thread left is removed by the attempt on its behalf
    expect(listTree(rocksdbDir)).toEqual([]);
  });
});
