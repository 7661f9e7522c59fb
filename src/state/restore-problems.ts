/**
 * Why a restored state cannot be used by the descriptor that asks for it, in the words
 * keyed and operator state share (DESIGN §4.4). Each function gives the part of a
 * `RestoreError` message after "<operator>: state '<name>' cannot be restored: ", and
 * says what to do.
 */

/** Said whenever the flag that drops state of missing operators is no way out. */
export const NON_RESTORED_STATE_NOTE =
  '--allow-non-restored-state does not help here: it only drops the state of operators the job no longer has';

/** The state was saved as `stored` and is now requested as `requested` (kinds, or operator state modes). */
export function kindChangedProblem(stored: string, requested: string): string {
  return (
    `it was saved as ${stored} but is now requested as ${requested}, and a state cannot change its kind; ` +
    `request it as ${stored}, or give the new state another name (${NON_RESTORED_STATE_NOTE})`
  );
}

/** The state was written by a descriptor `version` newer than the one asking for it. */
export function newerVersionProblem(stored: number, descriptor: number): string {
  return (
    `it was written with state version ${stored}, newer than the descriptor's version ${descriptor}, and state is never ` +
    `migrated back; restore it with a job whose descriptor has version ${stored} or later (${NON_RESTORED_STATE_NOTE})`
  );
}

/** The state was written by an older descriptor `version`, and the descriptor has no `migrate`. */
export function missingMigrateProblem(stored: number, descriptor: number): string {
  return (
    `it was written with state version ${stored} and the descriptor is version ${descriptor} but has no ` +
    `migrate(old, fromVersion) to convert it; give the descriptor a migrate(old, fromVersion), or restore with the ` +
    `descriptor at version ${stored} (${NON_RESTORED_STATE_NOTE})`
  );
}

/** `migrate` threw `cause` on one stored value (`what`: "a list element", "item 3"…). */
export function migrateFailedProblem(stored: number, descriptor: number, what: string, cause: unknown): string {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return `migrate(old, ${stored}) failed on ${what} while converting it to version ${descriptor}: ${reason}`;
}

/** `migrate` gave `undefined` or `null` for a list element, which a list may not hold. */
export function migratedToNothingProblem(stored: number, what: string, result: unknown): string {
  return `migrate(old, ${stored}) returned ${String(result)} for ${what}; list elements may not be null or undefined`;
}
