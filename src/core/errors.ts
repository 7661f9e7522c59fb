/**
 * Eddy's error classes. Each has a stable `name` so code can branch on it, and each can
 * cross a thread boundary: {@link toWireError} flattens it, {@link fromWireError}
 * rebuilds the same class on the other side.
 */
import { defineBrand } from './brand.js';

/** Base class of every error Eddy throws on purpose. */
export class EddyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

const EDDY_ERROR = defineBrand<EddyError>('error');
EDDY_ERROR.mark(EddyError.prototype);

/**
 * Whether `value` is an {@link EddyError} thrown by any copy of Eddy (a job may bring its
 * own copy, whose classes `instanceof` does not recognise). With `name`, also whether it is
 * that class (`isEddyError(e, 'RestoreError')`): names are stable.
 */
export function isEddyError(value: unknown, name?: string): value is EddyError {
  return EDDY_ERROR.is(value) && (name === undefined || value.name === name);
}

/** The job module or the graph it builds is invalid (bad parallelism, missing default export…). */
export class JobDefinitionError extends EddyError {}

/** An option or setting has a value Eddy cannot accept. */
export class ConfigError extends EddyError {}

/** A key cannot be used with `keyBy` (unsupported type, NaN…). */
export class KeyError extends EddyError {}

/** State was used in a way its kind or its place does not allow. */
export class StateAccessError extends EddyError {}

/** State bytes could not be written or read back (corrupt, wrong version, wrong type). */
export class StateSerializationError extends EddyError {}

/** A restore from a snapshot, checkpoint or savepoint failed. */
export class RestoreError extends EddyError {}

/** A checkpoint could not be taken or completed. */
export class CheckpointError extends EddyError {}

/** Where a task failure happened: the structured fields of a {@link TaskFailureError}. */
export interface TaskFailureFields {
  /** Name of the operator that threw (the chain's head when it is not known). */
  readonly operator: string;
  /** 0-based index of the subtask. */
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** 0-based attempt number of the job (Flink's attempt number): 0 on the first run, n after n restarts. */
  readonly attempt: number;
}

/** What a user function threw, as plain data. */
export interface UserErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/**
 * A user function (or an operator) threw inside a task. Carries the operator, the
 * subtask and the attempt as fields and builds its message from them; `cause` is the
 * original error (rebuilt as its own class when it crossed a thread) and `userError` the
 * same as plain data.
 */
export class TaskFailureError extends EddyError {
  readonly operator: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly attempt: number;
  readonly userError: UserErrorInfo;

  constructor(fields: TaskFailureFields, userError: unknown) {
    const cause = userError instanceof Error ? userError : new Error(String(userError));
    const where = `subtask ${fields.subtaskIndex + 1}/${fields.parallelism}${fields.attempt > 0 ? `, attempt #${fields.attempt}` : ''}`;
    super(`operator '${fields.operator}' (${where}) failed: ${cause.name}: ${cause.message}`, { cause });
    this.operator = fields.operator;
    this.subtaskIndex = fields.subtaskIndex;
    this.parallelism = fields.parallelism;
    this.attempt = fields.attempt;
    this.userError = { name: cause.name, message: cause.message, ...(cause.stack !== undefined ? { stack: cause.stack } : {}) };
    if (cause.stack) this.stack = `${this.name}: ${this.message}\nCaused by: ${cause.stack}`;
  }
}

/**
 * A file or directory Eddy writes (checkpoint storage, a sink's output) could not be
 * used: a full disk, missing permissions, a read-only file system. Names the path and
 * says what to do; `code` is Node's error code (`ENOSPC`, `EACCES`…).
 */
export class StorageError extends EddyError {
  readonly path: string;
  readonly code: string | undefined;
  constructor(message: string, fields: { path: string; code: string | undefined }, options?: { cause?: unknown }) {
    super(message, options);
    this.path = fields.path;
    this.code = fields.code;
  }
}

/** The job ended in failure; `cause` holds the first task failure. */
export class JobFailedError extends EddyError {}

/** Builds an error of one class from its message, its structured fields and its cause. */
type ErrorRebuilder = (message: string, fields: Readonly<Record<string, WireValue>>, cause: Error | undefined) => Error;

/** How an error class taking `(message, options?)` is rebuilt: constructed, then its fields set. */
function plain(Class: new (message: string, options?: { cause?: unknown }) => Error): ErrorRebuilder {
  return (message, fields, cause) => Object.assign(new Class(message, cause ? { cause } : undefined), fields);
}

const rebuilders: Record<string, ErrorRebuilder> = {
  EddyError: plain(EddyError),
  JobDefinitionError: plain(JobDefinitionError),
  ConfigError: plain(ConfigError),
  KeyError: plain(KeyError),
  StateAccessError: plain(StateAccessError),
  StateSerializationError: plain(StateSerializationError),
  RestoreError: plain(RestoreError),
  CheckpointError: plain(CheckpointError),
  JobFailedError: plain(JobFailedError),
  StorageError: (message, fields, cause) =>
    new StorageError(message, { path: String(fields['path']), code: typeof fields['code'] === 'string' ? fields['code'] : undefined }, cause ? { cause } : undefined),
  TaskFailureError: (_message, fields, cause) =>
    new TaskFailureError(
      {
        operator: String(fields['operator']),
        subtaskIndex: Number(fields['subtaskIndex']),
        parallelism: Number(fields['parallelism']),
        attempt: Number(fields['attempt'] ?? 0),
      },
      cause ?? new Error('(cause lost)'),
    ),
};

/**
 * Lets an error class defined in a higher layer cross threads as itself: its module
 * registers it, and {@link fromWireError} rebuilds it by name (its own enumerable fields
 * of plain values are carried too).
 */
export function registerErrorClass(Class: new (message: string, options?: { cause?: unknown }) => Error): void {
  rebuilders[Class.name] = plain(Class);
}

/** A field value that crosses threads. */
export type WireValue = string | number | boolean | null;

/** A structured-clone-safe form of an error, for `postMessage`. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** The error's own structured fields with plain values (operator, subtaskIndex, path, code…). */
  readonly fields?: Readonly<Record<string, WireValue>>;
  readonly cause?: WireError;
}

/** How deep a chain of causes crosses; deeper causes are cut (a cycle would never end). */
const MAX_CAUSE_DEPTH = 8;

/** Flattens any thrown value into a {@link WireError}, with its fields and its cause. */
export function toWireError(error: unknown, depth = 0): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields: Record<string, WireValue> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  const cause = error.cause !== undefined && depth < MAX_CAUSE_DEPTH ? toWireError(error.cause, depth + 1) : undefined;
  return {
    name: error.name,
    message: error.message,
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
    ...(Object.keys(fields).length > 0 ? { fields } : {}),
    ...(cause ? { cause } : {}),
  };
}

/**
 * Rebuilds the error a {@link WireError} describes: Eddy's classes as themselves with
 * their fields, anything else as an `Error` with the original `name`; the cause likewise.
 */
export function fromWireError(wire: WireError): Error {
  const cause = wire.cause ? fromWireError(wire.cause) : undefined;
  const rebuild = rebuilders[wire.name];
  const fields = wire.fields ?? {};
  let error: Error;
  if (rebuild) {
    error = rebuild(wire.message, fields, cause);
  } else {
    error = Object.assign(new Error(wire.message, cause ? { cause } : undefined), fields);
    error.name = wire.name;
  }
  if (wire.stack) error.stack = wire.stack;
  return error;
}
