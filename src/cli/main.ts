/**
 * The `eddy` command. `eddy run <job>` runs a job module on the embedded local cluster;
 * options on the command line override the job's own settings. Exit code 0 when the job
 * finished; otherwise a one-line reason on stderr and a non-zero exit code. `eddy list`,
 * `savepoint`, `stop` and `cancel` operate a running job through its REST API
 * (client-commands.ts).
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { CheckpointConfigInput } from '../checkpoint/checkpoint-config.js';
import { dirname } from 'node:path';
import { startJob } from '../cluster/run-job.js';
import type { JobClient } from '../cluster/run-job.js';
import { DEFAULT_RESTART_DELAY_MS, restartAttemptsShortcut } from '../runtime/failover/restart-strategy.js';
import type { RunOptions } from '../cluster/run-options.js';
import { isEddyError, TaskFailureError } from '../core/errors.js';
import { createLogger, LOG_FORMATS, LOG_LEVELS } from '../core/logging/logger.js';
import type { LogFormat, LogLevel } from '../core/logging/logger.js';
import { SAME_FAILURE_THRESHOLD } from '../cluster/repeated-failure-detector.js';
import { formatSummary, ProgressLine } from './progress-line.js';
import { registerClientCommands } from './client-commands.js';
import { registerInspectCommand } from './inspect-command.js';
import { normaliseHostName } from '../cluster/rest/rest-access-policy.js';
import { GracefulStop } from './graceful-stop.js';
import { defaultRestPort, RunRestApi } from './run-rest-api.js';
import { addStateBackendFlags, stateBackendFromFlags } from './state-backend-flags.js';
import type { StateBackendFlags } from './state-backend-flags.js';

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('eddy')
    .description('Eddy: stateful stream processing for TypeScript')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ outputError: () => {} });

  let exitCode = 0;
  const run = program
    .command('run')
    .description('run a job module (.ts or .js) on the embedded local cluster')
    .argument('<job>', 'path of the job module; its default export is defineJob(...)')
    .option('-p, --parallelism <n>', 'default parallelism of every operator', positiveInt('--parallelism'))
    .option('--max-parallelism <n>', 'maxParallelism: the number of key groups (1..32768)', positiveInt('--max-parallelism'))
    .option('--slots <n>', 'worker threads of the local cluster (default: the number of cores)', positiveInt('--slots'))
    .option('--single-thread', 'run every task on the main thread (deterministic, for debugging)')
    .option('--set <key=value>', 'job parameter, read with env.getParameter(key); repeatable', collectPair, [] as [string, string][]);
  addStateBackendFlags(run)
    .option('--checkpoint-interval <ms>', 'take a checkpoint every <ms> milliseconds (off by default)', positiveInt('--checkpoint-interval'))
    .option('--checkpointing-mode <mode>', 'exactly-once (aligned barriers) or at-least-once', oneOf('--checkpointing-mode', ['exactly-once', 'at-least-once']))
    .option('--checkpoint-dir <dir>', 'where checkpoints are written (default: ./checkpoints)')
    .option('--checkpoint-timeout <ms>', 'abort a checkpoint that takes longer (default: 600000)', positiveInt('--checkpoint-timeout'))
    .option('--min-pause <ms>', 'least time between the end of one checkpoint and the start of the next (default: 0)', nonNegativeInt('--min-pause'))
    .option('--max-concurrent-checkpoints <n>', 'checkpoints in flight at once (default: 1)', positiveInt('--max-concurrent-checkpoints'))
    .option('--tolerable-failures <n>', 'checkpoint failures in a row that do not fail the job (default: 0)', nonNegativeInt('--tolerable-failures'))
    .option('--retained-checkpoints <n>', 'completed checkpoints to keep (default: 1)', positiveInt('--retained-checkpoints'))
    .option('--retention-on-cancel <policy>', 'delete or retain checkpoints when the job is canceled (default: delete)', oneOf('--retention-on-cancel', ['delete', 'retain']))
    .option('--unaligned', 'unaligned checkpoints (not available yet)')
    .option('--aligned-timeout <ms>', 'switch to unaligned after this alignment time (not available yet)', nonNegativeInt('--aligned-timeout'))
    .option('--from-savepoint <path>', "start from a checkpoint or savepoint: its directory, its _metadata file, or a run's checkpoint directory (<checkpoint-dir>/<job-id>: its newest valid checkpoint)")
    .option('--resume', "start where the newest earlier run of this job (by name) in --checkpoint-dir stood, or fresh when there is none")
    .option('--job-name <name>', "the job's name, which --resume looks for (default: the job file's name without extension)")
    .option('--allow-non-restored-state', 'with --from-savepoint: drop state of operators the job no longer has')
    .option('--restart-attempts <n>', 'restart up to <n> times after a failure (fixed delay)', nonNegativeInt('--restart-attempts'))
    .option('--restart-delay <ms>', 'with --restart-attempts: wait this long before each restart (default: 1000)', nonNegativeInt('--restart-delay'))
    .option(
      '--savepoint-dir <dir>',
      'directory of savepoints taken with eddy savepoint / eddy stop; repeatable: the first is the default, and savepoints may only go inside these',
      collect,
      [] as string[],
    )
    .option('--rest-port <n>', 'port of the REST API on 127.0.0.1 (default: 8081; 0 = a free port)', nonNegativeInt('--rest-port'))
    .option('--rest-allowed-host <name>', 'accept this name in the Host header of REST requests (besides localhost, 127.0.0.1, [::1]); repeatable', collectHost, [] as string[])
    .option('-q, --quiet', 'no progress line and no summary (the job id and REST API line is still printed)')
    .option('--log-level <level>', `least severe log records written to stderr: ${LOG_LEVELS.join(', ')} (default: info)`, oneOf('--log-level', LOG_LEVELS))
    .option('--log-format <format>', 'log records as pretty lines or one JSON object per line: pretty, json (default: pretty)', oneOf('--log-format', LOG_FORMATS))
    .action(async (job: string, opts: CliRunOptions, command: Command) => {
      // a usage error (exit code 2), found before anything starts
      const stateBackend = stateBackendFromFlags(opts, command);
      if (opts.resume && opts.fromSavepoint !== undefined) {
      throw new InvalidArgumentError('--resume and --from-savepoint exclude each other: --resume finds the checkpoint itself');
    }
    exitCode = await runCommand(job, opts, stateBackend);
    });
  registerClientCommands(program, (code) => {
    exitCode = code;
  });
  registerInspectCommand(program);

  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return 0;
      if (error.code === 'commander.help') return 2; // no command given: the help was printed
      // commander prefixes our own argument messages with "option '…' argument '…' is invalid."
      const message = error.message.replace(/^error: /, '').replace(/^option '.*?' argument '.*?' is invalid\. /, '');
      process.stderr.write(`eddy: ${message}\n`);
      return 2;
    }
    process.stderr.write(`eddy: ${oneLine(error)}\n`);
    return 1;
  }
}

interface CliRunOptions extends StateBackendFlags {
  parallelism?: number;
  maxParallelism?: number;
  slots?: number;
  singleThread?: boolean;
  set: [string, string][];
  checkpointInterval?: number;
  checkpointingMode?: 'exactly-once' | 'at-least-once';
  checkpointDir?: string;
  checkpointTimeout?: number;
  minPause?: number;
  maxConcurrentCheckpoints?: number;
  tolerableFailures?: number;
  retainedCheckpoints?: number;
  retentionOnCancel?: 'delete' | 'retain';
  unaligned?: boolean;
  alignedTimeout?: number;
  fromSavepoint?: string;
  resume?: boolean;
  jobName?: string;
  allowNonRestoredState?: boolean;
  restartAttempts?: number;
  restartDelay?: number;
  savepointDir: string[];
  restPort?: number;
  restAllowedHost: string[];
  quiet?: boolean;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
}

/** The checkpoint settings given on the command line (absent flags leave the job's own). */
function checkpointOptions(o: CliRunOptions): CheckpointConfigInput {
  const entries: [keyof CheckpointConfigInput, unknown][] = [
    ['interval', o.checkpointInterval],
    ['mode', o.checkpointingMode],
    ['directory', o.checkpointDir],
    ['timeoutMs', o.checkpointTimeout],
    ['minPauseMs', o.minPause],
    ['maxConcurrent', o.maxConcurrentCheckpoints],
    ['tolerableFailures', o.tolerableFailures],
    ['retained', o.retainedCheckpoints],
    ['retentionOnCancel', o.retentionOnCancel],
    ['unaligned', o.unaligned],
    ['alignedTimeoutMs', o.alignedTimeout],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as CheckpointConfigInput;
}

async function runCommand(job: string, opts: CliRunOptions, stateBackend: RunOptions['stateBackend']): Promise<number> {
  const progress = new ProgressLine(process.stderr, !opts.quiet);
  const say = (line: string) => {
    progress.clear();
    process.stderr.write(`${line}\n`);
  };
  const warn = (message: string) => say(`eddy: warning: ${message}`);
  // log records never land in the middle of the progress line
  const logger = createLogger({
    level: opts.logLevel ?? 'info',
    format: opts.logFormat ?? 'pretty',
    destination: {
      write: (line) => {
        progress.clear();
        process.stderr.write(line);
      },
    },
  });
  const options: RunOptions = {
    parallelism: opts.parallelism,
    maxParallelism: opts.maxParallelism,
    slots: opts.slots,
    execution: opts.singleThread ? 'single-thread' : 'threads',
    parameters: Object.fromEntries(opts.set),
    checkpoint: checkpointOptions(opts),
    ...(stateBackend !== undefined ? { stateBackend } : {}),
    ...(opts.restartAttempts !== undefined
      ? { restartStrategy: restartAttemptsShortcut(opts.restartAttempts, opts.restartDelay ?? DEFAULT_RESTART_DELAY_MS) }
      : {}),
    fromSavepoint: opts.fromSavepoint,
    resume: opts.resume ?? false,
    ...(opts.jobName !== undefined ? { jobName: opts.jobName } : {}),
    allowNonRestoredState: opts.allowNonRestoredState ?? false,
    ...(opts.savepointDir.length > 0 ? { savepointDirectory: opts.savepointDir[0], savepointRoots: opts.savepointDir.slice(1) } : {}),
    onProgress: (p) => progress.update(p),
    onCheckpoint: (stats) => progress.checkpoint(stats),
    onFailure: (failure) => {
      const reason = oneLine(failure.error).replace(/^job failed: /, '');
      progress.failure(reason);
      // the job goes on restarting (the REST status stays RESTARTING): say once that it is going nowhere
      if (failure.restartDelayMs !== undefined && failure.sameFailuresInARow === SAME_FAILURE_THRESHOLD) {
        progress.clear();
        process.stderr.write(`eddy: job keeps failing the same way: ${reason}\n`);
      }
    },
    onWarning: warn,
    logger,
  };
  let rest: RunRestApi | undefined;
  try {
    rest = await RunRestApi.open(opts.restPort, warn, defaultRestPort(), opts.restAllowedHost, (line) => say(`eddy: ${line}`));
    const client = await startJob(job, options);
    if (client.resumed) {
      const { from, reason } = client.resumed;
      say(from !== undefined ? `eddy: resuming job '${client.name}' from ${from} (${reason})` : `eddy: ${reason}; starting fresh`);
    }
    rest?.add(client);
    say(`eddy: job ${client.jobId} running${rest ? `; REST API at ${rest.url}` : ''}`);
    const stop = new GracefulStop({
      client,
      say,
      resumeCommand: resumeCommand(job, client, opts),
      exit: (code) => process.exit(code),
    }).install();
    try {
      const result = await client.result;
      progress.clear();
      if (!opts.quiet || result.status === 'canceled') process.stderr.write(formatSummary(result) + '\n');
      return stop.exitCode(result);
    } finally {
      stop.uninstall();
    }
  } catch (error) {
    progress.clear();
    process.stderr.write(`eddy: ${oneLine(error)}\n`);
    return 1;
  } finally {
    await rest?.close();
  }
}

/** `eddy run <job> --resume --checkpoint-dir <dir>` (and `--job-name` when one was given), quoted for a shell. */
function resumeCommand(job: string, client: JobClient, opts: CliRunOptions): string {
  const words = ['eddy', 'run', job, '--resume', '--checkpoint-dir', client.checkpointDirectory ? dirname(client.checkpointDirectory) : (opts.checkpointDir ?? '.')];
  if (opts.jobName !== undefined) words.push('--job-name', opts.jobName);
  return words.map(shellWord).join(' ');
}

/** `word` as a POSIX shell reads it back. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The reason of a failure in one line, with the user code's location for task failures. */
export function oneLine(error: unknown): string {
  if (error instanceof TaskFailureError) {
    const where = userFrame(error.userError.stack);
    return `job failed: ${flatten(error.message)}${where ? ` (at ${where})` : ''}`;
  }
  if (isEddyError(error)) return flatten(error.message);
  if (error instanceof Error) return `${error.name}: ${flatten(error.message)}`;
  return flatten(String(error));
}

/** A multi-line message on one line. */
function flatten(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(' ');
}

/** The first stack frame outside Node's internals and Eddy's own code. */
function userFrame(stack: string | undefined): string | undefined {
  for (const line of stack?.split('\n').slice(1) ?? []) {
    const m = /at (?:.*? \()?(.*?:\d+:\d+)\)?$/.exec(line.trim());
    if (!m) continue;
    const location = m[1]!.replace(/^file:\/\//, '');
    if (location.startsWith('node:') || /\/(dist|src)\/(runtime|api|cluster|connectors|state|core)\//.test(location)) continue;
    if (location.includes('/node_modules/')) continue;
    return location;
  }
  return undefined;
}

function positiveInt(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${option} must be a positive integer, got '${value}'`);
    }
    return n;
  };
}

function nonNegativeInt(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
      throw new InvalidArgumentError(`${option} must be a non-negative integer, got '${value}'`);
    }
    return n;
  };
}

function oneOf<T extends string>(option: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${option} must be one of ${choices.join(', ')}, got '${value}'`);
    }
    return value as T;
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function collectHost(value: string, previous: string[]): string[] {
  try {
    return [...previous, normaliseHostName(value)];
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

function collectPair(value: string, previous: [string, string][]): [string, string][] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`--set expects key=value, got '${value}'`);
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}
