/**
 * Test job of the window suite: per-user event-time session windows (gap 1000) over
 * clicks that arrive out of order (up to 2000 ms, under a watermark 2500 ms behind the
 * newest click), with an allowed lateness of 8000 and the late clicks sent to a side
 * output.
 *
 * Every user has `sessions` sessions of 10 clicks 400 ms apart, 10 000 ms apart from each
 * other. Two more clicks per user arrive late, on purpose:
 * - `late-in`, 600 ms after the end of the user's first session, arrives once the
 *   watermark has passed that session (which has fired) but not its lateness: it merges
 *   into the session and fires it again, 11 clicks, 600 ms longer;
 * - `late-out`, inside the first session, arrives once the watermark is past the
 *   session's lateness: it belongs to no window and goes to the side output `late`.
 *
 * The order of arrival comes from a seeded PRNG, so every run sees the same stream.
 * Parameters: users (20), sessions (5), seed (7).
 */
import { defineJob, EventTimeSessionWindows, OutputTag, Sinks, WatermarkStrategy } from 'eddy';
import type { Collector, ProcessWindowContext, TimeWindow } from 'eddy';

export interface Click {
  readonly user: string;
  readonly at: number;
  readonly id: string;
}

/** A session as the job emits it. */
export interface Session {
  readonly user: string;
  readonly start: number;
  readonly end: number;
  readonly clicks: number;
  /** The click ids, sorted. */
  readonly ids: readonly string[];
}

export const GAP = 1000;
export const DELAY = 2500;
export const LATENESS = 8000;
const SPACING = 10_000;
const CLICKS = 10;
const STEP = 400;

/** The first millisecond of session `s` of user `u`. */
export function sessionStart(u: number, s: number): number {
  return s * SPACING + u * 7;
}

/** The clicks in order of arrival. */
export function clicks(users: number, sessions: number, seed: number): Click[] {
  let state = seed >>> 0 || 1;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const onTime: Array<{ click: Click; arrival: number }> = [];
  for (let u = 0; u < users; u++) {
    for (let s = 0; s < sessions; s++) {
      for (let c = 0; c < CLICKS; c++) {
        const at = sessionStart(u, s) + c * STEP;
        onTime.push({ click: { user: `u${u}`, at, id: `u${u}-s${s}-c${c}` }, arrival: at + Math.floor(random() * 2000) });
      }
    }
  }
  const ordered = onTime.sort((a, b) => a.arrival - b.arrival).map((e) => e.click);
  // late-in after the first click of the second sessions: the watermark is then in [7500, 9633], past every first
  // session's end (≤ 4732) and before its cleanup (≥ 12599); late-out after the first click of the third sessions:
  // the watermark is then ≥ 17500, past the cleanup of every first session, even extended (≤ 13332)
  const firstOf = (s: number): number => ordered.findIndex((c) => c.at >= s * SPACING);
  const lateIn = Array.from({ length: users }, (_, u): Click => ({ user: `u${u}`, at: sessionStart(u, 0) + (CLICKS - 1) * STEP + 600, id: `u${u}-late-in` }));
  const lateOut = Array.from({ length: users }, (_, u): Click => ({ user: `u${u}`, at: sessionStart(u, 0) + 100, id: `u${u}-late-out` }));
  const at2 = firstOf(2);
  const withLateOut = [...ordered.slice(0, at2 + 1), ...lateOut, ...ordered.slice(at2 + 1)];
  const at1 = firstOf(1);
  return [...withLateOut.slice(0, at1 + 1), ...lateIn, ...withLateOut.slice(at1 + 1)];
}

/** The side output of the clicks too late for any session. */
export const LATE = new OutputTag<Click>('late');

function summarize(user: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<Click>, out: Collector<Session>): void {
  const ids = [...elements].map((c) => c.id).sort();
  const { start, end } = ctx.window();
  out.collect({ user, start, end, clicks: ids.length, ids });
}

export default defineJob((env) => {
  const users = Number(env.getParameter('users', '20'));
  const sessions = Number(env.getParameter('sessions', '5'));
  const seed = Number(env.getParameter('seed', '7'));

  // punctuated: after each click, the newest timestamp minus the delay
  const strategy = WatermarkStrategy.forGenerator<Click>(() => ({
    onEvent: (_click, timestamp, output) => output.emitWatermark(timestamp - DELAY),
    onPeriodicEmit: () => {},
  })).withTimestampAssigner((click) => click.at);

  const result = env
    .fromCollection(clicks(users, sessions, seed))
    .assignTimestampsAndWatermarks(strategy)
    .setParallelism(1) // chained to the source: one generator sees the clicks in their order
    .keyBy((click) => click.user)
    .window(EventTimeSessionWindows.withGap(GAP))
    .allowedLateness(LATENESS)
    .sideOutputLateData(LATE)
    .process(summarize)
    .uid('sessions');
  result.sinkTo(Sinks.collect<Session>('sessions')).uid('sink');
  result.getSideOutput(LATE).sinkTo(Sinks.collect<Click>('late')).uid('late-sink');
});
