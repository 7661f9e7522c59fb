/**
 * Benchmark job for recovery time: the keyed count of keyed-count.ts with a FailingMap
 * before the keyBy. With `failAt` > 0, subtask 0 of the map fails once (attempt 0) at
 * that record; with `failAt` 0 the map is the same but never fails (the failure-free
 * reference). Each worker thread posts timestamps (ms since the epoch, sub-ms) of what
 * it does on the BroadcastChannel `eddy-bench-markers`, which bench/checkpoint/
 * recovery-time.ts listens to: the failure, the keyed operator's open (state decoding
 * from the restored blocks) and its first record, per attempt and subtask.
 */
import { performance } from 'node:perf_hooks';
import { BroadcastChannel } from 'node:worker_threads';
import { defineJob, KeyedProcessFunction, ValueStateDescriptor } from 'eddy';
import type { Collector, KeyedContext, RuntimeContext, ValueState } from 'eddy';
import { FailingMap } from 'eddy/testing';
import { CountingSink } from './counting-sink.js';

export const MARKER_CHANNEL = 'eddy-bench-markers';

/** One timestamped event of a task. */
export interface Marker {
  readonly event: 'fail' | 'open-start' | 'open-end' | 'first-record';
  readonly attempt: number;
  readonly subtask: number;
  /** Wall clock, ms since the epoch (performance.timeOrigin + performance.now()). */
  readonly at: number;
}

function mark(event: Marker['event'], attempt: number, subtask: number): void {
  const channel = new BroadcastChannel(MARKER_CHANNEL);
  channel.postMessage({ event, attempt, subtask, at: performance.timeOrigin + performance.now() } satisfies Marker);
  channel.close();
}

/** A FailingMap that posts a marker just before it fails. */
class MarkedFailingMap extends FailingMap<number> {
  private markAttempt = 0;
  private markSubtask = 0;
  override open(ctx: RuntimeContext): void {
    super.open(ctx);
    this.markAttempt = ctx.getAttemptNumber();
    this.markSubtask = ctx.getIndexOfThisSubtask();
  }
  override map(value: number): number {
    try {
      return super.map(value);
    } catch (error) {
      mark('fail', this.markAttempt, this.markSubtask);
      throw error;
    }
  }
}

class Count extends KeyedProcessFunction<number, number, number> {
  private count!: ValueState<number>;
  private attempt = 0;
  private subtask = 0;
  private first = true;
  override open(ctx: RuntimeContext): void {
    this.attempt = ctx.getAttemptNumber();
    this.subtask = ctx.getIndexOfThisSubtask();
    mark('open-start', this.attempt, this.subtask);
    // requesting the state decodes the restored key-group blocks into the heap tables
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
    mark('open-end', this.attempt, this.subtask);
  }
  processElement(_value: number, _ctx: KeyedContext<number>, out: Collector<number>): void {
    if (this.first) {
      this.first = false;
      mark('first-record', this.attempt, this.subtask);
    }
    const next = (this.count.value() ?? 0) + 1;
    this.count.update(next);
    out.collect(next);
  }
}

export default defineJob((env) => {
  const n = Number(env.getParameter('records', '4000000'));
  const keys = Number(env.getParameter('keys', '1000000'));
  const failAt = Number(env.getParameter('failAt', '0'));
  env
    .fromSequence(1, n)
    .uid('numbers')
    .map(new MarkedFailingMap({ failAtRecord: failAt > 0 ? failAt : 1, attempts: failAt > 0 ? [0] : [] }))
    .uid('chaos')
    .keyBy((x) => x % keys)
    .process(new Count())
    .uid('count')
    .sinkTo(new CountingSink());
});
