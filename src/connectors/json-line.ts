/**
 * JSON for output lines: bigints become strings, Maps become objects and Sets arrays, so
 * any record that crosses threads can also be written out.
 */

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

/** One record as a single line of JSON. */
export function toJsonLine(record: unknown): string {
  return JSON.stringify(record, replacer) ?? 'null';
}
