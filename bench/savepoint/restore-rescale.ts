/**
 * `restore-rescale`: how long a job takes to come back from a savepoint of `keys` keys
 * taken at parallelism `fromParallelism`, when started at each of `parallelisms` (the
 * same parallelism is the baseline; the others rescale: keyed state moves by key group,
 * the source's splits are dealt again).
 *
 * Measured: from the call to `startJob(job, { fromSavepoint, parallelism })` in the main
 * thread until **every keyed subtask has processed its first record after the restore**.
 * The restored source has nothing left to read; each of its subtasks emits one probe
 * record whose key belongs to the keyed subtask of the same index, so that moment comes
 * after every keyed subtask has opened with its state decoded, and the count the probe
 * produced (perKey + 1) shows the state was restored. The times come from markers the
 * keyed subtasks post on a BroadcastChannel (bench/jobs/savepoint-keyed.ts, wall clock),
 * broken into phases (each ends when the last keyed subtask got there):
 *
 *   startJob returned (main thread: module, plan, savepoint `_metadata` read, restore assigned)
 *   → keyed open starts (worker threads started, tsx and job module loaded, state files read)
 *   → keyed open ends (restored key groups decoded into the heap tables, in `getState`)
 *   → first record processed (the probe)
 *
 * `client.status()` is not used as the end: it says 'running' as soon as the attempt is
 * being deployed, before any task runs.
 *
 * For reference, the same job started at each parallelism without state (no savepoint,
 * probes only) is measured the same way. Runs are interleaved (restore at each
 * parallelism, then the empty starts, round after round) so that drift on a shared
 * machine spreads over all of them, and ratios are taken between figures of this run.
 * Each run is timed with `cpuMeter`; rounds go on until every series (restore or empty
 * start, at one parallelism) has `rounds` runs undisturbed by other processes, or
 * `maxRounds` were run. A series' figure is over its undisturbed runs (over all its
 * runs, marked DISTURBED, if fewer than 2 were); a ratio is over the rounds in which
 * both of its runs were undisturbed.
 */
import { performance } from 'node:perf_hooks';
import { BroadcastChannel } from 'node:worker_threads';
import { startJob } from 'eddy';
import type { JobClient } from 'eddy';
import { CLEAN_OTHER_CPU_PERCENT, cpuMeter, median, round, type Result } from '../checkpoint/common.js';
import { SAVEPOINT_MARKER_CHANNEL, type SavepointMarker } from '../jobs/savepoint-keyed.js';
import { keysLabel, SAVEPOINT_JOB } from './savepoint-duration.js';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One restore and one empty start at each parallelism, one after the other. */
interface Round {
  readonly index: number;
  readonly restores: Map<number, Start>;
  readonly empties: Map<number, Start>;
}

/** One start of the job, in ms after the `startJob` call. */
interface Start {
  readonly parallelism: number;
  readonly restored: boolean;
  readonly startJobMs: number;
  readonly openStartMs: number;
  readonly openEndMs: number;
  /** Longest `getState` (decoding the restored key groups) of one keyed subtask. */
  readonly decodeMs: number;
  readonly firstRecordMs: number;
  readonly otherCpuPercent: number | undefined;
}

export async function restoreWithRescale(options: {
  savepoint: string;
  keys: number;
  perKey: number;
  fromParallelism: number;
  parallelisms: readonly number[];
  /** Undisturbed rounds wanted. */
  rounds: number;
  /** At most this many rounds in all. */
  maxRounds: number;
}): Promise<Result[]> {
  const { savepoint, keys, perKey, fromParallelism, parallelisms, rounds, maxRounds } = options;
  const channel = new BroadcastChannel(SAVEPOINT_MARKER_CHANNEL);
  const markers: SavepointMarker[] = [];
  channel.onmessage = (event) => markers.push((event as unknown as { data: SavepointMarker }).data);
  let runs = 0;

  const start = async (parallelism: number, restored: boolean): Promise<Start> => {
    const run = `run-${++runs}`;
    const mine = (event: SavepointMarker['event']) => markers.filter((m) => m.run === run && m.event === event);
    const meter = cpuMeter();
    const t0 = now();
    const client = await startJob(SAVEPOINT_JOB, {
      parallelism,
      parameters: { keys: String(keys), perKey: String(perKey), fill: String(restored), probe: 'true', run },
      ...(restored ? { fromSavepoint: savepoint } : {}),
      progressIntervalMs: 100, // metrics every 100 ms, for the check that only the probes were read
    });
    const returned = now();
    try {
      const deadline = performance.now() + 60_000;
      while (mine('first-record').length < parallelism) {
        if (client.status() !== 'running') await client.result; // throws the job's failure
        if (performance.now() > deadline) throw new Error(`restore-rescale: ${mine('first-record').length} of ${parallelism} keyed subtasks processed a record in 60 s`);
        await sleep(1);
      }
      const otherCpuPercent = meter.stop()?.otherCpuPercent;
      const expected = restored ? perKey + 1 : 1;
      const wrong = mine('first-record').filter((m) => m.count !== expected || m.parallelism !== parallelism);
      if (wrong.length > 0) throw new Error(`restore-rescale: probe counts ${JSON.stringify(wrong)}, expected count ${expected} at parallelism ${parallelism}`);
      await onlyProbesRead(client, parallelism);
      const at = (event: SavepointMarker['event']) => Math.max(...mine(event).map((m) => m.at)) - t0;
      const decode = Math.max(...mine('open-end').map((end) => end.at - mine('open-start').find((s) => s.subtask === end.subtask)!.at));
      return {
        parallelism,
        restored,
        startJobMs: round(returned - t0),
        openStartMs: round(at('open-start')),
        openEndMs: round(at('open-end')),
        decodeMs: round(decode),
        firstRecordMs: round(at('first-record')),
        otherCpuPercent,
      };
    } finally {
      await client.cancel().catch(() => {});
      await sleep(200); // let the canceled attempt's threads go
    }
  };

  try {
    // warm-up, not reported: the main thread's first restore and first empty start
    const warmUp = [await start(fromParallelism, true), await start(fromParallelism, false)];
    const all: Round[] = [];
    const series = parallelisms.flatMap((p) => [runsOf(all, p, true), runsOf(all, p, false)]);
    while (all.length < maxRounds && series.some((runs) => runs().filter(undisturbed).length < rounds)) {
      const next: Round = { index: all.length, restores: new Map(), empties: new Map() };
      for (const p of parallelisms) next.restores.set(p, await start(p, true));
      for (const p of parallelisms) next.empties.set(p, await start(p, false));
      all.push(next);
    }
    return report({ keys, perKey, fromParallelism, parallelisms, all, warmUp });
  } finally {
    channel.close();
  }
}

const undisturbed = (s: Start | undefined) => s !== undefined && (s.otherCpuPercent ?? 0) <= CLEAN_OTHER_CPU_PERCENT;

/** The runs of one series, by round: restores (or empty starts) at parallelism `p`. */
function runsOf(rounds: readonly Round[], p: number, restored: boolean): () => Start[] {
  return () => rounds.map((r) => (restored ? r.restores : r.empties).get(p)!);
}

/** A series' runs the figure is taken over: the undisturbed ones if there are 2 or more, else all. */
function usable(runs: readonly Start[]): { used: Start[]; note: string; indexes: number[] } {
  const clean = runs.flatMap((s, i) => (undisturbed(s) ? [i] : []));
  const indexes = clean.length >= 2 ? clean : runs.map((_, i) => i);
  const disturbed = clean.length < 2 && clean.length < runs.length;
  return { used: indexes.map((i) => runs[i]!), indexes, note: `${indexes.length}${disturbed ? ' runs, DISTURBED' : ' undisturbed runs'}` };
}

/** Checks, from the job's metrics, that its sources read exactly one probe each and nothing of the savepoint's input again. */
async function onlyProbesRead(client: JobClient, parallelism: number): Promise<void> {
  const deadline = performance.now() + 5_000;
  const read = () => client.details().vertices.filter((v) => v.isSource).reduce((n, v) => n + v.recordsIn, 0);
  while (read() < parallelism && performance.now() < deadline) await sleep(20);
  await sleep(250);
  if (read() !== parallelism) throw new Error(`restore-rescale: the sources read ${read()} records, expected only the ${parallelism} probes`);
}

function report(o: {
  keys: number;
  perKey: number;
  fromParallelism: number;
  parallelisms: readonly number[];
  all: readonly Round[];
  warmUp: Start[];
}): Result[] {
  const { keys, perKey, fromParallelism, parallelisms, all, warmUp } = o;
  const label = keysLabel(keys);
  const med = (starts: readonly Start[], k: keyof Start) => round(median(starts.map((s) => s[k] as number)));
  const phases = (starts: readonly Start[]) => ({
    startJobMs: med(starts, 'startJobMs'),
    openStartMs: med(starts, 'openStartMs'),
    decodeMs: med(starts, 'decodeMs'),
    openEndMs: med(starts, 'openEndMs'),
    firstRecordMs: med(starts, 'firstRecordMs'),
  });
  const restores = (p: number) => runsOf(all, p, true)();
  const results: Result[] = [];
  for (const p of parallelisms) {
    const { used, note, indexes } = usable(restores(p));
    const samples = used.map((s) => s.firstRecordMs);
    results.push({
      bench: `restore-p${fromParallelism}-to-p${p}-${label}-keys`,
      value: med(used, 'firstRecordMs'),
      unit: `ms startJob(fromSavepoint) → every keyed subtask processed its first record (median of ${note})`,
      detail: {
        keys,
        perKey,
        savepointParallelism: fromParallelism,
        parallelism: p,
        samplesMs: samples,
        minMs: Math.min(...samples),
        maxMs: Math.max(...samples),
        medianPhasesMs: phases(used),
        roundsRun: all.length,
        roundsUsed: indexes,
        // every run, round by round
        allRuns: restores(p),
        ...(p === fromParallelism ? { warmUpRuns: warmUp } : {}),
      },
    });
  }
  if (parallelisms.includes(fromParallelism)) {
    const baseline = restores(fromParallelism);
    for (const p of parallelisms.filter((q) => q !== fromParallelism)) {
      const runs = restores(p);
      // the rounds in which both runs were undisturbed (the runs of a round follow each other); all rounds if fewer than 2
      const both = all.flatMap((_, i) => (undisturbed(runs[i]) && undisturbed(baseline[i]) ? [i] : []));
      const rounds = both.length >= 2 ? both : all.map((_, i) => i);
      const ratio = median(rounds.map((i) => runs[i]!.firstRecordMs)) / median(rounds.map((i) => baseline[i]!.firstRecordMs));
      results.push({
        bench: `restore-ratio-p${fromParallelism}-to-p${p}-vs-same-${label}-keys`,
        value: round(ratio, 3),
        unit: `× the restore at parallelism ${fromParallelism} (ratio of medians over ${rounds.length} rounds${both.length >= 2 ? ' with both runs undisturbed' : ', DISTURBED'})`,
        detail: { roundsUsed: rounds, perRound: rounds.map((i) => round(runs[i]!.firstRecordMs / baseline[i]!.firstRecordMs, 3)) },
      });
    }
  }
  for (const p of parallelisms) {
    const empties = runsOf(all, p, false)();
    const { used, note, indexes } = usable(empties);
    const restoredMedian = median(usable(restores(p)).used.map((s) => s.firstRecordMs));
    const emptyMedian = median(used.map((s) => s.firstRecordMs));
    results.push({
      bench: `start-without-state-p${p}`,
      value: round(emptyMedian),
      unit: `ms startJob (no savepoint) → every keyed subtask processed its first record (median of ${note})`,
      detail: {
        parallelism: p,
        samplesMs: used.map((s) => s.firstRecordMs),
        medianPhasesMs: phases(used),
        restoreMinusEmptyStartMs: round(restoredMedian - emptyMedian),
        roundsRun: all.length,
        roundsUsed: indexes,
        allRuns: empties,
      },
    });
  }
  return results;
}
