import fc from 'fast-check';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckpointMetadata } from '../../../src/checkpoint/checkpoint-metadata.js';
import { CheckpointCorruptedError } from '../../../src/checkpoint/storage/checkpoint-corrupted-error.js';
import { decodeCheckpointMetadata, encodeCheckpointMetadata } from '../../../src/checkpoint/storage/checkpoint-metadata-format.js';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import { crc32 } from '../../../src/core/crc32.js';
import { newStorage, sampleMetadata, writeSampleCheckpoint } from './support.js';

const handle = (file: string, size: number) => ({ file, size, crc32: size * 7 });
const metadata = sampleMetadata(12, { keyed0: handle('a.bin', 100), keyed1: handle('b.bin', 60), source: handle('c.bin', 24) });
const PATH = '/checkpoints/job/chk-12/_metadata';

function decodeError(bytes: Uint8Array): CheckpointCorruptedError {
  try {
    decodeCheckpointMetadata(bytes, PATH);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointCorruptedError);
    return error as CheckpointCorruptedError;
  }
  throw new Error(`decoding succeeded: ${new TextDecoder().decode(bytes)}`);
}

/** `_metadata` bytes of `metadata` with its JSON body replaced by `body` (checksum recomputed). */
function withBody(body: string, version = 1): Uint8Array {
  const bodyBytes = new TextEncoder().encode(body);
  return new TextEncoder().encode(
    `{"format": "eddy-checkpoint", "version": ${version}, "bodySize": ${bodyBytes.length}, "bodyCrc32": ${crc32(bodyBytes)},\n${body}`,
  );
}

/** The JSON body (after the first line) of `metadata` with `change` applied. */
function bodyOf(change: (m: Record<string, unknown>) => void): string {
  const copy = structuredClone(metadata) as unknown as Record<string, unknown>;
  change(copy);
  const { format: _f, version: _v, ...rest } = copy;
  return `${JSON.stringify(rest, null, 2).slice(2)}\n`;
}

describe('the _metadata format (version 1)', () => {
  it('round-trips metadata, including any JSON source position', () => {
    expect(decodeCheckpointMetadata(encodeCheckpointMetadata(metadata), PATH)).toEqual(metadata);
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (position, uid) => {
        const m: CheckpointMetadata = {
          ...metadata,
          operators: [{ uid, name: uid, parallelism: 1, maxParallelism: 1, subtasks: [{ subtaskIndex: 0, sourcePosition: position }] }],
        };
        const decoded = decodeCheckpointMetadata(encodeCheckpointMetadata(m), PATH);
        expect(decoded.operators[0]!.uid).toBe(uid);
        expect(JSON.stringify(decoded.operators[0]!.subtasks[0]!.sourcePosition)).toBe(JSON.stringify(position));
      }),
    );
  });

  it('is JSON a person can read: format and version first, one field per line', () => {
    const text = new TextDecoder().decode(encodeCheckpointMetadata(metadata));
    expect(text.startsWith('{"format": "eddy-checkpoint", "version": 1, "bodySize": ')).toBe(true);
    expect(text).toContain('\n  "jobId": "a1b2c3d4e5f60718293a4b5c6d7e8f90",\n  "checkpointId": 12,\n');
    expect(text.endsWith('\n}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text) as object).slice(0, 4)).toEqual(['format', 'version', 'bodySize', 'bodyCrc32']);
  });

  it('round-trips a large checkpoint, one key group per line', () => {
    const keyGroups = Array.from({ length: 64 }, (_, i) => ({ keyGroup: i * 2, offset: i * 100, length: 100 }));
    const large: CheckpointMetadata = {
      ...metadata,
      operators: [
        {
          uid: 'big',
          name: 'big',
          parallelism: 100,
          maxParallelism: 12800,
          subtasks: Array.from({ length: 100 }, (_, s) => ({
            subtaskIndex: s,
            keyed: { file: `k-${s}.bin`, size: 6400, crc32: s, keyGroupRange: [s * 128, s * 128 + 127] as const, keyGroups: keyGroups.map((k) => ({ ...k, keyGroup: s * 128 + k.keyGroup })) },
          })),
        },
      ],
    };
    const bytes = encodeCheckpointMetadata(large);
    expect(decodeCheckpointMetadata(bytes, PATH)).toEqual(large);
    expect(new TextDecoder().decode(bytes)).toContain('\n              {"keyGroup": 130, "offset": 100, "length": 100},\n');
  });

  it('keeps fields it does not know (added later) when reading', () => {
    const decoded = decodeCheckpointMetadata(withBody(bodyOf((m) => (m.comment = 'added in 1.x'))), PATH);
    expect((decoded as unknown as { comment: string }).comment).toBe('added in 1.x');
  });

  it('detects every truncation of _metadata', () => {
    const bytes = encodeCheckpointMetadata(metadata);
    for (let length = 0; length < bytes.length; length++) {
      const error = decodeError(bytes.subarray(0, length));
      expect(error.problem, `length ${length}`).toBe('truncated');
      expect(error.path).toBe(PATH);
    }
  });

  it('detects a change of every single byte of _metadata, by several bit patterns', () => {
    const bytes = encodeCheckpointMetadata(metadata);
    for (let index = 0; index < bytes.length; index++) {
      for (const mask of [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff]) {
        const damaged = bytes.slice();
        damaged[index] = damaged[index]! ^ mask;
        decodeError(damaged);
      }
    }
  });

  it('detects every truncation and many byte flips of a _metadata file on disk', async () => {
    const storage = await newStorage();
    const { directory } = await writeSampleCheckpoint(storage, 1);
    const path = join(directory, '_metadata');
    const original = await readFile(path);
    for (let length = 0; length < original.length; length++) {
      await writeFile(path, original.subarray(0, length));
      await expect(FileSystemCheckpointStorage.readCheckpoint(directory)).rejects.toThrow(CheckpointCorruptedError);
    }
    for (let index = 0; index < original.length; index += 7) {
      const damaged = Buffer.from(original);
      damaged[index] = damaged[index]! ^ 0x20;
      await writeFile(path, damaged);
      await expect(FileSystemCheckpointStorage.readCheckpoint(directory)).rejects.toThrow(path);
    }
  });

  it('says what is wrong and what to do in its messages', () => {
    const bytes = encodeCheckpointMetadata(metadata);
    expect(decodeError(bytes.subarray(0, 200)).message).toMatch(
      /^checkpoint metadata '\/checkpoints\/job\/chk-12\/_metadata' is truncated: \d+ bytes expected after the first line, \d+ found; .*choose an older checkpoint or a savepoint$/,
    );
    const flipped = bytes.slice();
    flipped[bytes.length - 5] = flipped[bytes.length - 5]! ^ 0x01;
    expect(decodeError(flipped).message).toMatch(/fails its checksum \(CRC-32 \d+, recorded \d+\)/);
    expect(decodeError(new TextEncoder().encode('{"some": "other json"}\n')).message).toMatch(/is not an Eddy checkpoint metadata file/);
  });

  it('reports a newer format version as unsupported, naming the version', () => {
    const error = decodeError(withBody('  "jobId": "j"\n}\n', 2));
    expect(error.problem).toBe('unsupported-version');
    expect(error.message).toContain('has format version 2, but this Eddy reads version 1 only; restore it with the Eddy version that wrote it');
  });

  it('reports a body that is not JSON as malformed even when its checksum matches', () => {
    expect(decodeError(withBody('  "jobId": \n}\n')).problem).toBe('malformed');
  });

  it('reports content that checks out but is impossible as invalid, naming the field', () => {
    const cases: [(m: Record<string, unknown>) => void, RegExp][] = [
      [(m) => delete m.jobId, /jobId/],
      [(m) => (m.kind = 'snapshot'), /kind/],
      [(m) => (m.checkpointId = -1), /checkpointId/],
      [(m) => ((m.operators as { uid: string }[])[1]!.uid = 'numbers'), /operators\[1\]: uid "numbers" appears twice/],
      [(m) => ((m.operators as { parallelism: number }[])[1]!.parallelism = 1), /operators\[1\]\.subtasks\[1\]: subtaskIndex 1 is not below the parallelism 1/],
      [(m) => ((m.operators as { parallelism: number }[])[1]!.parallelism = 200), /parallelism 200 exceeds maxParallelism 128/],
      [(m) => (subtask(m, 1, 0).keyed.keyGroupRange = [0, 128]), /key-group range 0\.\.128 does not fit maxParallelism 128/],
      [(m) => (subtask(m, 1, 0).keyed.keyGroups[1]!.offset = 93), /key group 60 \(bytes 93\.\.101\) lies beyond the end of 'a\.bin' \(100 bytes\)/],
      [(m) => (subtask(m, 1, 0).keyed.file = '../a.bin'), /operators\[1\]\.subtasks\[0\]\.keyed\.file: not a valid state file name/],
      [(m) => (subtask(m, 0, 0).operatorState.crc32 = 2 ** 32), /operatorState\.crc32/],
    ];
    for (const [change, message] of cases) {
      const error = decodeError(withBody(bodyOf(change)));
      expect(error.problem).toBe('invalid-content');
      expect(error.message).toMatch(message);
    }
  });

  it('refuses to encode metadata it could not read back', () => {
    expect(() => encodeCheckpointMetadata({ ...metadata, checkpointId: 1.5 })).toThrow(/checkpointId/);
    expect(() => encodeCheckpointMetadata({ ...metadata, bodySize: 3 } as CheckpointMetadata)).toThrow(/'bodySize'/);
  });
});

interface LooseSubtask {
  keyed: { file: string; keyGroupRange: number[]; keyGroups: { offset: number }[] };
  operatorState: { crc32: number };
}

function subtask(m: Record<string, unknown>, operator: number, index: number): LooseSubtask {
  return (m.operators as { subtasks: LooseSubtask[] }[])[operator]!.subtasks[index]!;
}
