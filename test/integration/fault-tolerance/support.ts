/**
 * Helpers of the fault-tolerance suite: the failure-free output of the keyed prefix count
 * (computed in plain TypeScript, so no golden run is needed), comparisons of a run's
 * output with it, a seeded PRNG, temporary directories, and looks at checkpoint files.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJob } from 'eddy';
import type { JobResult, RunOptions } from 'eddy';
import type { PrefixCount } from '../../jobs/chaos-count.js';
import { testJobPath } from '../support.js';

export type { PrefixCount } from '../../jobs/chaos-count.js';
export { formatFailures } from '../../jobs/chaos-count.js';
export type { FiredFailure } from '../../jobs/chaos-count.js';

/** The prefix-count job of test/jobs (Sinks.collect as `counts`). */
export const PREFIX_COUNT = testJobPath('prefix-count');
/** The same count with a throttled source, several injected failures and a choice of sink. */
export const CHAOS_COUNT = testJobPath('chaos-count');
/** Number of prefixes both jobs count by default. */
export const PREFIXES = 40;

/** Restarts at once, often enough for every test here. */
export const RESTART_AT_ONCE = { type: 'fixed-delay', attempts: 10, delayMs: 0 } as const;

/** How many of `0..records-1` fall under each prefix (`prefix-<n % prefixes>`). */
export function expectedCounts(records: number, prefixes = PREFIXES): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < Math.min(prefixes, records); i++) counts.set(`prefix-${i}`, Math.floor((records - 1 - i) / prefixes) + 1);
  return counts;
}

/**
 * How a run's output differs from the failure-free output, which holds for each prefix
 * the records `{ prefix, count: 1 }` … `{ prefix, count: n }`, each once.
 */
export interface CountsComparison {
  /** Records in the output. */
  readonly records: number;
  /** Failure-free records the output lacks. */
  readonly missing: number;
  /** Extra copies of failure-free records. */
  readonly duplicated: number;
  /** Records with a count above the prefix's number of records (state counted a record twice). */
  readonly overCounted: number;
  /** Records that are no failure-free record at all (unknown prefix, count below 1, not an integer). */
  readonly unexpected: number;
  /** A few of the differences, to show in a failure. */
  readonly examples: readonly string[];
}

/** Compares `output` with the failure-free output of `records` records as multisets. */
export function compareCounts(output: readonly PrefixCount[], records: number, prefixes = PREFIXES): CountsComparison {
  const expected = expectedCounts(records, prefixes);
  const seen = new Map<string, Uint32Array>();
  for (const [prefix, n] of expected) seen.set(prefix, new Uint32Array(n + 1));
  let duplicated = 0;
  let overCounted = 0;
  let unexpected = 0;
  const examples: string[] = [];
  const note = (what: string) => {
    if (examples.length < 5) examples.push(what);
  };
  for (const r of output) {
    const occurrences = seen.get(r.prefix);
    if (occurrences === undefined || !Number.isInteger(r.count) || r.count < 1) {
      unexpected++;
      note(`unexpected: ${JSON.stringify(r)}`);
    } else if (r.count >= occurrences.length) {
      overCounted++;
      note(`over-counted: ${JSON.stringify(r)} (the prefix has ${occurrences.length - 1} records)`);
    } else if (++occurrences[r.count]! > 1) {
      duplicated++;
      note(`duplicated: ${JSON.stringify(r)}`);
    }
  }
  let missing = 0;
  for (const [prefix, occurrences] of seen) {
    for (let c = 1; c < occurrences.length; c++) {
      if (occurrences[c] === 0) {
        missing++;
        note(`missing: {"prefix":"${prefix}","count":${c}}`);
      }
    }
  }
  return { records: output.length, missing, duplicated, overCounted, unexpected, examples };
}

/** What {@link compareCounts} gives for an output that equals the failure-free one. */
export function exactly(records: number): CountsComparison {
  return { records, missing: 0, duplicated: 0, overCounted: 0, unexpected: 0, examples: [] };
}

/** The largest count per prefix in `output`: the final count of each prefix. */
export function finalCounts(output: readonly PrefixCount[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const r of output) last.set(r.prefix, Math.max(last.get(r.prefix) ?? 0, r.count));
  return last;
}

/** Records the sources of the last attempt read: fewer than the input when it restored from a checkpoint. */
export function lastAttemptSourceRecords(result: JobResult): number {
  return result.vertices.filter((v) => v.isSource).reduce((n, v) => n + v.recordsIn, 0);
}

/** Concatenates arrays without spreading them into arguments (outputs are large). */
export function concatAll<T>(lists: readonly (readonly T[])[]): T[] {
  const all: T[] = [];
  for (const list of lists) for (const item of list) all.push(item);
  return all;
}

export { seededRandom } from '../../support/seeded-random.js';

/** `EDDY_TEST_SEED` when set (to replay a run), else a fresh random seed. */
export function testSeed(): number {
  const fromEnv = process.env['EDDY_TEST_SEED'];
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : Math.floor(Math.random() * 2 ** 32);
}

/** Temporary directories of one test file, removed by {@link TempDirs.removeAll}. */
export class TempDirs {
  private readonly dirs: string[] = [];

  constructor(private readonly prefix: string) {}

  make(): string {
    const dir = mkdtempSync(join(tmpdir(), `eddy-ft-${this.prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  removeAll(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** Names in `dir`, or [] when it does not exist. */
export function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Every file under `dir` (relative paths), recursively. */
export function listFilesDeep(dir: string, base = ''): string[] {
  const files: string[] = [];
  for (const name of listDir(dir)) {
    const path = join(dir, name);
    const rel = base ? `${base}/${name}` : name;
    if (statSync(path).isDirectory()) files.push(...listFilesDeep(path, rel));
    else files.push(rel);
  }
  return files;
}

/** What a file is: its size, modification time and content hash, to tell whether anything touched it. */
export interface FileFingerprint {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

/** Fingerprints of every file under `dir`, by relative path. */
export function fingerprintTree(dir: string): Record<string, FileFingerprint> {
  const out: Record<string, FileFingerprint> = {};
  for (const rel of listFilesDeep(dir)) {
    const path = join(dir, rel);
    const { size, mtimeMs } = statSync(path);
    out[rel] = { size, mtimeMs, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
  }
  return out;
}

/** The part of a checkpoint's `_metadata` (one JSON document) the tests look at. */
export interface MetadataView {
  readonly checkpointId: number;
  readonly operators: readonly {
    readonly uid: string;
    readonly subtasks: readonly { readonly keyed?: { readonly file: string }; readonly operatorState?: { readonly file: string } }[];
  }[];
}

/** Reads a checkpoint's `_metadata`. */
export function readMetadata(checkpointDir: string): MetadataView {
  return JSON.parse(readFileSync(join(checkpointDir, '_metadata'), 'utf8')) as MetadataView;
}

/** The records in the committed part files (`part-*.jsonl`) of a `Sinks.jsonl` directory. */
export function readCommittedJsonl<T>(dir: string): T[] {
  const records: T[] = [];
  for (const name of listDir(dir).filter((n) => /^part-.*\.jsonl$/.test(n))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) if (line !== '') records.push(JSON.parse(line) as T);
  }
  return records;
}

/**
 * Runs a job like `runJob`, but gives up after `deadlineMs` (a bound on a hang, timing
 * nothing): the job is canceled and the error tells what it was doing — its status,
 * restarts, records per vertex, its last checkpoints and the marker files of the hold
 * (chaos-count's `holdDir`, when given) — instead of a bare test timeout.
 */
export async function runJobWithin(job: string, options: RunOptions, deadlineMs: number): Promise<JobResult> {
  const client = await startJob(job, options);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), deadlineMs)));
  const outcome = await Promise.race([client.result, deadline]).finally(() => clearTimeout(timer));
  if (outcome !== 'deadline') return outcome;
  const details = client.details();
  const checkpoints = client.checkpoints().slice(-5).map((c) => `${c.checkpointId} ${c.status}${c.failureReason ? ` (${c.failureReason})` : ''}`);
  const parameters = options.parameters instanceof Map ? Object.fromEntries(options.parameters) : options.parameters;
  const holdDir = parameters?.['holdDir'];
  const markers = typeof holdDir === 'string' ? listDir(holdDir) : [];
  await client.cancel();
  throw new Error(
    `the job did not end within ${deadlineMs} ms: status ${details.status}, ${details.restarts} restarts; ` +
      `records in per vertex ${details.vertices.map((v) => `${v.name}: ${v.recordsIn}`).join(', ')}; ` +
      `last checkpoints: ${checkpoints.join('; ') || 'none'}; hold markers: ${markers.join(' ') || 'none'}`,
  );
}
