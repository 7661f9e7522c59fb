/**
 * The CLI commands that operate a running job through its REST API (docs/REST.md):
 * `eddy list`, `eddy savepoint`, `eddy stop`, `eddy cancel`. Each takes `--address`;
 * failures print one line on stderr and exit 1.
 */
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import type { JobsOverviewResponse, TriggerResponse } from '../cluster/rest/rest-messages.js';
import { DEFAULT_REST_ADDRESS, RestClient, RestClientError } from './rest-client.js';

interface AddressOption {
  address: string;
}

/** Adds `list`, `savepoint`, `stop` and `cancel` to `program`; each reports its exit code through `setExitCode`. */
export function registerClientCommands(program: Command, setExitCode: (code: number) => void): void {
  const report = async (action: () => Promise<void>) => setExitCode(await exitCodeOf(action));

  program
    .command('list')
    .description('list the jobs of a running Eddy (running and ended ones)')
    .option('--address <url>', 'the REST API of the job', httpUrl, DEFAULT_REST_ADDRESS)
    .option('--json', 'print the jobs as JSON (the body of GET /jobs/overview)')
    .action((opts: AddressOption & { json?: boolean }) =>
      report(async () => {
        const overview = await new RestClient(opts.address).get<JobsOverviewResponse>('/jobs/overview');
        process.stdout.write(opts.json ? `${JSON.stringify(overview, null, 2)}\n` : formatJobs(overview));
      }),
    );

  program
    .command('savepoint')
    .description('take a savepoint of a running job and print its path')
    .argument('<job-id>', 'the job id, or a unique prefix of at least 4 characters')
    .argument('[dir]', "directory under which the savepoint is written (default: the job's --savepoint-dir)")
    .option('--address <url>', 'the REST API of the job', httpUrl, DEFAULT_REST_ADDRESS)
    .action((jobId: string, dir: string | undefined, opts: AddressOption) =>
      report(async () => {
        const client = new RestClient(opts.address);
        const id = await client.resolveJobId(jobId);
        // relative to where this command runs: the server refuses relative directories
        const body = dir === undefined ? {} : { 'target-directory': resolve(dir) };
        const trigger = await client.post<TriggerResponse>(`/jobs/${id}/savepoints`, body);
        process.stdout.write(`${await client.awaitSavepoint(id, trigger)}\n`);
      }),
    );

  program
    .command('stop')
    .description('take a savepoint, then end the job so that its sinks commit; print the savepoint path')
    .argument('<job-id>', 'the job id, or a unique prefix of at least 4 characters')
    .option('--savepoint-path <dir>', "directory under which the savepoint is written (default: the job's --savepoint-dir)")
    .option('--drain', 'end the input first so that every pending result is emitted (all timers fire)')
    .option('--address <url>', 'the REST API of the job', httpUrl, DEFAULT_REST_ADDRESS)
    .action((jobId: string, opts: AddressOption & { savepointPath?: string; drain?: boolean }) =>
      report(async () => {
        const client = new RestClient(opts.address);
        const id = await client.resolveJobId(jobId);
        const body = {
          ...(opts.savepointPath === undefined ? {} : { targetDirectory: resolve(opts.savepointPath) }),
          drain: opts.drain ?? false,
        };
        const trigger = await client.post<TriggerResponse>(`/jobs/${id}/stop`, body);
        process.stdout.write(`${await client.awaitSavepoint(id, trigger)}\n`);
      }),
    );

  program
    .command('cancel')
    .description('cancel a running job (without a savepoint)')
    .argument('<job-id>', 'the job id, or a unique prefix of at least 4 characters')
    .option('--address <url>', 'the REST API of the job', httpUrl, DEFAULT_REST_ADDRESS)
    .action((jobId: string, opts: AddressOption) =>
      report(async () => {
        const client = new RestClient(opts.address);
        const id = await client.resolveJobId(jobId);
        await client.patch(`/jobs/${id}?mode=cancel`);
        process.stderr.write(`eddy: canceling job ${id}\n`);
      }),
    );
}

/** Runs a command's action: 0, or 1 with the reason on stderr. */
async function exitCodeOf(action: () => Promise<void>): Promise<number> {
  try {
    await action();
    return 0;
  } catch (error) {
    const message = error instanceof RestClientError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`eddy: ${message}\n`);
    return 1;
  }
}

/** The jobs as a table: id, status, start time, name. */
function formatJobs(overview: JobsOverviewResponse): string {
  if (overview.jobs.length === 0) return 'no jobs\n';
  const rows = [
    ['JOB ID', 'STATUS', 'START TIME', 'NAME'],
    ...overview.jobs.map((j) => [j.jid, j.state.toLowerCase(), localTime(j['start-time']), j.name]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ') + '\n').join('');
}

/** `2024-05-01 12:00:01` in local time. */
function localTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`--address must be a URL like ${DEFAULT_REST_ADDRESS}, got '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`--address must be an http:// URL, got '${value}'`);
  }
  return value;
}
