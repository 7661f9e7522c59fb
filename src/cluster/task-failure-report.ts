/** Turns what a task threw into a {@link TaskFailureError} that names the operator, subtask and attempt. */
import { TaskFailureError } from '../core/errors.js';
import { failedOperator } from '../runtime/task/task-failure.js';
import type { StreamTask } from '../runtime/task/stream-task.js';

/** Wraps `error` with the task's operator (the operator that threw, if known), subtask and attempt. */
export function taskFailureError(task: StreamTask, attempt: number, error: unknown): TaskFailureError {
  if (error instanceof TaskFailureError) return error;
  const operator = failedOperator(error) ?? task.headOperatorName;
  return new TaskFailureError({ operator, subtaskIndex: task.subtaskIndex, parallelism: task.vertex.parallelism, attempt }, error);
}
