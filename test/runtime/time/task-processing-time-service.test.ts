/**
 * A task's processing time service runs callbacks as task mail once the clock reaches
 * their time, in time order; a ManualClock drives it without any real waiting.
 */
import { describe, expect, it } from 'vitest';
import { SYSTEM_CLOCK } from '../../../src/runtime/time/processing-time-service.js';
import { TaskProcessingTimeService } from '../../../src/runtime/time/task-processing-time-service.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';

/** A service whose mail is kept in a list, run by `runMail()` as a task would between records. */
function serviceWith(clock: ManualClock | typeof SYSTEM_CLOCK) {
  const mail: (() => void | Promise<void>)[] = [];
  const service = new TaskProcessingTimeService(clock, (action) => mail.push(action));
  const runMail = async () => {
    while (mail.length > 0) await mail.shift()!();
  };
  return { service, mail, runMail };
}

describe('TaskProcessingTimeService', () => {
  it('runs callbacks as mail once a ManualClock reaches their time, ordered by time then registration', async () => {
    const clock = new ManualClock(1000);
    const { service, mail, runMail } = serviceWith(clock);
    const fired: string[] = [];
    service.registerTimer(1300, (t) => void fired.push(`c@${t}`));
    service.registerTimer(1100, (t) => void fired.push(`a@${t}`));
    service.registerTimer(1200, (t) => void fired.push(`b1@${t}`));
    service.registerTimer(1200, (t) => void fired.push(`b2@${t}`));
    expect(mail).toHaveLength(0);
    clock.advance(99);
    expect(mail).toHaveLength(0);
    clock.advance(1);
    await runMail();
    expect(fired).toEqual(['a@1100']);
    clock.set(5000);
    expect(fired).toEqual(['a@1100']); // posted, not run: callbacks run only as mail
    await runMail();
    expect(fired).toEqual(['a@1100', 'b1@1200', 'b2@1200', 'c@1300']);
    expect(service.getCurrentProcessingTime()).toBe(5000);
  });

  it('posts a callback whose time has passed at once', async () => {
    const clock = new ManualClock(500);
    const { service, mail, runMail } = serviceWith(clock);
    const fired: number[] = [];
    service.registerTimer(100, (t) => void fired.push(t));
    service.registerTimer(500, (t) => void fired.push(t));
    expect(mail).toHaveLength(2);
    await runMail();
    expect(fired).toEqual([100, 500]);
  });

  it('does not run canceled callbacks, also when they were already posted', async () => {
    const clock = new ManualClock(0);
    const { service, runMail } = serviceWith(clock);
    const fired: number[] = [];
    const early = service.registerTimer(10, (t) => void fired.push(t));
    service.registerTimer(20, (t) => void fired.push(t));
    const posted = service.registerTimer(20, () => void fired.push(-1));
    early.cancel();
    clock.advance(20);
    posted.cancel(); // after it was posted as mail, before it ran
    await runMail();
    expect(fired).toEqual([20]);
    expect(service.pendingCallbacks).toBe(0);
  });

  it('drops everything once quiesced: pending and posted callbacks, and later registrations', async () => {
    const clock = new ManualClock(0);
    const { service, mail, runMail } = serviceWith(clock);
    const fired: number[] = [];
    service.registerTimer(0, (t) => void fired.push(t)); // posted
    service.registerTimer(50, (t) => void fired.push(t)); // pending
    service.quiesce();
    service.registerTimer(0, (t) => void fired.push(t));
    clock.advance(100);
    await runMail();
    expect(fired).toEqual([]);
    expect(mail).toHaveLength(0);
  });

  it('with the system clock, wakes itself with a timer (polled, no timed assertion)', async () => {
    const { service, mail, runMail } = serviceWith(SYSTEM_CLOCK);
    const fired: number[] = [];
    const at = Date.now() + 20;
    service.registerTimer(at + 1_000_000, () => void fired.push(-1)); // far away: never due here
    service.registerTimer(at, (t) => void fired.push(t));
    const deadline = Date.now() + 10_000;
    while (mail.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await runMail();
    expect(fired).toEqual([at]);
    expect(Date.now()).toBeGreaterThanOrEqual(at);
    service.quiesce();
  });

  it('compacts many canceled callbacks and keeps the rest in order', async () => {
    const clock = new ManualClock(0);
    const { service, runMail } = serviceWith(clock);
    const fired: number[] = [];
    const handles = Array.from({ length: 5000 }, (_, i) => service.registerTimer(10 + (i % 100), (t) => void fired.push(t)));
    handles.forEach((h, i) => {
      if (i % 10 !== 0) h.cancel();
    });
    expect(service.pendingCallbacks).toBe(500);
    clock.advance(1000);
    await runMail();
    expect(fired).toHaveLength(500);
    expect(fired).toEqual([...fired].sort((a, b) => a - b));
  });
});

describe('ManualClock', () => {
  it('never goes back and tells subscribers of every change', () => {
    const clock = new ManualClock(10);
    let heard = 0;
    const unsubscribe = clock.subscribe(() => heard++);
    clock.advance(5);
    clock.set(15);
    expect(() => clock.set(14)).toThrow(/cannot go back/);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    unsubscribe();
    clock.advance(1);
    expect(heard).toBe(2);
    expect(clock.now()).toBe(16);
  });
});
