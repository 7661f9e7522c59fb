/**
 * Eddy's error classes. Each has a stable `name` so code can branch on it, and each can
 * cross a thread boundary: {@link toWireError} flattens it, {@link fromWireError}
 * rebuilds the same class on the other side.
 */

/** Base class of every error Eddy throws on purpose. */
export class EddyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
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

/**
 * A user function (or an operator) threw inside a task. Carries the operator's name and
 * the subtask so the message says where it happened; `userError` is the original error.
 */
export class TaskFailureError extends EddyError {
  readonly operator: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly userError: { name: string; message: string; stack?: string };

  constructor(
    operator: string,
    subtaskIndex: number,
    parallelism: number,
    userError: { name: string; message: string; stack?: string },
  ) {
    super(
      `operator '${operator}' (subtask ${subtaskIndex + 1}/${parallelism}) failed: ${userError.name}: ${userError.message}`,
    );
    this.operator = operator;
    this.subtaskIndex = subtaskIndex;
    this.parallelism = parallelism;
    this.userError = userError;
    if (userError.stack) {
      this.stack = `${this.name}: ${this.message}\nCaused by: ${userError.stack}`;
    }
  }
}

/** The job ended in failure; `cause` holds the first task failure. */
export class JobFailedError extends EddyError {}

const classes: Record<string, new (message: string) => Error> = {
  EddyError,
  JobDefinitionError,
  ConfigError,
  KeyError,
  StateAccessError,
  StateSerializationError,
  RestoreError,
  CheckpointError,
  JobFailedError,
};

/**
 * Lets an error class defined in a higher layer cross threads as itself: its module
 * registers it, and {@link fromWireError} rebuilds it by name.
 */
export function registerErrorClass(Class: new (message: string) => Error): void {
  classes[Class.name] = Class;
}

/** A structured-clone-safe form of an error, for `postMessage`. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly task?: { operator: string; subtaskIndex: number; parallelism: number; userError: WireError };
}

/** Flattens any thrown value into a {@link WireError}. */
export function toWireError(error: unknown): WireError {
  if (error instanceof TaskFailureError) {
    return {
      name: error.name,
      message: error.message,
      stack: error.stack,
      task: {
        operator: error.operator,
        subtaskIndex: error.subtaskIndex,
        parallelism: error.parallelism,
        userError: { ...error.userError },
      },
    };
  }
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: 'Error', message: String(error) };
}

/** Rebuilds the error class named by a {@link WireError} (a plain `Error` for user classes). */
export function fromWireError(wire: WireError): Error {
  if (wire.task) {
    const { operator, subtaskIndex, parallelism, userError } = wire.task;
    return new TaskFailureError(operator, subtaskIndex, parallelism, userError);
  }
  const Class = classes[wire.name];
  const error = Class ? new Class(wire.message) : new Error(wire.message);
  if (!Class) error.name = wire.name;
  if (wire.stack) error.stack = wire.stack;
  return error;
}
