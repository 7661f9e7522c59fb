/**
 * Pattern detection in event time: alert when a user has three or more failed logins
 * followed by a successful one within one minute (a likely guessed password).
 *
 * Login events arrive up to five seconds out of order. To see each user's events in the
 * order they happened, the function buffers them in MapState by timestamp and sets an
 * event-time timer at each event's time: once the watermark passes it (bounded
 * out-of-orderness of 5 s), no earlier event can still come, and the buffered events of
 * that time are matched in order. Failures older than a minute are dropped; an
 * event-time timer a minute after the last failure clears a user's state.
 *
 *   eddy run examples/failed-logins.ts --parallelism 4
 *   eddy run examples/failed-logins.ts --set output=out/failed-logins
 *   eddy run examples/failed-logins.ts --set sink=collect   (results in JobResult.output('failed-logins'))
 */
import { defineJob, KeyedProcessFunction, ListStateDescriptor, MapStateDescriptor, WatermarkStrategy } from 'eddy';
import type { Collector, KeyedContext, ListState, MapState, OnTimerContext, RuntimeContext } from 'eddy';
import { exampleOutput } from './lib/example-output.js';
import { mix } from './lib/mix.js';

export interface Login {
  readonly user: string;
  readonly ok: boolean;
  /** When it happened (ms). */
  readonly time: number;
}

export interface Alert {
  readonly user: string;
  /** Times of the failed logins within the minute before the success, oldest first. */
  readonly failures: readonly number[];
  readonly success: number;
}

export const EVENTS = 40_000;
export const USERS = 300;
/** Failures at least this recent count towards an alert. */
export const WINDOW_MS = 60_000;
export const FAILURES_FOR_ALERT = 3;
export const OUT_OF_ORDERNESS_MS = 5_000;

/** Event `n`: one every 100 ms, shifted by up to 5 s, by a scrambled user; one in four logins succeeds. */
export function login(n: number): Login {
  return {
    user: `user-${mix(n, 1) % USERS}`,
    ok: mix(n, 2) % 4 === 0,
    time: n * 100 + (mix(n, 3) % OUT_OF_ORDERNESS_MS),
  };
}

/**
 * The matching rule on one user's events in time order (the same function the job runs
 * when the watermark releases them): returns the alert a login raises, if any, and
 * updates `failures` (the recent failure times).
 */
export function match(failures: number[], event: Login): Alert | undefined {
  const recent = failures.filter((t) => t > event.time - WINDOW_MS);
  failures.length = 0;
  if (!event.ok) {
    failures.push(...recent, event.time);
    return undefined;
  }
  return recent.length >= FAILURES_FOR_ALERT ? { user: event.user, failures: recent, success: event.time } : undefined;
}

class FailedLoginDetector extends KeyedProcessFunction<string, Login, Alert> {
  /** Events not yet matched, by time, in arrival order. */
  private pending!: MapState<number, Login[]>;
  private failures!: ListState<number>;

  override open(ctx: RuntimeContext): void {
    this.pending = ctx.getMapState(new MapStateDescriptor<number, Login[]>('pending'));
    this.failures = ctx.getListState(new ListStateDescriptor<number>('recent-failures'));
  }

  processElement(event: Login, ctx: KeyedContext<string>): void {
    this.pending.put(event.time, [...(this.pending.get(event.time) ?? []), event]);
    ctx.timerService().registerEventTimeTimer(event.time);
  }

  override onTimer(time: number, ctx: OnTimerContext<string>, out: Collector<Alert>): void {
    const events = this.pending.get(time);
    if (events === undefined) {
      // the clean-up timer: nothing recent is left
      if (this.pending.isEmpty() && [...this.failures.get()].every((t) => t <= time - WINDOW_MS)) this.failures.clear();
      return;
    }
    this.pending.remove(time);
    const failures = [...this.failures.get()];
    for (const event of events) {
      const alert = match(failures, event);
      if (alert) out.collect(alert);
    }
    this.failures.update(failures);
    if (failures.length > 0) ctx.timerService().registerEventTimeTimer(failures.at(-1)! + WINDOW_MS);
  }
}

export default defineJob((env) => {
  env
    .fromCollection(Array.from({ length: EVENTS }, (_, n) => login(n)))
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<Login>(OUT_OF_ORDERNESS_MS).withTimestampAssigner((e) => e.time),
    )
    .keyBy((e) => e.user)
    .process(new FailedLoginDetector())
    .uid('failed-logins')
    .sinkTo(exampleOutput(env, 'failed-logins'))
    .name('alerts');
});
