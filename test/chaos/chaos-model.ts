/**
 * The failure-free output of a chaos job, computed in plain TypeScript from the same
 * input generator (no Eddy run): what every run must emit exactly, whatever faults it
 * suffered. Compared as a multiset of JSON lines, so parallelism's interleaving does not
 * matter and every lost or duplicated record shows.
 */
import { chaosEvent } from './jobs/chaos-shape.js';
import type { ChaosEvent, ChaosShape } from './jobs/chaos-shape.js';
import { aggText, countRecord, recordLine, summaryRecord, windowRecord } from './jobs/chaos-output.js';
import type { ChaosRecord } from './jobs/chaos-output.js';

/** The input grouped by key, each key's records in index (event-time) order. */
function byKey(shape: ChaosShape): Map<string, ChaosEvent[]> {
  const groups = new Map<string, ChaosEvent[]>();
  for (let i = 0; i < shape.records; i++) {
    const e = chaosEvent(shape, i);
    let list = groups.get(e.key);
    if (list === undefined) groups.set(e.key, (list = []));
    list.push(e);
  }
  return groups;
}

function keyedState(events: readonly ChaosEvent[], key: string, out: ChaosRecord[]): void {
  const residues = new Map<number, number>();
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  events.forEach((e, n) => {
    out.push(countRecord(key, n + 1));
    residues.set(e.value % 7, (residues.get(e.value % 7) ?? 0) + 1);
    min = Math.min(min, e.value);
    max = Math.max(max, e.value);
    sum += e.value;
  });
  out.push(summaryRecord(key, events.map((e) => e.value), residues, sum, aggText([min, max, events.length])));
}

/** Adds `e` to the tally of window [start, end). */
function addTo(tallies: Map<number, [number, number, number]>, start: number, end: number, e: ChaosEvent): void {
  const t = tallies.get(start) ?? [end, 0, 0];
  tallies.set(start, [end, t[1] + e.i, t[2] + 1]);
}

/** Windows (or timer buckets) of fixed placement: tumbling, sliding, timers. */
function fixedWindows(shape: ChaosShape, events: readonly ChaosEvent[], key: string, out: ChaosRecord[]): void {
  const tallies = new Map<number, [number, number, number]>();
  const { size } = shape;
  const slide = shape.pipeline === 'sliding' ? shape.slide : size;
  for (const e of events) {
    const lastStart = e.i - (((e.i % slide) + slide) % slide);
    for (let start = lastStart; start > e.i - size; start -= slide) addTo(tallies, start, start + size, e);
  }
  for (const [start, [end, sum, count]] of tallies) out.push(windowRecord(key, start, end, sum, count));
}

/**
 * Session windows: a record opens [t, t + gap); windows that overlap or touch merge (as
 * Flink's `TimeWindow.intersects`: a record at exactly `end` joins the session).
 */
function sessions(shape: ChaosShape, events: readonly ChaosEvent[], key: string, out: ChaosRecord[]): void {
  let start = -1;
  let end = -1;
  let sum = 0;
  let count = 0;
  for (const e of events) {
    if (count > 0 && e.i <= end) {
      end = Math.max(end, e.i + shape.gap);
    } else {
      if (count > 0) out.push(windowRecord(key, start, end, sum, count));
      start = e.i;
      end = e.i + shape.gap;
      sum = 0;
      count = 0;
    }
    sum += e.i;
    count++;
  }
  if (count > 0) out.push(windowRecord(key, start, end, sum, count));
}

/** The failure-free output of the job of `shape`, as sorted JSON lines. */
export function expectedLines(shape: ChaosShape): string[] {
  const out: ChaosRecord[] = [];
  for (const [key, events] of byKey(shape)) {
    if (shape.pipeline === 'keyed-state') keyedState(events, key, out);
    else if (shape.pipeline === 'session') sessions(shape, events, key, out);
    else fixedWindows(shape, events, key, out);
  }
  return out.map(recordLine).sort();
}

/** How an output differs from the model's, as multisets of lines. */
export interface OutputComparison {
  readonly expected: number;
  readonly actual: number;
  /** Expected lines the output lacks (counting multiplicity). */
  readonly lost: number;
  /** Lines the output has more often than expected, or that are no expected line at all. */
  readonly duplicated: number;
  readonly unexpected: number;
  /** A few differences, to show. */
  readonly examples: readonly string[];
}

/** Compares `actual` lines with `expected` lines as multisets. */
export function compareLines(expected: readonly string[], actual: readonly string[]): OutputComparison {
  const remaining = new Map<string, number>();
  for (const line of expected) remaining.set(line, (remaining.get(line) ?? 0) + 1);
  const wanted = new Set(expected);
  let duplicated = 0;
  let unexpected = 0;
  const examples: string[] = [];
  for (const line of actual) {
    const left = remaining.get(line) ?? 0;
    if (left > 0) remaining.set(line, left - 1);
    else if (wanted.has(line)) {
      duplicated++;
      if (examples.length < 5) examples.push(`duplicated: ${line}`);
    } else {
      unexpected++;
      if (examples.length < 5) examples.push(`unexpected: ${line}`);
    }
  }
  let lost = 0;
  for (const [line, left] of remaining) {
    lost += left;
    if (left > 0 && examples.length < 5) examples.push(`lost: ${line}`);
  }
  return { expected: expected.length, actual: actual.length, lost, duplicated, unexpected, examples };
}
