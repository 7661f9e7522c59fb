/**
 * One run of the chaos campaign, derived entirely from its seed: the job (shape,
 * parallelism, max parallelism, state backend, checkpoint interval, input rate) and the
 * fault schedule. The same seed gives the same plan, so `--runs 1 --seed S` replays run S.
 */
import { seededRandom } from '../support/seeded-random.js';
import { PIPELINES, subtaskRange, WINDOW_FUNCTIONS } from './jobs/chaos-shape.js';
import type { ChaosShape } from './jobs/chaos-shape.js';
import type { JobFault } from './jobs/chaos-faults.js';

/**
 * A checkpoint storage write fault: the state files or the `_metadata` of one checkpoint
 * fail. Faults are on checkpoints 1 and 2: the sources hold until a checkpoint completes,
 * so both are taken before any job fault can end the attempt.
 */
export interface StorageFault {
  readonly how: 'state-write' | 'metadata-write';
  readonly checkpoint: number;
}

/** Every fault kind the campaign counts. */
export const FAULT_KINDS = ['throw', 'exit-thread', 'restore', 'kill', 'state-write', 'metadata-write'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Everything one run does. */
export interface RunPlan {
  readonly seed: number;
  readonly shape: ChaosShape;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly backend: 'hashmap' | 'rocksdb';
  readonly checkpointIntervalMs: number;
  /** Records per ms per source subtask. */
  readonly rate: number;
  /** Records of each source subtask's range before it holds for a checkpoint. */
  readonly holdAt: number;
  /** The source subtask whose records the faults are placed on. */
  readonly faultSubtask: number;
  /** Faults the job injects itself (all lives). */
  readonly jobFaults: readonly JobFault[];
  readonly storageFaults: readonly StorageFault[];
  /** The error the storage faults raise (one per run, as `StorageFaults` has one). */
  readonly storageErrorCode: 'ENOSPC' | 'EIO' | 'EACCES';
  /**
   * `in-process`: `startJob` in the campaign's process (storage faults need its options);
   * `cli`: `eddy run` in a child process, killed with SIGKILL and resumed with `--resume`.
   */
  readonly mode: 'in-process' | 'cli';
}

/** What the plan needs to know of the environment. */
export interface PlanOptions {
  /** Whether `eddy run` has `--resume`; without it no run is killed (the draw is made all the same). */
  readonly killSupported: boolean;
}

/** The plan of run `seed`. */
export function planRun(seed: number, options: PlanOptions): RunPlan {
  const random = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  const pipeline = pick(PIPELINES);
  const parallelism = int(1, 4);
  const maxParallelism = pick([parallelism, 4, 16, 128]);
  const backend = pick(['hashmap', 'rocksdb'] as const);
  const records = int(600, 3000);
  const keys = int(3, 30);
  const size = pick([20, 50, 100, 250]);
  const slide = Math.max(1, Math.floor(size / pick([2, 3, 4])));
  const gap = Math.max(2, Math.round(keys * (0.5 + 1.5 * random())));
  const shape: ChaosShape = { pipeline, inputSeed: int(0, 2 ** 31 - 1), records, keys, size, slide, gap, windowFunction: pick(WINDOW_FUNCTIONS) };
  const checkpointIntervalMs = int(20, 150);

  const faultSubtask = int(0, parallelism - 1);
  const [start, end] = subtaskRange(records, parallelism, faultSubtask);
  const perSubtask = end - start;
  // the input lasts about 0.5-1 s, so several checkpoints complete while it runs
  const rate = Math.max(1, Math.ceil(perSubtask / int(500, 1000)));
  const holdAt = Math.max(1, Math.floor(perSubtask * (0.05 + 0.15 * random())));

  // faults of one run are all on one subtask at increasing record indices: each attempt
  // restores a checkpoint taken before the previous fault's record, so it reaches its own
  let last = start + holdAt;
  const nextRecord = (): number | undefined => {
    if (last >= end - 2) return undefined;
    last = last + 1 + Math.floor(random() * (end - last - 1) * 0.3);
    return last;
  };
  const jobFaults: JobFault[] = [];
  const addFaults = (life: number, count: number, restored: boolean): number => {
    let attempt = 0;
    for (let n = 0; n < count; n++) {
      // a restore fault needs an attempt that restores: after a fault, or in the resumed life
      const how = pick(attempt > 0 || restored ? (['throw', 'exit-thread', 'restore'] as const) : (['throw', 'exit-thread'] as const));
      if (how === 'restore') {
        jobFaults.push({ life, attempt, how });
      } else {
        const record = nextRecord();
        if (record === undefined) break;
        jobFaults.push({ life, attempt, how, record });
      }
      attempt++;
    }
    return attempt;
  };
  const attemptsBeforeKill = addFaults(0, int(0, 3), false);
  const killDrawn = random() < 0.3;
  let mode: RunPlan['mode'] = 'in-process';
  if (killDrawn && options.killSupported) {
    const record = nextRecord();
    if (record !== undefined) {
      jobFaults.push({ life: 0, attempt: attemptsBeforeKill, how: 'kill', record });
      addFaults(1, int(0, 1), true);
      mode = 'cli';
    }
  }

  const storageFaults: StorageFault[] = [];
  const storageCount = int(0, 2);
  const storageErrorCode = pick(['ENOSPC', 'EIO', 'EACCES'] as const);
  // storage faults go through RunOptions, which a `cli` run has not
  if (mode === 'in-process') {
    for (const checkpoint of [1, 2].slice(0, storageCount)) {
      storageFaults.push({ how: pick(['state-write', 'metadata-write'] as const), checkpoint });
    }
  }
  return { seed, shape, parallelism, maxParallelism, backend, checkpointIntervalMs, rate, holdAt, faultSubtask, jobFaults, storageFaults, storageErrorCode, mode };
}

/** The kinds of the faults a plan schedules, counted. */
export function scheduledFaults(plan: RunPlan): Record<FaultKind, number> {
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  for (const f of plan.jobFaults) counts[f.how]++;
  for (const f of plan.storageFaults) counts[f.how]++;
  return counts;
}

/** A one-line description of the job of a plan. */
export function describeJob(plan: RunPlan): string {
  const s = plan.shape;
  const detail =
    s.pipeline === 'keyed-state'
      ? 'value/list/map/reducing/aggregating + timer'
      : s.pipeline === 'timers'
        ? `buckets of ${s.size}`
        : s.pipeline === 'session'
          ? `gap ${s.gap}, ${s.windowFunction}`
          : s.pipeline === 'sliding'
            ? `${s.size}/${s.slide}, ${s.windowFunction}`
            : `${s.size}, ${s.windowFunction}`;
  return `${s.pipeline} (${detail}) p=${plan.parallelism} maxp=${plan.maxParallelism} ${plan.backend} ${s.records} records ${s.keys} keys, checkpoint every ${plan.checkpointIntervalMs} ms, ${plan.mode}`;
}
