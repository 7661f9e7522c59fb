/**
 * `recovery-time`: the keyed count over 1,000,000 keys at parallelism 2 with a checkpoint
 * every 500 ms, once failure-free and once with subtask 0 of a FailingMap failing once
 * (attempt 0) after checkpoints have completed; restart strategy fixed-delay, 0 ms
 * delay. Runs alternate (reference, failure, reference, failure, …). Measured:
 *
 * (a) total runtime with the failure minus the failure-free runtime: the cost of the
 *     failure as a whole, i.e. downtime plus re-processing the records read after the
 *     last completed checkpoint;
 * (b) the restart's phases, from timestamps that the job's tasks post on a
 *     BroadcastChannel (bench/jobs/keyed-count-chaos.ts) and from polling the job's
 *     status every millisecond in the main thread:
 *       failure thrown → old attempt torn down (status `restarting`)
 *       → latest checkpoint found and verified (status `running` again)
 *       → new attempt's keyed task opens (threads started, job module loaded, state files read)
 *       → restored state decoded (the keyed operator's `getState`)
 *       → first record processed by the keyed operator after the restore
 *     and the work lost: failure time minus the trigger time of the last checkpoint that
 *     completed before it (the records read since then are read again).
 */
import { performance } from 'node:perf_hooks';
import { BroadcastChannel } from 'node:worker_threads';
import { startJob } from 'eddy';
import type { CheckpointStats, JobResult } from 'eddy';
import { MARKER_CHANNEL, type Marker } from '../jobs/keyed-count-chaos.js';
import { CLEAN_OTHER_CPU_PERCENT, cpuMeter, mean, median, round, tempCheckpointDir, type Result } from './common.js';

const JOB = 'bench/jobs/keyed-count-chaos.ts';
const now = () => performance.timeOrigin + performance.now();

interface Observed {
  readonly seconds: number;
  readonly result: JobResult;
  readonly markers: Marker[];
  /** Status changes seen by polling: [status, time]. */
  readonly statuses: Array<[string, number]>;
  /** Checkpoint events with the time the main thread saw them. */
  readonly checkpoints: Array<{ stats: CheckpointStats; seenAt: number }>;
  /** CPU used by other processes during the run, percent of the machine (undefined off Linux). */
  readonly otherCpuPercent: number | undefined;
}

export async function recoveryTime(options: {
  keys: number;
  records: number;
  failAt: number;
  intervalMs: number;
  minPairs: number;
  maxPairs: number;
  parallelism: number;
}): Promise<Result[]> {
  const { keys, records, failAt, intervalMs, minPairs, maxPairs, parallelism } = options;
  const dir = tempCheckpointDir('recovery');
  const channel = new BroadcastChannel(MARKER_CHANNEL);
  let markers: Marker[] = [];
  channel.onmessage = (event) => markers.push((event as unknown as { data: Marker }).data);

  const run = async (fail: boolean, runRecords = records): Promise<Observed> => {
    markers = [];
    const statuses: Array<[string, number]> = [];
    const checkpoints: Observed['checkpoints'] = [];
    const meter = cpuMeter();
    const started = performance.now();
    const client = await startJob(JOB, {
      parallelism,
      parameters: { records: String(runRecords), keys: String(keys), failAt: String(fail ? failAt : 0) },
      checkpoint: { interval: intervalMs, directory: dir.path },
      restartStrategy: { type: 'fixed-delay', attempts: 1, delayMs: 0 },
      onCheckpoint: (stats) => checkpoints.push({ stats, seenAt: now() }),
    });
    let last = '';
    const poll = setInterval(() => {
      const s = client.status();
      if (s !== last) statuses.push([(last = s), now()]);
    }, 1);
    try {
      const result = await client.result;
      const seconds = (performance.now() - started) / 1000;
      const otherCpuPercent = meter.stop()?.otherCpuPercent;
      await new Promise((resolve) => setTimeout(resolve, 20)); // late markers
      if (result.restarts !== (fail ? 1 : 0)) throw new Error(`recovery-time: ${result.restarts} restarts, expected ${fail ? 1 : 0}`);
      return { seconds, result, markers, statuses, checkpoints, otherCpuPercent };
    } finally {
      clearInterval(poll);
    }
  };

  try {
    await run(false, 2_000_000); // warm-up
    const reference: Observed[] = [];
    const failed: Observed[] = [];
    // a pair is undisturbed when other processes used little CPU during both of its runs
    const clean = (i: number) =>
      [reference[i]!, failed[i]!].every((o) => (o.otherCpuPercent ?? 0) <= CLEAN_OTHER_CPU_PERCENT);
    for (let pair = 1; pair <= maxPairs; pair++) {
      reference.push(await run(false));
      failed.push(await run(true));
      if (pair >= minPairs && reference.filter((_, i) => clean(i)).length >= 2) break;
    }
    const pairs = reference.length;
    const indexes = reference.map((_, i) => i);
    const used = indexes.some(clean) ? indexes.filter(clean) : indexes;
    const phases = failed.map((o) => phasesOf(o));
    const extraMs = used.map((i) => (failed[i]!.seconds - reference[i]!.seconds) * 1000);
    const pick = (k: keyof Phases) => phases.map((p) => p[k]);
    const med = (k: keyof Phases) => round(median(pick(k)));
    const common = { keys, records, failAtRecordOfSubtask0: failAt, intervalMs, parallelism, restartStrategy: 'fixed-delay, 0 ms delay' };
    return [
      {
        bench: 'recovery-time-extra-runtime',
        value: Math.round(median(extraMs)),
        unit: `ms (runtime with one failure − failure-free, median over ${used.length} ${indexes.some(clean) ? 'undisturbed ' : 'DISTURBED '}pair${used.length === 1 ? '' : 's'})`,
        detail: {
          ...common,
          referenceSeconds: reference.map((o) => round(o.seconds, 3)),
          withFailureSeconds: failed.map((o) => round(o.seconds, 3)),
          perPairExtraMs: failed.map((o, i) => Math.round((o.seconds - reference[i]!.seconds) * 1000)),
          pairsUsed: used,
          otherProcessesCpuPercent: { reference: reference.map((o) => o.otherCpuPercent), withFailure: failed.map((o) => o.otherCpuPercent) },
        },
      },
      {
        bench: 'recovery-time-to-first-record',
        value: med('failureToFirstRecordMs'),
        unit: `ms failure → first record processed after restore (median of ${pairs})`,
        detail: {
          ...common,
          phasesMs: {
            failureToAttemptTornDown: pick('failureToTornDownMs'),
            findAndVerifyCheckpoint: pick('verifyMs'),
            deployToKeyedOpen: pick('deployToOpenMs'),
            decodeRestoredState: pick('decodeMs'),
            openToFirstRecord: pick('openToFirstRecordMs'),
            failureToFirstRecord: pick('failureToFirstRecordMs'),
            failureToNextCheckpointCompleted: pick('failureToNextCheckpointMs'),
          },
          workLostMs: pick('workLostMs'),
          checkpointsCompletedBeforeFailure: pick('checkpointsBeforeFailure'),
          restoredStateBytes: pick('restoredStateBytes'),
          meanFailureToFirstRecordMs: round(mean(pick('failureToFirstRecordMs'))),
          medianWorkLostMs: med('workLostMs'),
        },
      },
    ];
  } finally {
    channel.close();
    dir.dispose();
  }
}

interface Phases {
  failureToTornDownMs: number;
  verifyMs: number;
  deployToOpenMs: number;
  decodeMs: number;
  openToFirstRecordMs: number;
  failureToFirstRecordMs: number;
  failureToNextCheckpointMs: number;
  workLostMs: number;
  checkpointsBeforeFailure: number;
  restoredStateBytes: number;
}

function phasesOf(o: Observed): Phases {
  const failure = o.markers.find((m) => m.event === 'fail' && m.attempt === 0);
  if (!failure) throw new Error('recovery-time: no failure marker received');
  const restarting = o.statuses.find(([s]) => s === 'restarting')?.[1];
  const runningAgain = o.statuses.find(([s, t]) => s === 'running' && t > (restarting ?? Infinity))?.[1];
  if (restarting === undefined || runningAgain === undefined) throw new Error(`recovery-time: status changes not seen: ${JSON.stringify(o.statuses)}`);
  const second = (event: Marker['event']) => o.markers.filter((m) => m.event === event && m.attempt === 1).map((m) => m.at);
  // the keyed count's subtasks: the phase ends when the last of them got there
  const openStart = Math.max(...second('open-start'));
  const openEnd = Math.max(...second('open-end'));
  const decode = Math.max(
    ...o.markers
      .filter((m) => m.event === 'open-end' && m.attempt === 1)
      .map((end) => end.at - o.markers.find((m) => m.event === 'open-start' && m.attempt === 1 && m.subtask === end.subtask)!.at),
  );
  const firstRecord = Math.max(...second('first-record'));
  const completedBefore = o.checkpoints.filter((c) => c.stats.status === 'completed' && c.seenAt < failure.at);
  const lastBefore = completedBefore.at(-1);
  if (!lastBefore) throw new Error('recovery-time: the failure came before any checkpoint completed; raise failAt');
  const next = o.checkpoints.find((c) => c.stats.status === 'completed' && c.seenAt > runningAgain);
  return {
    failureToTornDownMs: round(restarting - failure.at),
    verifyMs: round(runningAgain - restarting),
    deployToOpenMs: round(openStart - runningAgain),
    decodeMs: round(decode),
    openToFirstRecordMs: round(firstRecord - openEnd),
    failureToFirstRecordMs: round(firstRecord - failure.at),
    failureToNextCheckpointMs: next ? round(next.seenAt - failure.at) : NaN,
    workLostMs: round(failure.at - lastBefore.stats.triggerTimestamp),
    checkpointsBeforeFailure: completedBefore.length,
    restoredStateBytes: lastBefore.stats.stateBytes,
  };
}
