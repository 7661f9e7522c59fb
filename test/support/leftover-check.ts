/**
 * Vitest global setup: runs the suite with its own temporary directory (TMPDIR, so
 * `os.tmpdir()` of every test worker and every child process they start points there,
 * and the default RocksDB directory is `<it>/eddy-rocksdb`), and at the end reports what
 * tests left in it: RocksDB working directories, checkpoint and output directories. With
 * `EDDY_CHECK_LEFTOVERS=fail` leftovers fail the run. A private directory keeps the check
 * deterministic when other runs share the machine's temporary directory.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const previous = process.env['TMPDIR'];
  const suiteTmp = mkdtempSync(join(tmpdir(), 'eddy-test-run-'));
  process.env['TMPDIR'] = suiteTmp;
  return () => {
    if (previous === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previous;
    const leftovers = describeLeftovers(suiteTmp);
    rmSync(suiteTmp, { recursive: true, force: true });
    if (leftovers.length === 0) return;
    const message = `tests left ${leftovers.length} entries in the temporary directory (each test must remove what it creates):\n  ${leftovers.join('\n  ')}`;
    if (process.env['EDDY_CHECK_LEFTOVERS'] === 'fail') throw new Error(message);
    console.warn(`warning: ${message}`);
  };
}

/** The entries of the suite's temporary directory, with the RocksDB directory's job and instance directories spelled out. */
function describeLeftovers(suiteTmp: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(suiteTmp)) {
    if (name.startsWith('tsx-')) continue; // tsx's compile cache, not a test's
    if (name !== 'eddy-rocksdb') {
      found.push(name);
      continue;
    }
    for (const job of readdirSync(join(suiteTmp, name))) {
      const instances = readdirSync(join(suiteTmp, name, job));
      found.push(...(instances.length === 0 ? [`${name}/${job}/`] : instances.map((i) => `${name}/${job}/${i}`)));
    }
  }
  return found;
}
