/**
 * `defineJob` marks a job module's default export. Workers import the same module and
 * call the same builder, so the job must be in a module of its own (not a closure made
 * at run time) and its builder must build the same graph every time.
 */
import { fileURLToPath } from 'node:url';
import type { StreamExecutionEnvironment } from './environment.js';

const JOB = Symbol.for('eddy.job');

/** A job: the builder, and the module it was defined in. */
export interface JobDefinition {
  readonly [JOB]: true;
  /** Builds the stream graph on `env`. Must be synchronous and deterministic. */
  readonly build: (env: StreamExecutionEnvironment) => void;
  /** URL of the module that called `defineJob`, when it could be found. */
  readonly moduleUrl: string | undefined;
}

/**
 * Defines a job. Use it as the default export of a job module:
 * ```ts
 * export default defineJob((env) => { env.fromSequence(1, 10).map((n) => n * 2).sinkTo(Sinks.print()); });
 * ```
 */
export function defineJob(build: (env: StreamExecutionEnvironment) => void): JobDefinition {
  if (typeof build !== 'function') throw new TypeError('defineJob() needs a function (env) => { ... }');
  return Object.freeze({ [JOB]: true as const, build, moduleUrl: callerModuleUrl() });
}

/** True when `value` was made by {@link defineJob} (in any copy of the library). */
export function isJobDefinition(value: unknown): value is JobDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[JOB] === true;
}

/** The module that called defineJob, read off the stack. */
function callerModuleUrl(): string | undefined {
  const stack = new Error().stack?.split('\n') ?? [];
  // [0] "Error", [1] callerModuleUrl, [2] defineJob, [3] the job module
  const frame = stack[3];
  if (!frame) return undefined;
  const match = /\(?((?:file:\/\/)?\/[^()]*?):\d+:\d+\)?\s*$/.exec(frame);
  if (!match) return undefined;
  const location = match[1]!;
  if (location.startsWith('file://')) return location;
  try {
    return new URL(`file://${location}`).href;
  } catch {
    return undefined;
  }
}

/** @internal the file path of a module URL, for messages. */
export function moduleLabel(url: string): string {
  return url.startsWith('file:') ? fileURLToPath(url) : url;
}
