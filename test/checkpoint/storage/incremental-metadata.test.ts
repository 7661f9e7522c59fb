import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CheckpointMetadata, IncrementalKeyedStateHandle } from '../../../src/checkpoint/checkpoint-metadata.js';
import { isIncrementalKeyedStateHandle } from '../../../src/checkpoint/checkpoint-metadata.js';
import { CheckpointCorruptedError } from '../../../src/checkpoint/storage/checkpoint-corrupted-error.js';
import { decodeCheckpointMetadata, encodeCheckpointMetadata } from '../../../src/checkpoint/storage/checkpoint-metadata-format.js';
import { snapshotFilesOf, stateFilesOf } from '../../../src/checkpoint/storage/checkpoint-reader.js';
import { crc32 } from '../../../src/core/crc32.js';
import { CheckpointError } from '../../../src/core/errors.js';
import { valueStateMeta } from '../../support/fake-incremental-backend.js';

/** A `_metadata` written before incremental checkpoints existed: keyed handles have no `type`. */
const V1_FULL = fileURLToPath(new URL('./fixtures/v1-full-checkpoint/_metadata', import.meta.url));

const incremental: IncrementalKeyedStateHandle = {
  type: 'incremental',
  backend: 'rocksdb',
  keyGroupRange: [64, 127],
  states: [valueStateMeta('count'), { ...valueStateMeta('seen'), kind: 'map', userKeySerializerId: 'eddy.key', userKeySerializerVersion: 1 }],
  sharedFiles: [
    { name: '000012.sst', file: '../shared/op-count-6c35493a-1-0123456789abcdef-000012.sst', size: 4096 },
    { name: '000015.sst', file: '../shared/op-count-6c35493a-1-fedcba9876543210-000015.sst', size: 1024 },
  ],
  privateFiles: [
    { name: 'MANIFEST-000005', file: 'op-count-6c35493a-1-native-MANIFEST-000005', size: 300 },
    { name: 'CURRENT', file: 'op-count-6c35493a-1-native-CURRENT', size: 16 },
  ],
};

function metadataWith(keyed: readonly unknown[], kind: 'checkpoint' | 'savepoint' = 'checkpoint'): CheckpointMetadata {
  return {
    format: 'eddy-checkpoint',
    version: 1,
    jobId: 'job-1',
    checkpointId: 5,
    kind,
    triggerTimestamp: 1,
    completionTimestamp: 2,
    operators: [
      {
        uid: 'count',
        name: 'count',
        parallelism: keyed.length,
        maxParallelism: 128,
        subtasks: keyed.map((k, subtaskIndex) => ({ subtaskIndex, keyed: k as IncrementalKeyedStateHandle })),
      },
    ],
  };
}

const full = { file: 'op-count-6c35493a-0-keyed.bin', size: 100, crc32: 7, keyGroupRange: [0, 63], keyGroups: [{ keyGroup: 3, offset: 16, length: 40 }] };

describe('_metadata with incremental keyed handles', () => {
  it('reads back full handles (with or without a type) and incremental handles as written', () => {
    const metadata = metadataWith([full, incremental]);
    expect(decodeCheckpointMetadata(encodeCheckpointMetadata(metadata), '_metadata')).toEqual(metadata);
    const typed = metadataWith([{ ...full, type: 'full' }, incremental]);
    expect(decodeCheckpointMetadata(encodeCheckpointMetadata(typed), '_metadata')).toEqual(typed);
  });

  it('lists the files of incremental handles apart from the checksummed state files', () => {
    const metadata = metadataWith([full, incremental]);
    expect(stateFilesOf(metadata).map((h) => h.file)).toEqual([full.file]);
    expect(snapshotFilesOf(metadata)).toEqual([...incremental.sharedFiles, ...incremental.privateFiles]);
  });

  it('reads a checked-in version 1 _metadata without handle types as full handles', async () => {
    const metadata = decodeCheckpointMetadata(await readFile(V1_FULL), V1_FULL);
    const keyed = metadata.operators[1]!.subtasks.map((s) => s.keyed!);
    expect(keyed).toHaveLength(2);
    for (const handle of keyed) {
      expect(handle.type).toBeUndefined();
      expect(isIncrementalKeyedStateHandle(handle)).toBe(false);
    }
    expect(stateFilesOf(metadata)).toHaveLength(3);
    // and it is written the same way again: full handles still carry no type
    expect(new Uint8Array(encodeCheckpointMetadata(metadata))).toEqual(new Uint8Array(await readFile(V1_FULL)));
  });

  const invalid: [string, unknown, RegExp][] = [
    ['a shared file outside shared/', { ...incremental, sharedFiles: [{ name: 'a.sst', file: '../../other/a.sst', size: 1 }] }, /sharedFiles\[0\]\.file/],
    ['a shared file by absolute path', { ...incremental, sharedFiles: [{ name: 'a.sst', file: '/tmp/a.sst', size: 1 }] }, /sharedFiles\[0\]\.file/],
    ['a private file in a subdirectory', { ...incremental, privateFiles: [{ name: 'CURRENT', file: 'x/CURRENT', size: 1 }] }, /privateFiles\[0\]\.file/],
    ['a private file in shared/', { ...incremental, privateFiles: [{ name: 'CURRENT', file: '../shared/CURRENT', size: 1 }] }, /privateFiles\[0\]\.file/],
    ['a native name with a path', { ...incremental, sharedFiles: [{ name: '../a.sst', file: '../shared/a.sst', size: 1 }] }, /sharedFiles\[0\]\.name/],
    ['a file twice', { ...incremental, privateFiles: [incremental.privateFiles[0], { ...incremental.privateFiles[0], name: 'OPTIONS' }] }, /appears twice/],
    ['a state twice', { ...incremental, states: [valueStateMeta('a'), valueStateMeta('a')] }, /state "a" appears twice/],
    ['another backend', { ...incremental, backend: 'leveldb' }, /backend/],
    ['no shared files list', { ...incremental, sharedFiles: undefined }, /sharedFiles/],
    ['an unknown handle type', { ...incremental, type: 'delta' }, /type/],
    ['a key-group range beyond maxParallelism', { ...incremental, keyGroupRange: [64, 128] }, /does not fit maxParallelism/],
  ];
  for (const [what, handle, problem] of invalid) {
    it(`refuses ${what}`, () => {
      expect(() => encodeCheckpointMetadata(metadataWith([handle]))).toThrow(CheckpointError);
      expect(() => encodeCheckpointMetadata(metadataWith([handle]))).toThrow(problem);
    });
  }

  it('refuses an incremental handle in a savepoint, which must be self-contained', () => {
    expect(() => encodeCheckpointMetadata(metadataWith([incremental], 'savepoint'))).toThrow(/a savepoint holds full snapshots only/);
  });

  it('reports an incremental handle pointing outside shared/ in a file as invalid content', () => {
    const text = new TextDecoder().decode(encodeCheckpointMetadata(metadataWith([incremental])));
    const body = text.slice(text.indexOf('\n') + 1).replace('../shared/op-count-6c35493a-1-0123456789abcdef-000012.sst', '../../../etc/passwd');
    const bodyBytes = new TextEncoder().encode(body);
    const bytes = new TextEncoder().encode(`{"format": "eddy-checkpoint", "version": 1, "bodySize": ${bodyBytes.length}, "bodyCrc32": ${crc32(bodyBytes)},\n${body}`);
    const error = (() => {
      try {
        decodeCheckpointMetadata(bytes, '/x/_metadata');
      } catch (e) {
        return e;
      }
      throw new Error('decoded');
    })();
    expect(error).toBeInstanceOf(CheckpointCorruptedError);
    expect((error as CheckpointCorruptedError).problem).toBe('invalid-content');
    expect((error as Error).message).toMatch(/sharedFiles\[0\]\.file/);
  });
});
