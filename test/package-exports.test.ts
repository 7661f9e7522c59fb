/**
 * The published package shows the user API only: its declared exports (dist/index.d.ts,
 * with stripInternal) leave out the engine's internals, and `eddy/keys` serves the
 * key-group functions. Runs against the built package (`npm run build` first).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as eddy from 'eddy';
import * as keys from 'eddy/keys';
import { ROOT } from './integration/support.js';

const REMOVED = ['JobRegistry', 'startRestServer', 'RestServer', 'RestServerOptions', 'CheckpointMetadata', 'SYSTEM_CLOCK', 'isJobDefinition', 'WatermarkStatus'];

describe('the published package', () => {
  it('declares none of the removed internals in dist/index.d.ts', async () => {
    const declared = await readFile(join(ROOT, 'dist', 'index.d.ts'), 'utf8');
    for (const name of REMOVED) expect(declared).not.toMatch(new RegExp(`\\b${name}\\b`));
    // the user API is there
    for (const name of ['defineJob', 'startJob', 'runJob', 'JobClient', 'RunOptions', 'SavepointTargetError', 'assignToKeyGroup']) {
      expect(declared).toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it('exports none of them at run time either', () => {
    for (const name of REMOVED) expect(Object.keys(eddy)).not.toContain(name);
  });

  it('leaves members marked internal out of the declarations', async () => {
    const dataStream = await readFile(join(ROOT, 'dist', 'api', 'data-stream.d.ts'), 'utf8');
    expect(dataStream).toMatch(/\bkeyBy</);
    expect(dataStream).not.toMatch(/\btransform</);
    const client = await readFile(join(ROOT, 'dist', 'cluster', 'run-job.d.ts'), 'utf8');
    expect(client).toMatch(/\brestUrl\b/);
    expect(client).not.toMatch(/\bsavepointTarget\b/);
  });

  it('serves the key-group functions from eddy/keys, the same as from eddy', () => {
    expect(Object.keys(keys).sort()).toEqual(
      ['KEY_ENCODING_VERSION', 'KeyGroupRange', 'assignKeyToParallelOperator', 'assignToKeyGroup', 'defaultMaxParallelism', 'keyGroupRangeForOperator', 'operatorIndexForKeyGroup'].sort(),
    );
    expect(keys.assignToKeyGroup).toBe(eddy.assignToKeyGroup);
    expect(keys.assignToKeyGroup('user-42', 128)).toBe(eddy.assignToKeyGroup('user-42', 128));
    const range = keys.keyGroupRangeForOperator(128, 4, 1);
    expect(range).toBeInstanceOf(keys.KeyGroupRange);
    expect(keys.operatorIndexForKeyGroup(128, 4, range.startKeyGroup)).toBe(1);
  });
});
