/**
 * A task's watermark is the running maximum of the minimum over its active, open input
 * channels; idle channels do not hold it back, ended ones neither, and the task is idle
 * exactly when every open channel is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StatusWatermarkValve } from '../../../src/runtime/time/status-watermark-valve.js';
import type { WatermarkStatus } from '../../../src/runtime/time/watermark.js';

type Step =
  | { readonly kind: 'watermark'; readonly channel: number; readonly watermark: number }
  | { readonly kind: 'status'; readonly channel: number; readonly status: WatermarkStatus }
  | { readonly kind: 'end'; readonly channel: number };

function valveWithLog(channels: number) {
  const log: (number | WatermarkStatus)[] = [];
  const valve = new StatusWatermarkValve(channels, {
    emitWatermark: (w) => log.push(w),
    emitWatermarkStatus: (s) => log.push(s),
  });
  return { valve, log };
}

function apply(valve: StatusWatermarkValve, step: Step): void {
  if (step.kind === 'watermark') valve.inputWatermark(step.channel, step.watermark);
  else if (step.kind === 'status') valve.inputWatermarkStatus(step.channel, step.status);
  else valve.channelEnded(step.channel);
}

const steps = (channels: number) =>
  fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('watermark' as const), channel: fc.nat(channels - 1), watermark: fc.integer({ min: -20, max: 200 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('status' as const), channel: fc.nat(channels - 1), status: fc.constantFrom<WatermarkStatus>('idle', 'active') }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('end' as const), channel: fc.nat(channels - 1) }) },
    ),
    { maxLength: 80 },
  );

describe('StatusWatermarkValve', () => {
  it('emits the running max of the min over active, open channels, and is idle exactly when every open channel is', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(fc.constant(n), steps(n))),
        ([channels, input]) => {
          const { valve, log } = valveWithLog(channels);
          // the model: per channel the highest watermark received while active and open
          const wm = new Array<number>(channels).fill(-Infinity);
          const idle = new Array<boolean>(channels).fill(false);
          const ended = new Array<boolean>(channels).fill(false);
          let runningMax = -Infinity;
          let status: WatermarkStatus = 'active';
          const expected: number[] = [];
          for (const step of input) {
            apply(valve, step);
            const c = step.channel;
            if (!ended[c]) {
              if (step.kind === 'watermark' && !idle[c]) wm[c] = Math.max(wm[c]!, step.watermark);
              if (step.kind === 'status') idle[c] = step.status === 'idle';
              if (step.kind === 'end') ended[c] = true;
            }
            const active = wm.filter((_, i) => !idle[i] && !ended[i]);
            if (active.length > 0 && Math.min(...active) > runningMax) {
              runningMax = Math.min(...active);
              expected.push(runningMax);
            }
            // with no open channel left the task is ending: its status stays as it was
            const open = idle.filter((_, i) => !ended[i]);
            if (open.length > 0) status = open.every(Boolean) ? 'idle' : 'active';
            expect(valve.currentStatus).toBe(status);
            expect(valve.currentWatermark).toBe(runningMax);
          }
          expect(log.filter((e): e is number => typeof e === 'number')).toEqual(expected);
          // statuses are only reported when they change
          const statuses = log.filter((e) => typeof e === 'string');
          statuses.forEach((s, i) => expect(s).toBe(i % 2 === 0 ? 'idle' : 'active'));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('does not let an idle channel hold the watermark back, and holds it again once the channel is active', () => {
    const { valve, log } = valveWithLog(2);
    valve.inputWatermark(0, 10);
    valve.inputWatermark(1, 5);
    valve.inputWatermarkStatus(1, 'idle');
    valve.inputWatermark(0, 20);
    valve.inputWatermarkStatus(1, 'active'); // back with its old watermark 5: nothing moves until it catches up
    valve.inputWatermark(0, 30);
    valve.inputWatermark(1, 25);
    expect(log).toEqual([5, 10, 20, 25]);
  });

  it('becomes idle when every channel is, says so once, and becomes active with the first active channel', () => {
    const { valve, log } = valveWithLog(2);
    valve.inputWatermarkStatus(0, 'idle');
    valve.inputWatermarkStatus(1, 'idle');
    valve.inputWatermarkStatus(1, 'idle');
    valve.inputWatermark(0, 100); // ignored: the channel is idle
    valve.inputWatermarkStatus(0, 'active');
    valve.inputWatermark(0, 100);
    expect(log).toEqual(['idle', 'active', 100]);
  });

  it('lets an ended channel no longer hold the watermark back', () => {
    const { valve, log } = valveWithLog(3);
    valve.inputWatermark(0, 50);
    valve.inputWatermark(1, 40);
    valve.channelEnded(2);
    valve.channelEnded(1);
    valve.inputWatermark(1, 1000); // after its end: ignored
    expect(log).toEqual([40, 50]);
  });

  it('is idle when the open channels left are all idle', () => {
    const { valve, log } = valveWithLog(2);
    valve.inputWatermarkStatus(0, 'idle');
    valve.inputWatermark(1, 7);
    valve.channelEnded(1);
    expect(log).toEqual([7, 'idle']);
    expect(valve.currentStatus).toBe('idle');
  });
});
