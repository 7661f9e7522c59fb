/** Turns what a task threw into a {@link TaskFailureError} that names the operator and subtask. */
import { TaskFailureError } from '../core/errors.js';
import { failedOperator } from '../runtime/task/task-failure.js';
import type { StreamTask } from '../runtime/task/stream-task.js';

/** Wraps `error` with the task's operator and subtask (the operator that threw, if known). */
export function taskFailureError(task: StreamTask, error: unknown): TaskFailureError {
  if (error instanceof TaskFailureError) return error;
  const e = error instanceof Error ? error : new Error(String(error));
  return new TaskFailureError(failedOperator(error) ?? task.headOperatorName, task.subtaskIndex, task.vertex.parallelism, {
    name: e.name,
    message: e.message,
    stack: e.stack,
  });
}
