/**
 * The asynchronous part of a RocksDB incremental checkpoint stores files on a few lanes
 * at once. When one store fails, the run must not end while another is still storing: the
 * caller deletes what the failed snapshot stored, and a file stored after that would stay.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyGroupRange } from '../../../src/core/key-group-range.js';
import { RocksDBIncrementalSnapshotRunner } from '../../../src/state/rocksdb/rocksdb-incremental-snapshot-runner.js';
import type { SnapshotFile, SnapshotFileStore } from '../../../src/state/keyed-state-backend.js';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('RocksDBIncrementalSnapshotRunner', () => {
  it('ends a failed run only once every store it started has ended, and starts none after the failure', async () => {
    root = await mkdtemp(join(tmpdir(), 'eddy-incremental-runner-'));
    const directory = join(root, 'chk');
    await mkdir(directory);
    for (let i = 0; i < 12; i++) await writeFile(join(directory, `${String(i).padStart(6, '0')}.sst`), `sst ${i}`);

    const events: string[] = [];
    let inFlight = 0;
    let calls = 0;
    const files: SnapshotFileStore = {
      async storeShared(path: string): Promise<SnapshotFile> {
        const call = ++calls;
        inFlight++;
        events.push(`start ${call}`);
        try {
          // the second store fails at once; the others take a few turns of the event loop
          if (call === 2) throw new Error('EIO: injected');
          for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
          return { file: `../shared/${call}`, size: 1, name: path };
        } finally {
          inFlight--;
          events.push(`end ${call}`);
        }
      },
      storePrivate: () => Promise.reject(new Error('no private files here')),
      owns: () => true,
      relativize: (p: string) => p,
    } as unknown as SnapshotFileStore;
    let released = false;
    const runner = new RocksDBIncrementalSnapshotRunner(
      { checkpointId: 1, maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127), states: [], directory, prefix: '', previous: new Map() },
      files,
      () => {},
      () => (released = true),
    );

    await expect(runner.run()).rejects.toThrow(/EIO: injected/);

    expect(inFlight).toBe(0);
    expect(released).toBe(true);
    // the four lanes each took one file; after the failure only the running ones ended
    expect(calls).toBe(4);
    expect(events.filter((e) => e.startsWith('end'))).toHaveLength(4);
  });
});
