/** Turns a job's exception history into the JSON of `GET /jobs/:id/exceptions` (Flink 2's shape). */
import type { ExceptionHistorySnapshot } from '../exception-history.js';
import type { JobExceptionsResponse } from './rest-messages.js';

/**
 * `GET /jobs/:id/exceptions`: the history newest first, at most `maxExceptions` entries
 * (Flink's query parameter); `truncated` is also true when the limit left some out.
 */
export function jobExceptionsView(history: ExceptionHistorySnapshot, maxExceptions: number | undefined): JobExceptionsResponse {
  const entries = maxExceptions === undefined ? history.entries : history.entries.slice(0, maxExceptions);
  return {
    exceptionHistory: {
      entries: entries.map((e) => ({ ...e, failureLabels: { ...e.failureLabels }, concurrentExceptions: [...e.concurrentExceptions] })),
      truncated: history.truncated || entries.length < history.entries.length,
    },
  };
}
