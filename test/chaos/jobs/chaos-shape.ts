/**
 * The job family of the chaos campaign: the shape of one job (which pipeline, its input
 * and its sizes) and the input itself, a pure function of the shape, shared by the job
 * (test/chaos/jobs/chaos-job.ts) and the failure-free model (test/chaos/chaos-model.ts)
 * so both see exactly the same records.
 */

/** The pipelines of the family. */
export const PIPELINES = ['keyed-state', 'timers', 'tumbling', 'sliding', 'session'] as const;
export type Pipeline = (typeof PIPELINES)[number];

/** Window functions the window pipelines use. */
export const WINDOW_FUNCTIONS = ['reduce', 'aggregate', 'process'] as const;
export type WindowFunctionKind = (typeof WINDOW_FUNCTIONS)[number];

/** Everything that defines one job of the family; it travels as job parameters. */
export interface ChaosShape {
  readonly pipeline: Pipeline;
  /** Seed of the input (keys and values of the records). */
  readonly inputSeed: number;
  /** Records in the input: indices 0..records-1, record i with event time i. */
  readonly records: number;
  /** Distinct keys `k0`..`k<keys-1>`. */
  readonly keys: number;
  /** Window size, slide (sliding), session gap, or timer bucket size, in ms of event time. */
  readonly size: number;
  readonly slide: number;
  readonly gap: number;
  readonly windowFunction: WindowFunctionKind;
}

/** One input record. Its event time is `i`. */
export interface ChaosEvent {
  readonly i: number;
  readonly key: string;
  readonly value: number;
}

/** A 32-bit integer hash of (seed, i): the input is random but needs no state to generate. */
function mix(seed: number, i: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Record `i` of the input of `shape`. */
export function chaosEvent(shape: ChaosShape, i: number): ChaosEvent {
  const h = mix(shape.inputSeed, i);
  return { i, key: `k${h % shape.keys}`, value: (h >>> 8) % 100 };
}

/** The range `[start, end)` of indices source subtask `subtask` of `parallelism` reads. */
export function subtaskRange(records: number, parallelism: number, subtask: number): [number, number] {
  const base = Math.floor(records / parallelism);
  const extra = records % parallelism;
  const start = subtask * base + Math.min(subtask, extra);
  return [start, start + base + (subtask < extra ? 1 : 0)];
}

/** Writes a shape as job parameters. */
export function shapeParameters(shape: ChaosShape): Record<string, string> {
  return {
    pipeline: shape.pipeline,
    inputSeed: String(shape.inputSeed),
    records: String(shape.records),
    keys: String(shape.keys),
    size: String(shape.size),
    slide: String(shape.slide),
    gap: String(shape.gap),
    windowFunction: shape.windowFunction,
  };
}

/** Reads a shape from job parameters (`get(name)` returns the parameter or throws). */
export function readShape(get: (name: string) => string): ChaosShape {
  const pipeline = get('pipeline') as Pipeline;
  const windowFunction = get('windowFunction') as WindowFunctionKind;
  if (!PIPELINES.includes(pipeline)) throw new TypeError(`chaos job: unknown pipeline '${pipeline}' (one of ${PIPELINES.join(', ')})`);
  if (!WINDOW_FUNCTIONS.includes(windowFunction)) throw new TypeError(`chaos job: unknown windowFunction '${windowFunction}'`);
  const num = (name: string) => Number(get(name));
  return { pipeline, windowFunction, inputSeed: num('inputSeed'), records: num('records'), keys: num('keys'), size: num('size'), slide: num('slide'), gap: num('gap') };
}
