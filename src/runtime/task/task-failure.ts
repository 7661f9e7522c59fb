/**
 * Remembers which operator of a chain an error came from, so the task can name it. The
 * innermost operator that sees an error marks it; outer ones leave the mark alone.
 */
const OPERATOR = Symbol('eddy.failedOperator');

/** Marks `error` as thrown by `operator` unless an inner operator already did; returns what to rethrow. */
export function markOperator(error: unknown, operator: string): unknown {
  if (typeof error === 'object' && error !== null) {
    const e = error as Record<symbol, unknown>;
    if (e[OPERATOR] === undefined && Object.isExtensible(error)) e[OPERATOR] = operator;
    return error;
  }
  const wrapped = new Error(String(error));
  (wrapped as unknown as Record<symbol, unknown>)[OPERATOR] = operator;
  return wrapped;
}

/** The operator that threw `error`, if one marked it. */
export function failedOperator(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null) {
    const name = (error as Record<symbol, unknown>)[OPERATOR];
    return typeof name === 'string' ? name : undefined;
  }
  return undefined;
}
