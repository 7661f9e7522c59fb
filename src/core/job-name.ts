/**
 * A job's name: how `eddy run --resume` finds the earlier runs of the same job
 * (`_job.json` in each run's checkpoint directory) and what `eddy list` and the REST API
 * show. Checked in one place so the CLI, `RunOptions.jobName` and `env.setJobName` agree.
 */

/** The longest job name accepted. */
export const MAX_JOB_NAME_LENGTH = 200;

/**
 * Why `name` cannot be a job name (empty, too long, or with control characters, which
 * would break the one-line messages that name it), or undefined when it can.
 */
export function jobNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.trim().length === 0) return 'a job name must be a non-empty string';
  if (name.length > MAX_JOB_NAME_LENGTH) return `a job name has at most ${MAX_JOB_NAME_LENGTH} characters, got ${name.length}`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `a job name may not contain control characters, got ${JSON.stringify(name)}`;
  return undefined;
}

/**
 * The default name of a job defined in the module at `moduleUrl`: its file name without
 * the extension (`jobs/word-count.ts` → `word-count`); `job` when there is no module.
 */
export function jobNameFromModule(moduleUrl: string | undefined): string {
  if (!moduleUrl) return 'job';
  const file = moduleUrl.split(/[\\/]/).pop() ?? 'job';
  return file.replace(/[?#].*$/, '').replace(/\.(?:[cm]?[jt]sx?)$/, '') || 'job';
}
