/**
 * The records the chaos jobs emit, built by the same functions in the job and in the
 * model, so a run's output and the model's can be compared as multisets of JSON lines.
 */

/** A running count of a key: the n-th record of `key` was processed (n = 1, 2, ...). */
export interface CountRecord {
  readonly kind: 'count';
  readonly key: string;
  readonly n: number;
}

/** What the keyed-state pipeline emits per key when the input ends (its event-time timer). */
export interface SummaryRecord {
  readonly kind: 'summary';
  readonly key: string;
  /** The list state's values, sorted (arrival order depends on parallelism). */
  readonly list: readonly number[];
  /** The map state: `value % 7` → how many records had it, sorted by the map key. */
  readonly map: readonly (readonly [number, number])[];
  /** The reducing state: the sum of the values. */
  readonly sum: number;
  /** The aggregating state: `min/max/count`. */
  readonly agg: string;
}

/** A closed bucket (timers pipeline) or window (window pipelines) of a key. */
export interface WindowRecord {
  readonly kind: 'window';
  readonly key: string;
  readonly start: number;
  readonly end: number;
  /** Sum of the record indices (event times) in it, and how many. */
  readonly sum: number;
  readonly count: number;
}

export type ChaosRecord = CountRecord | SummaryRecord | WindowRecord;

export function countRecord(key: string, n: number): CountRecord {
  return { kind: 'count', key, n };
}

export function summaryRecord(key: string, values: Iterable<number>, map: Iterable<readonly [number, number]>, sum: number, agg: string): SummaryRecord {
  return {
    kind: 'summary',
    key,
    list: [...values].sort((a, b) => a - b),
    map: [...map].map(([k, v]) => [k, v] as const).sort((a, b) => a[0] - b[0]),
    sum,
    agg,
  };
}

export function windowRecord(key: string, start: number, end: number, sum: number, count: number): WindowRecord {
  return { kind: 'window', key, start, end, sum, count };
}

/** The aggregating state's result: `min/max/count`. */
export function aggText(acc: readonly [number, number, number]): string {
  return `${acc[0]}/${acc[1]}/${acc[2]}`;
}

/** The canonical line of a record: what the jsonl sink writes (key order fixed by the builders). */
export function recordLine(record: ChaosRecord): string {
  return JSON.stringify(record);
}
