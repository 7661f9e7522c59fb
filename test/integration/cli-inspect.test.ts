/**
 * `eddy inspect` on a checkpoint of a real job run: test/jobs/inspect-sessions.ts runs on
 * worker threads at parallelism 2 and fails once a checkpoint holds all its input, which
 * keeps the checkpoint; then the built CLI (`node bin/eddy.js`) reports on it, as text,
 * as JSON and as state dumps, and refuses what is not a checkpoint.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestartStrategies, runJob, startJob } from 'eddy';
import type { JobClient } from 'eddy';
import { corruptCheckpointFile } from 'eddy/testing';
import { DONE, VIEWS } from '../jobs/inspect-sessions.js';
import { ROOT, testJobPath } from './support.js';
import { waitUntil } from '../support/wait-until.js';

type CliOutcome = { code: number; stdout: string; stderr: string };

/** Runs `node bin/eddy.js ...args` from the project root; never rejects, gives up after 60 s. */
function eddy(...args: string[]): Promise<CliOutcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/eddy.js', ...args], { cwd: ROOT, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The JSON lines of a dump. */
function jsonLines(text: string): unknown[] {
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
}

/** The rows of the table under `title` (e.g. `  states`) in the section of `operator`, split into cells. */
function tableRows(report: string, operator: string, title: 'states' | 'subtasks'): string[][] {
  const section = report.split('\n\n').find((block) => block.startsWith(`operator '${operator}'`));
  if (section === undefined) throw new Error(`no section of operator '${operator}' in:\n${report}`);
  const lines = section.split('\n');
  const start = lines.indexOf(`  ${title}`);
  if (start < 0) throw new Error(`no ${title} table for '${operator}' in:\n${section}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('    ') || line.startsWith('    (')) break;
    rows.push(line.trim().split(/ {2,}/));
  }
  return rows;
}

interface MetadataView {
  readonly operators: readonly { readonly uid: string; readonly subtasks: readonly { readonly keyed?: { size: number }; readonly operatorState?: { size: number } }[] }[];
}

let root: string;
let checkpoint: string;
let jobDirectory: string;
let metadata: MetadataView;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-cli-inspect-'));
  const directory = join(root, 'checkpoints');
  // the job fails on purpose once a checkpoint holds every view; a failed job keeps its checkpoints
  const run = runJob(testJobPath('inspect-sessions'), {
    parallelism: 2,
    execution: 'threads',
    checkpoint: { interval: 20, directory },
    restartStrategy: RestartStrategies.noRestart(),
  });
  await expect(run).rejects.toThrow(DONE);
  const [jobId] = await readdir(directory);
  jobDirectory = join(directory, jobId!);
  const completed = [];
  for (const name of await readdir(jobDirectory)) {
    if (await stat(join(jobDirectory, name, '_metadata')).catch(() => undefined)) completed.push(name);
  }
  expect(completed).toHaveLength(1); // one retained checkpoint (the default)
  checkpoint = join(jobDirectory, completed[0]!);
  metadata = JSON.parse(await readFile(join(checkpoint, '_metadata'), 'utf8')) as MetadataView;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Waits until the job's sources have read `records` records (polls its metrics). */
async function sourceRead(client: JobClient, records: number): Promise<void> {
  const read = () => client.details().vertices.filter((v) => v.isSource).reduce((n, v) => n + v.recordsIn, 0);
  await waitUntil(
    () => {
      const status = client.status();
      if (status !== 'created' && status !== 'running') throw new Error(`the job is ${status} after reading ${read()} records`);
      return read() >= records;
    },
    { what: `the sources read ${records} records`, describe: () => `read ${read()}` },
  );
}

/** `<n> B` for the size `_metadata` records of a state file of `uid`'s subtask. */
function recordedSize(uid: string, subtask: number, kind: 'keyed' | 'operatorState'): string {
  const op = metadata.operators.find((o) => o.uid === uid)!;
  return `${op.subtasks[subtask]![kind]!.size} B`;
}

describe('eddy inspect', () => {
  it('prints the operators with uid, parallelism, maxParallelism, states and per-subtask key groups and sizes', async () => {
    const run = await eddy('inspect', checkpoint);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = run.stdout;
    expect(report.split('\n')[0]).toMatch(/^checkpoint \d+ of job [0-9a-f]{32}$/);
    expect(report).toContain(`  path       ${checkpoint}\n`);
    expect(report).toContain('  format     eddy-checkpoint v1\n');
    expect(report).toContain('  operators  3\n');

    expect(report).toContain("operator 'views' (Source: views): parallelism 1, maxParallelism 128, 0 B\n");
    expect(tableRows(report, 'views', 'subtasks')).toEqual([
      ['subtask', 'key groups', 'non-empty', 'keyed', 'operator', 'source position'],
      ['0', '-', '-', '-', '-', '{"next":6}'],
    ]);

    expect(report).toMatch(/operator 'tripwire' \(Map\): parallelism 1, maxParallelism 128, \d+ B\n/);
    expect(tableRows(report, 'tripwire', 'states').map((row) => row.slice(0, 5))).toEqual([
      ['name', 'kind', 'serializer', 'schema', 'entries'],
      ['attempts', 'operator union', 'eddy.msgpack v1', 'v1', '1'],
      ['seen', 'operator list', 'eddy.msgpack v1', 'v1', '1'],
      ['settings', 'broadcast', 'eddy.msgpack v1, keys eddy.msgpack v1', 'v1', '1'],
    ]);
    expect(tableRows(report, 'tripwire', 'subtasks')).toEqual([
      ['subtask', 'key groups', 'non-empty', 'keyed', 'operator', 'source position'],
      ['0', '-', '-', '-', recordedSize('tripwire', 0, 'operatorState'), '-'],
    ]);

    expect(report).toMatch(/operator 'sessions' \(KeyedProcess\): parallelism 2, maxParallelism 128, \d+ B\n/);
    expect(tableRows(report, 'sessions', 'states').map((row) => row.slice(0, 5))).toEqual([
      ['name', 'kind', 'serializer', 'schema', 'entries'],
      ['count', 'keyed value', 'eddy.msgpack v1', 'v1', '3'],
      ['lastSeen', 'keyed map', 'eddy.msgpack v1, keys eddy.key v1', 'v1', '3 (5 map entries)'],
      ['pages', 'keyed list', 'eddy.msgpack v1', 'v1', '3 (6 elements)'],
    ]);
    // ['acme', 42] is in key group 39 (subtask 0); 'alice' in 100 and the bigint user in 124 (subtask 1)
    expect(tableRows(report, 'sessions', 'subtasks')).toEqual([
      ['subtask', 'key groups', 'non-empty', 'keyed', 'operator', 'source position'],
      ['0', '0..63', '1', recordedSize('sessions', 0, 'keyed'), '-', '-'],
      ['1', '64..127', '2', recordedSize('sessions', 1, 'keyed'), '-', '-'],
    ]);
  });

  it('prints the same description as one JSON document with --json, also given the _metadata file', async () => {
    const run = await eddy('inspect', join(checkpoint, '_metadata'), '--json');
    expect(run.code).toBe(0);
    const description = JSON.parse(run.stdout) as {
      path: string;
      kind: string;
      metadataBytes: number;
      stateBytes: number;
      totalBytes: number;
      operators: { uid: string; parallelism: number; maxParallelism: number; states: Record<string, unknown>[]; subtasks: Record<string, unknown>[] }[];
    };
    expect(description.path).toBe(checkpoint);
    expect(description.kind).toBe('checkpoint');
    expect(description.metadataBytes).toBe((await stat(join(checkpoint, '_metadata'))).size);
    expect(description.totalBytes).toBe(description.metadataBytes + description.stateBytes);
    expect(description.operators.map((op) => [op.uid, op.parallelism, op.maxParallelism])).toEqual([
      ['views', 1, 128],
      ['tripwire', 1, 128],
      ['sessions', 2, 128],
    ]);
    const sessions = description.operators[2]!;
    expect(sessions.states.map(({ name, scope, kind, entries, elements }) => ({ name, scope, kind, entries, elements }))).toEqual([
      { name: 'count', scope: 'keyed', kind: 'value', entries: 3, elements: undefined },
      { name: 'lastSeen', scope: 'keyed', kind: 'map', entries: 3, elements: 5 },
      { name: 'pages', scope: 'keyed', kind: 'list', entries: 3, elements: 6 },
    ]);
    expect(sessions.subtasks.map((s) => s['keyed'])).toEqual([
      { file: expect.stringMatching(/^op-sessions-[0-9a-f]{8}-0-keyed\.bin$/), bytes: expect.any(Number), keyGroupRange: [0, 63], nonEmptyKeyGroups: 1 },
      { file: expect.stringMatching(/^op-sessions-[0-9a-f]{8}-1-keyed\.bin$/), bytes: expect.any(Number), keyGroupRange: [64, 127], nonEmptyKeyGroups: 2 },
    ]);
    expect(description.operators[0]!.subtasks).toEqual([{ subtaskIndex: 0, sourcePosition: { next: 6 }, states: [] }]);
  });

  it('dumps keyed value, map and list state as JSON lines in key-group order, with tuple and bigint keys', async () => {
    const count = await eddy('inspect', checkpoint, '--state', 'sessions/count');
    expect(count.code).toBe(0);
    expect(jsonLines(count.stdout)).toEqual([
      { keyGroup: 39, key: ['acme', 42], value: 2 },
      { keyGroup: 100, key: 'alice', value: 3 },
      { keyGroup: 124, key: { $bigint: '12345678901234567890' }, value: 1 },
    ]);

    const pages = await eddy('inspect', checkpoint, '--state', 'sessions/pages');
    expect(jsonLines(pages.stdout)).toEqual([
      { keyGroup: 39, key: ['acme', 42], value: ['home', 'pay'] },
      { keyGroup: 100, key: 'alice', value: ['home', 'cart', 'home'] },
      { keyGroup: 124, key: { $bigint: '12345678901234567890' }, value: ['home'] },
    ]);

    const lastSeen = await eddy('inspect', checkpoint, '--state', 'sessions/lastSeen');
    const lines = jsonLines(lastSeen.stdout) as { keyGroup: number }[];
    expect(lines.map((l) => l.keyGroup)).toEqual([39, 39, 100, 100, 124]);
    // the order of entries inside one map is not specified
    expect(lines.map((l) => JSON.stringify(l)).sort()).toEqual(
      [
        { keyGroup: 39, key: ['acme', 42], userKey: 'home', value: 2 },
        { keyGroup: 39, key: ['acme', 42], userKey: 'pay', value: 6 },
        { keyGroup: 100, key: 'alice', userKey: 'home', value: 5 },
        { keyGroup: 100, key: 'alice', userKey: 'cart', value: 3 },
        { keyGroup: 124, key: { $bigint: '12345678901234567890' }, userKey: 'home', value: 4 },
      ]
        .map((l) => JSON.stringify(l))
        .sort(),
    );
  });

  it('dumps operator list, union and broadcast state', async () => {
    expect(jsonLines((await eddy('inspect', checkpoint, '--state', 'tripwire/seen')).stdout)).toEqual([{ subtask: 0, value: 6 }]);
    expect(jsonLines((await eddy('inspect', checkpoint, '--state', 'tripwire/attempts')).stdout)).toEqual([
      { subtask: 0, value: 'attempt-0' },
    ]);
    expect(jsonLines((await eddy('inspect', checkpoint, '--state', 'tripwire/settings')).stdout)).toEqual([
      { key: 'threshold', value: { $bigint: '100000000000000000000' } },
    ]);
  });

  it('exits 1 with one line naming what exists when the operator or state is unknown', async () => {
    const state = await eddy('inspect', checkpoint, '--state', 'sessions/nope');
    expect(state.code).toBe(1);
    expect(state.stdout).toBe('');
    expect(state.stderr).toBe(
      `eddy: operator 'sessions' in checkpoint '${checkpoint}' has no state 'nope'; its states are 'count', 'lastSeen', 'pages'\n`,
    );
    const operator = await eddy('inspect', checkpoint, '--state', 'nope/count');
    expect(operator.code).toBe(1);
    expect(operator.stderr).toBe(
      `eddy: checkpoint '${checkpoint}' has no operator with uid 'nope'; its operators are 'views', 'tripwire', 'sessions'\n`,
    );
  });

  it('exits 2 for a --state without <uid>/<name>', async () => {
    const run = await eddy('inspect', checkpoint, '--state', 'sessions');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("eddy: --state expects <uid>/<state name>, e.g. 'count/seen', got 'sessions'\n");
  });

  it('exits 1 with one line naming the path when it is not a checkpoint or is damaged', async () => {
    const jobDir = await eddy('inspect', jobDirectory);
    expect(jobDir.code).toBe(1);
    expect(jobDir.stdout).toBe('');
    expect(jobDir.stderr.split('\n')).toHaveLength(2);
    expect(jobDir.stderr).toContain(`eddy: '${jobDirectory}' has no _metadata, so it is not a checkpoint or savepoint; it holds the checkpoints chk-`);

    const missing = await eddy('inspect', join(root, 'missing'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `eddy: checkpoint directory '${join(root, 'missing')}' does not exist; check the path, or choose another checkpoint or savepoint\n`,
    );

    const damaged = join(root, 'damaged');
    await cp(checkpoint, damaged, { recursive: true });
    await corruptCheckpointFile(join(damaged, '_metadata'), { flipByteAt: -10, mask: 0x01 });
    const corrupt = await eddy('inspect', damaged);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stdout).toBe('');
    expect(corrupt.stderr.split('\n')).toHaveLength(2);
    expect(corrupt.stderr).toMatch(/^eddy: .*checksum/);
    expect(corrupt.stderr).toContain(join(damaged, '_metadata'));

    const damagedState = join(root, 'damaged-state');
    await cp(checkpoint, damagedState, { recursive: true });
    const keyedFile = (await readdir(damagedState)).find((name) => name.endsWith('-1-keyed.bin'))!;
    await corruptCheckpointFile(join(damagedState, keyedFile), { truncateTo: 20 });
    const truncated = await eddy('inspect', damagedState, '--state', 'sessions/count');
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toBe(
      `eddy: state file '${join(damagedState, keyedFile)}' is truncated: ${recordedSize('sessions', 1, 'keyed').slice(0, -2)} bytes expected, 20 found; choose an older checkpoint or a savepoint\n`,
    );
  });

  it('reads a savepoint directory taken from a running job', async () => {
    const client = await startJob(testJobPath('inspect-sessions'), {
      parallelism: 2,
      execution: 'threads',
      parameters: { failWhenDone: 'false' },
      restartStrategy: RestartStrategies.noRestart(),
    });
    let savepoint: string;
    try {
      await sourceRead(client, VIEWS.length);
      savepoint = await client.triggerSavepoint(join(root, 'savepoints'));
    } finally {
      await client.cancel();
    }
    const report = await eddy('inspect', savepoint);
    expect(report.code).toBe(0);
    expect(report.stdout.split('\n')[0]).toMatch(new RegExp(`^savepoint \\d+ of job ${client.jobId}$`));

    const description = JSON.parse((await eddy('inspect', savepoint, '--json')).stdout) as {
      kind: string;
      operators: { uid: string; subtasks: { sourcePosition?: { next: number } }[] }[];
    };
    expect(description.kind).toBe('savepoint');
    // taken after the source read every view: the same content as the checkpoint above
    expect(description.operators.find((op) => op.uid === 'views')!.subtasks).toEqual([{ subtaskIndex: 0, sourcePosition: { next: 6 }, states: [] }]);
    expect(jsonLines((await eddy('inspect', savepoint, '--state', 'tripwire/seen')).stdout)).toEqual([{ subtask: 0, value: 6 }]);
    expect(jsonLines((await eddy('inspect', savepoint, '--state', 'sessions/count')).stdout)).toEqual([
      { keyGroup: 39, key: ['acme', 42], value: 2 },
      { keyGroup: 100, key: 'alice', value: 3 },
      { keyGroup: 124, key: { $bigint: '12345678901234567890' }, value: 1 },
    ]);
  });
});
