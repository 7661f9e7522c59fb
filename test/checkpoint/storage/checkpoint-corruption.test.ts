import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corruptCheckpointFile } from '../../../src/checkpoint/storage/checkpoint-corruption.js';
import { tempDirectory } from './support.js';

describe('corruptCheckpointFile', () => {
  it('truncates a file, then flips the bits of one byte, counting negative indexes from the end', async () => {
    const path = join(await tempDirectory(), 'f');
    await writeFile(path, Uint8Array.of(1, 2, 3, 4, 5));
    await corruptCheckpointFile(path, { truncateTo: 4, flipByteAt: -1 });
    expect([...(await readFile(path))]).toEqual([1, 2, 3, 4 ^ 0xff]);
    await corruptCheckpointFile(path, { flipByteAt: 0, mask: 0x01 });
    expect([...(await readFile(path))]).toEqual([0, 2, 3, 4 ^ 0xff]);
  });

  it('refuses damage that does not fit the file', async () => {
    const path = join(await tempDirectory(), 'f');
    await writeFile(path, Uint8Array.of(1, 2, 3));
    await expect(corruptCheckpointFile(path, { truncateTo: 4 })).rejects.toThrow(RangeError);
    await expect(corruptCheckpointFile(path, { flipByteAt: 3 })).rejects.toThrow(RangeError);
    await expect(corruptCheckpointFile(path, { flipByteAt: -4 })).rejects.toThrow(RangeError);
    await expect(corruptCheckpointFile(path, { flipByteAt: 0, mask: 0 })).rejects.toThrow(RangeError);
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
  });
});
