/**
 * The error a REST handler throws to answer with a given HTTP status; the server turns
 * it into `{ "message": ... }`. Any other error thrown by a handler becomes a 500.
 */
import { EddyError } from '../../core/errors.js';

/** HTTP statuses the REST API answers errors with. */
export type RestErrorStatus = 400 | 403 | 404 | 405 | 409 | 413 | 415 | 500;

/** A request the REST API refuses, with the HTTP status to answer. */
export class RestError extends EddyError {
  constructor(
    /** HTTP status of the answer. */
    readonly status: RestErrorStatus,
    message: string,
    /** Extra response headers (e.g. `Allow` for a 405). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
