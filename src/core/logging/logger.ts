/**
 * Eddy's one logger: pino, created once per run (by `eddy run` or `startJob`) and handed
 * to every layer, which add their fields (job, task, subtask, attempt) as child loggers.
 * It writes to stderr synchronously, so a line is out before the process can die.
 */
import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';
import { prettyFactory } from 'pino-pretty';

/** A pino logger; pass your own to `runJob` with `{ logger }`. */
export type Logger = PinoLogger;

/** Levels from most to least severe; `'silent'` logs nothing. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** `'json'`: one JSON object per line (pino's own); `'pretty'`: a readable line per record. */
export type LogFormat = 'json' | 'pretty';

/** Where finished log lines go. */
export interface LogDestination {
  write(line: string): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: LogLevel;
  /** @default 'pretty' */
  readonly format?: LogFormat;
  /** @default process.stderr */
  readonly destination?: LogDestination;
}

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/** Creates a logger writing `format` lines at `level` and above to `destination`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const format = options.format ?? 'pretty';
  const level = options.level ?? 'info';
  return pino({ level, base: null, serializers: { err: serializeError } }, format === 'json' ? destination : prettyDestination(destination));
}

/**
 * An error as a log record shows it: class, message, code and one stack that runs down
 * its causes (`Caused by: …`), without repeating the error's other fields.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  let stack = error.stack ?? `${error.name}: ${error.message}`;
  // a TaskFailureError's stack already ends with its cause's
  let cause = stack.includes('\nCaused by: ') ? undefined : error.cause;
  for (let depth = 0; cause !== undefined && depth < 8; depth++) {
    stack += `\nCaused by: ${cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause)}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  const code = (error as NodeJS.ErrnoException).code;
  return { type: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), stack };
}

/** pino-pretty as a plain function, so formatting is synchronous and needs no worker. */
function prettyDestination(destination: LogDestination): LogDestination {
  const format = prettyFactory({
    colorize: false,
    ignore: 'pid,hostname',
    translateTime: 'HH:MM:ss.l',
    singleLine: false,
    errorLikeObjectKeys: ['err', 'error'],
  });
  return { write: (line) => destination.write(format(line)) };
}

/**
 * Logs a record that another thread's logger wrote as a JSON line (worker threads forward
 * theirs to the main thread), through `logger`, keeping its level and fields.
 */
export function relayLogLine(logger: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch (error) {
    logger.warn({ err: error, line }, 'a worker thread sent a log line that is not JSON');
    return;
  }
  const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...fields } = record;
  const label = typeof level === 'number' ? logger.levels.labels[level] : undefined;
  const method = (label && label in LEVEL_METHODS ? label : 'info') as keyof typeof LEVEL_METHODS;
  logger[method](fields, typeof msg === 'string' ? msg : '');
}

const LEVEL_METHODS = { fatal: 1, error: 1, warn: 1, info: 1, debug: 1, trace: 1 } as const;
