/**
 * `eddy inspect <path> [--json] [--state <uid>/<name>]`: shows what a checkpoint or
 * savepoint holds, as a readable report, as one JSON document, or as the JSON lines of
 * one state's entries (docs/INSPECT.md). Errors are thrown to `main`, which prints them
 * on one line: exit code 2 for a malformed `--state`, 1 for anything found on disk.
 */
import { Command, InvalidArgumentError } from 'commander';
import {
  inspectCheckpoint,
  type CheckpointDescription,
  type OperatorDescription,
  type StateDescription,
} from '../checkpoint/inspect/checkpoint-inspection.js';
import { dumpState, splitStateSelector } from '../checkpoint/inspect/state-dump.js';
import { ConfigError } from '../core/errors.js';

interface InspectOptions {
  json?: boolean;
  state?: string;
}

/** Adds the `inspect` command to `program`. Its action throws on failure, as `main` expects. */
export function registerInspectCommand(program: Command): void {
  program
    .command('inspect')
    .description('show what a checkpoint or savepoint holds: operators, uids, parallelism, key groups, states and sizes')
    .argument('<path>', 'a checkpoint (chk-<n>) or savepoint directory, or the _metadata file in it')
    .option('--json', 'print the description as one JSON document')
    .option('--state <uid/name>', 'print the entries of one state as JSON lines (one per entry)', stateSelector)
    .action(async (path: string, opts: InspectOptions) => {
      await inspectCommand(path, opts);
    });
}

/** Runs `eddy inspect`; writes to stdout (and warnings to stderr). */
export async function inspectCommand(path: string, opts: InspectOptions): Promise<void> {
  const out = new StdoutWriter();
  if (opts.state !== undefined) {
    const onWarning = (message: string) => process.stderr.write(`eddy: warning: ${message}\n`);
    let chunk = '';
    try {
      for await (const line of dumpState(path, opts.state, { onWarning })) {
        chunk += JSON.stringify(line) + '\n';
        if (chunk.length >= 64 * 1024) {
          if (!(await out.write(chunk))) return;
          chunk = '';
        }
      }
    } finally {
      // the lines before a damaged section are printed before its error
      await out.write(chunk);
    }
    return;
  }
  const description = await inspectCheckpoint(path);
  await out.write(opts.json ? JSON.stringify(description, null, 2) + '\n' : formatDescription(description));
}

/** The human-readable report of a checkpoint. */
export function formatDescription(d: CheckpointDescription): string {
  const lines: string[] = [
    `${d.kind} ${d.checkpointId} of job ${d.jobId}`,
    ...table(
      [
        ['path', d.path],
        ['format', `${d.format} v${d.version}`],
        ['triggered', `${isoTime(d.triggerTimestamp)}, completed ${d.completionTimestamp - d.triggerTimestamp} ms later`],
        ['size', `${bytes(d.totalBytes)}: _metadata ${bytes(d.metadataBytes)}, state files ${bytes(d.stateBytes)}`],
        ['operators', String(d.operators.length)],
      ],
      '  ',
    ),
  ];
  for (const op of d.operators) lines.push('', ...formatOperator(op));
  return lines.join('\n') + '\n';
}

function formatOperator(op: OperatorDescription): string[] {
  const named = op.name !== op.uid ? ` (${op.name})` : '';
  const lines = [`operator '${op.uid}'${named}: parallelism ${op.parallelism}, maxParallelism ${op.maxParallelism}, ${bytes(op.stateBytes)}`];
  if (op.states.length > 0) {
    lines.push('  states');
    const rows = [['name', 'kind', 'serializer', 'schema', 'entries', 'bytes']];
    for (const s of op.states) rows.push([s.name, kindOf(s), serializerOf(s), `v${s.descriptorVersion}`, entriesOf(s), bytes(s.bytes)]);
    lines.push(...table(rows, '    '));
  }
  const incremental = op.subtasks.find((s) => s.incrementalKeyed !== undefined)?.incrementalKeyed;
  if (incremental !== undefined) {
    lines.push(`  keyed states in ${incremental.backend} files (incremental checkpoint; take a savepoint to count or list their entries)`);
    const rows = [['name', 'kind', 'serializer', 'schema']];
    for (const s of incremental.states) rows.push([s.name, `keyed ${s.kind}`, serializerOf(s), `v${s.descriptorVersion}`]);
    lines.push(...table(rows, '    '));
  }
  if (op.subtasks.length === 0) {
    lines.push('  no subtask saved anything');
    return lines;
  }
  lines.push('  subtasks');
  const rows = [['subtask', 'key groups', 'non-empty', 'keyed', 'operator', 'source position']];
  for (const s of op.subtasks) {
    const inc = s.incrementalKeyed;
    const range = s.keyed?.keyGroupRange ?? inc?.keyGroupRange;
    rows.push([
      String(s.subtaskIndex),
      range ? `${range[0]}..${range[1]}` : '-',
      s.keyed ? String(s.keyed.nonEmptyKeyGroups) : inc ? '?' : '-',
      s.keyed
        ? bytes(s.keyed.bytes)
        : inc
          ? `${bytes(inc.bytes)} (${inc.sharedFiles.count} SST ${bytes(inc.sharedFiles.bytes)}, ${inc.privateFiles.count} other ${bytes(inc.privateFiles.bytes)})`
          : '-',
      s.operatorState ? bytes(s.operatorState.bytes) : '-',
      s.sourcePosition !== undefined ? shorten(JSON.stringify(s.sourcePosition), 60) : '-',
    ]);
  }
  lines.push(...table(rows, '    '));
  const saved = new Set(op.subtasks.map((s) => s.subtaskIndex));
  const idle = Array.from({ length: op.parallelism }, (_, i) => i).filter((i) => !saved.has(i));
  if (idle.length > 0) lines.push(`    (${idle.length === 1 ? 'subtask' : 'subtasks'} ${listOf(idle)} saved nothing)`);
  return lines;
}

function kindOf(s: StateDescription): string {
  if (s.kind === 'broadcast') return 'broadcast';
  return `${s.scope} ${s.kind}`;
}

function serializerOf(s: Pick<StateDescription, 'serializer' | 'keySerializer'>): string {
  const value = `${s.serializer.id} v${s.serializer.version}`;
  return s.keySerializer ? `${value}, keys ${s.keySerializer.id} v${s.keySerializer.version}` : value;
}

function entriesOf(s: StateDescription): string {
  if (s.scope === 'keyed' && s.kind === 'list') return `${s.entries} (${s.elements ?? 0} elements)`;
  if (s.scope === 'keyed' && s.kind === 'map') return `${s.entries} (${s.elements ?? 0} map entries)`;
  return String(s.entries);
}

/** Rows padded into columns; the last column is not padded. */
function table(rows: readonly (readonly string[])[], indent: string): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  '));
}

/** `512 B`, `1.5 KiB`, `12.0 MiB`. */
function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `1, 2, 5` or, for long lists, the first ten and a count. */
function listOf(indices: readonly number[]): string {
  const shown = indices.slice(0, 10).join(', ');
  return indices.length > 10 ? `${shown} and ${indices.length - 10} more` : shown;
}

/** Checks the syntax of `--state` while the command line is parsed (a usage error, exit code 2). */
function stateSelector(value: string): string {
  try {
    splitStateSelector(value);
  } catch (error) {
    if (error instanceof ConfigError) throw new InvalidArgumentError(error.message);
    throw error;
  }
  return value;
}

/** Whether stdout's reader has gone (EPIPE), and any other error stdout reported. */
const stdoutState: { closed: boolean; failure: Error | undefined; watched: boolean } = {
  closed: false,
  failure: undefined,
  watched: false,
};

/**
 * Writes to stdout, waiting for it to drain, and stops quietly when the reader has gone
 * (EPIPE, as with `eddy inspect … | head`). The error listener stays installed, since
 * stdout can report an error after the last write.
 */
class StdoutWriter {
  constructor() {
    if (stdoutState.watched) return;
    stdoutState.watched = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') stdoutState.closed = true;
      else stdoutState.failure = error;
    });
  }

  /** Writes `text`; resolves to false once stdout is closed. */
  async write(text: string): Promise<boolean> {
    if (stdoutState.failure) throw stdoutState.failure;
    if (stdoutState.closed) return false;
    if (text === '') return true;
    await new Promise<void>((resolve) => {
      if (process.stdout.write(text)) return resolve();
      const done = () => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        resolve();
      };
      process.stdout.on('drain', done);
      process.stdout.on('error', done);
    });
    if (stdoutState.failure) throw stdoutState.failure;
    return !stdoutState.closed;
  }
}
