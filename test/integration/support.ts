/**
 * Shared helpers of the integration tests: where the examples and test jobs are, how to
 * run one with its results collected, and how to compare outputs as multisets.
 */
import { fileURLToPath } from 'node:url';
import { runJob } from 'eddy';

/** The project's root directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Execution = 'threads' | 'single-thread';

/** Every `[parallelism, execution mode]` pair the examples are checked at. */
export const RUNS = runs([1, 2, 4]);

/** `[parallelism, execution mode]` for each parallelism, in both modes. */
export function runs(parallelisms: readonly number[]): [number, Execution][] {
  return parallelisms.flatMap((p) => (['threads', 'single-thread'] as const).map((e): [number, Execution] => [p, e]));
}

/** Absolute path of `examples/<name>.ts`. */
export function examplePath(name: string): string {
  return `${ROOT}examples/${name}.ts`;
}

/** Absolute path of `test/jobs/<name>.ts`. */
export function testJobPath(name: string): string {
  return `${ROOT}test/jobs/${name}.ts`;
}

/**
 * Runs `examples/<name>.ts` with its output collected (`--set sink=collect`) and returns
 * what its sink received, which every example collects under its own name.
 */
export async function runExample<T>(name: string, parallelism: number, execution: Execution): Promise<T[]> {
  const result = await runJob(examplePath(name), { parallelism, execution, parameters: { sink: 'collect' } });
  return result.output<T>(name);
}

/** JSON with object keys sorted, so equal records give equal strings whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * How two collections differ as multisets: how many records are only in `actual` and
 * only in `expected` (counting repeats), with a few of each to show in a failure. Equal
 * multisets give `{ onlyInActual: 0, onlyInExpected: 0, examples: [] }`.
 */
export function multisetDifference(actual: readonly unknown[], expected: readonly unknown[]) {
  const counts = new Map<string, number>();
  for (const r of actual) {
    const k = canonicalJson(r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  for (const r of expected) {
    const k = canonicalJson(r);
    counts.set(k, (counts.get(k) ?? 0) - 1);
  }
  let onlyInActual = 0;
  let onlyInExpected = 0;
  const examples: string[] = [];
  for (const [k, n] of counts) {
    if (n === 0) continue;
    if (n > 0) onlyInActual += n;
    else onlyInExpected -= n;
    if (examples.length < 5) examples.push(`${n > 0 ? 'extra' : 'missing'} ×${Math.abs(n)}: ${k}`);
  }
  return { onlyInActual, onlyInExpected, examples };
}

/** What {@link multisetDifference} gives for equal multisets. */
export const SAME_MULTISET = { onlyInActual: 0, onlyInExpected: 0, examples: [] };

/** The last record per key, where "last" is the one with the largest `order(record)`. */
export function lastPerKey<T>(records: readonly T[], key: (r: T) => string, order: (r: T) => number): Map<string, T> {
  const last = new Map<string, T>();
  for (const r of records) {
    const k = key(r);
    const seen = last.get(k);
    if (seen === undefined || order(r) > order(seen)) last.set(k, r);
  }
  return last;
}
