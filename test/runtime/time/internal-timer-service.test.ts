import { describe, expect, it } from 'vitest';
import { StateAccessError } from '../../../src/core/errors.js';
import { InternalTimerServiceManager } from '../../../src/runtime/time/internal-timer-service-manager.js';
import { timerStateName } from '../../../src/runtime/time/timer-state.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../../src/runtime/time/watermark.js';
import { ValueStateDescriptor } from '../../../src/state/descriptors.js';
import { readKeyedSnapshotHeader } from '../../../src/state/keyed-snapshot/keyed-snapshot-reader.js';
import type { KeyedStateBackend } from '../../../src/state/keyed-state-backend.js';
import { VOID_NAMESPACE } from '../../../src/state/namespace.js';
import { FakeProcessingTimeService } from './fake-processing-time-service.js';
import { heapBackend, keyTimes, timerService } from './timer-fixtures.js';

const EVENT = timerStateName('user-timers', 'event-time');
const PROCESSING = timerStateName('user-timers', 'processing-time');

describe('InternalTimerService, event time', () => {
  it('fires the timers the watermark passes, in timestamp order, and keeps the later ones', () => {
    const { backend, service, fired } = timerService();
    for (const [key, time] of [['a', 30], ['b', 10], ['c', 20], ['a', 50]] as const) {
      backend.setCurrentKey(key);
      service.registerEventTimeTimer(VOID_NAMESPACE, time);
    }
    service.advanceWatermark(29);
    expect(keyTimes(fired)).toEqual([['b', 10], ['c', 20]]);
    expect(service.numEventTimeTimers).toBe(2);
    service.advanceWatermark(30); // timestamp ≤ watermark fires
    expect(keyTimes(fired).slice(2)).toEqual([['a', 30]]);
    expect(service.currentWatermark()).toBe(30);
  });

  it('fires timers of equal time in the order they were registered', () => {
    const { backend, service, fired } = timerService();
    for (const key of ['x', 'y', 'a', 'z', 'b']) {
      backend.setCurrentKey(key);
      service.registerEventTimeTimer(VOID_NAMESPACE, 7);
    }
    service.advanceWatermark(7);
    expect(fired.map((f) => f.key)).toEqual(['x', 'y', 'a', 'z', 'b']);
  });

  it('deduplicates a timer registered twice for the same key, namespace and time', () => {
    const { backend, service, fired } = timerService();
    backend.setCurrentKey('k');
    service.registerEventTimeTimer(VOID_NAMESPACE, 5);
    service.registerEventTimeTimer(VOID_NAMESPACE, 5);
    service.registerEventTimeTimer('window-1', 5); // another namespace is another timer
    backend.setCurrentKey('other');
    service.registerEventTimeTimer(VOID_NAMESPACE, 5); // another key too
    expect(service.numEventTimeTimers).toBe(3);
    service.advanceWatermark(MAX_WATERMARK);
    expect(fired.map((f) => [f.key, f.namespace, f.timestamp])).toEqual([
      ['k', VOID_NAMESPACE, 5],
      ['k', 'window-1', 5],
      ['other', VOID_NAMESPACE, 5],
    ]);
  });

  it('deletes a timer, ignores deleting one that is not there, and fires a timer registered again once', () => {
    const { backend, service, fired } = timerService();
    backend.setCurrentKey('k');
    service.registerEventTimeTimer(VOID_NAMESPACE, 1);
    service.registerEventTimeTimer(VOID_NAMESPACE, 2);
    service.deleteEventTimeTimer(VOID_NAMESPACE, 1);
    service.deleteEventTimeTimer(VOID_NAMESPACE, 99);
    service.deleteEventTimeTimer('no-such-namespace', 2);
    service.deleteProcessingTimeTimer(VOID_NAMESPACE, 2); // other domain
    service.registerEventTimeTimer(VOID_NAMESPACE, 3);
    service.deleteEventTimeTimer(VOID_NAMESPACE, 3);
    service.registerEventTimeTimer(VOID_NAMESPACE, 3);
    service.advanceWatermark(10);
    expect(keyTimes(fired)).toEqual([['k', 2], ['k', 3]]);
  });

  it('sets the timer key as current key while the callback runs, so keyed state is that key', () => {
    const backend = heapBackend();
    const count = backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
    const seen: Array<[unknown, number | undefined]> = [];
    const { service } = timerService(backend, undefined, (timer) => seen.push([timer.key, count.value()]));
    for (const [key, n] of [['a', 1], ['b', 2], [['tuple', 3], 3]] as const) {
      backend.setCurrentKey(key);
      count.update(n);
      service.registerEventTimeTimer(VOID_NAMESPACE, n * 10);
    }
    backend.setCurrentKey('a');
    service.advanceWatermark(100);
    expect(seen).toEqual([['a', 1], ['b', 2], [['tuple', 3], 3]]);
  });

  it('fires, in the same advance, timers registered while firing at the same or an earlier time, and keeps later ones', () => {
    let first = true;
    const { backend, service, fired } = timerService(heapBackend(), undefined, (timer, _domain, h) => {
      if (!first) return;
      first = false;
      expect(timer.timestamp).toBe(10);
      h.service.registerEventTimeTimer(VOID_NAMESPACE, 10); // the same time again: fires again now
      h.service.registerEventTimeTimer(VOID_NAMESPACE, 5); // earlier: fires now
      h.service.registerEventTimeTimer(VOID_NAMESPACE, 15); // before the next pending one: fires now, in order
      h.service.registerEventTimeTimer(VOID_NAMESPACE, 100); // beyond the watermark: waits
    });
    backend.setCurrentKey('k');
    service.registerEventTimeTimer(VOID_NAMESPACE, 10);
    service.registerEventTimeTimer(VOID_NAMESPACE, 20);
    service.advanceWatermark(50);
    expect(fired.map((f) => f.timestamp)).toEqual([10, 5, 10, 15, 20]);
    expect(service.timers('event-time').map((t) => t.timestamp)).toEqual([100]);
  });

  it('does not fire timers of an older watermark again and ignores a watermark that goes back', () => {
    const { backend, service, fired } = timerService();
    backend.setCurrentKey('k');
    service.registerEventTimeTimer(VOID_NAMESPACE, 10);
    service.advanceWatermark(20);
    service.advanceWatermark(5);
    expect(service.currentWatermark()).toBe(20);
    service.registerEventTimeTimer(VOID_NAMESPACE, 15); // already late: fires at the next watermark
    expect(fired).toHaveLength(1);
    service.advanceWatermark(21);
    expect(keyTimes(fired)).toEqual([['k', 10], ['k', 15]]);
  });

  it('starts at the minimum watermark and fires every timer at the maximum one', () => {
    const { backend, service, fired } = timerService();
    expect(service.currentWatermark()).toBe(MIN_WATERMARK);
    backend.setCurrentKey('k');
    service.registerEventTimeTimer(VOID_NAMESPACE, Number.MAX_SAFE_INTEGER);
    service.registerEventTimeTimer(VOID_NAMESPACE, -5);
    service.advanceWatermark(MAX_WATERMARK);
    expect(keyTimes(fired)).toEqual([['k', -5], ['k', Number.MAX_SAFE_INTEGER]]);
  });

  it('removes a fired timer from the keyed state', async () => {
    const { backend, service } = timerService();
    backend.setCurrentKey('a');
    service.registerEventTimeTimer(VOID_NAMESPACE, 1);
    service.registerEventTimeTimer(VOID_NAMESPACE, 2);
    expect([...backend.getKeysAndNamespaces(EVENT)]).toEqual([['a', VOID_NAMESPACE]]);
    service.advanceWatermark(1);
    const restored = heapBackend();
    restored.restore([await backend.snapshot(1).run()]);
    expect(timerService(restored).service.timers('event-time').map((t) => t.timestamp)).toEqual([2]);
    service.advanceWatermark(2);
    expect([...backend.getKeysAndNamespaces(EVENT)]).toEqual([]);
  });
});

describe('InternalTimerService, processing time', () => {
  it('keeps one scheduled callback, for the earliest timer, as timers come and go', () => {
    const time = new FakeProcessingTimeService(0);
    const { backend, service, fired } = timerService(heapBackend(), time);
    backend.setCurrentKey('k');
    service.registerProcessingTimeTimer(VOID_NAMESPACE, 100);
    expect(time.scheduledTimes()).toEqual([100]);
    service.registerProcessingTimeTimer(VOID_NAMESPACE, 200); // later: no new callback
    expect(time.scheduledTimes()).toEqual([100]);
    service.registerProcessingTimeTimer(VOID_NAMESPACE, 50); // earlier: re-scheduled
    expect(time.scheduledTimes()).toEqual([50]);
    service.deleteProcessingTimeTimer(VOID_NAMESPACE, 50); // the earliest goes: the next one
    expect(time.scheduledTimes()).toEqual([100]);
    time.advanceTo(150);
    expect(keyTimes(fired)).toEqual([['k', 100]]);
    expect(time.scheduledTimes()).toEqual([200]);
    service.deleteProcessingTimeTimer(VOID_NAMESPACE, 200);
    expect(time.scheduledTimes()).toEqual([]);
    expect(time.registered).toEqual([100, 50, 100, 200]);
  });

  it('fires due timers in order with their key set, and those registered while firing when due', () => {
    const time = new FakeProcessingTimeService(0);
    const { backend, service, fired } = timerService(heapBackend(), time, (timer, _domain, h) => {
      if (timer.timestamp === 10) {
        h.service.registerProcessingTimeTimer(VOID_NAMESPACE, 12); // due at 30: same round
        h.service.registerProcessingTimeTimer(VOID_NAMESPACE, 40); // not due
      }
    });
    for (const [key, t] of [['b', 20], ['a', 10], ['c', 30]] as const) {
      backend.setCurrentKey(key);
      service.registerProcessingTimeTimer(VOID_NAMESPACE, t);
    }
    time.advanceTo(30);
    expect(fired.map((f) => [f.key, f.timestamp, f.currentKey, f.domain])).toEqual([
      ['a', 10, 'a', 'processing-time'],
      ['a', 12, 'a', 'processing-time'],
      ['b', 20, 'b', 'processing-time'],
      ['c', 30, 'c', 'processing-time'],
    ]);
    expect(time.scheduledTimes()).toEqual([40]);
  });

  it('keeps event-time and processing-time timers apart', () => {
    const time = new FakeProcessingTimeService(0);
    const { backend, service, fired } = timerService(heapBackend(), time);
    backend.setCurrentKey('k');
    service.registerEventTimeTimer(VOID_NAMESPACE, 5);
    service.registerProcessingTimeTimer(VOID_NAMESPACE, 5);
    service.advanceWatermark(5);
    expect(fired.map((f) => f.domain)).toEqual(['event-time']);
    time.advanceTo(5);
    expect(fired.map((f) => f.domain)).toEqual(['event-time', 'processing-time']);
  });

  it('fires no timer after close, and leaves the timers in the state', () => {
    const time = new FakeProcessingTimeService(0);
    const { backend, service, fired } = timerService(heapBackend(), time);
    backend.setCurrentKey('k');
    service.registerProcessingTimeTimer(VOID_NAMESPACE, 5);
    service.close();
    time.advanceTo(10);
    expect(fired).toEqual([]);
    expect([...backend.getKeysAndNamespaces(PROCESSING)]).toEqual([['k', VOID_NAMESPACE]]);
  });
});

describe('InternalTimerService, snapshots and restore', () => {
  it('restores both domains and namespaces, and fires overdue processing-time timers at once', async () => {
    const before = timerService(heapBackend(), new FakeProcessingTimeService(0));
    before.backend.setCurrentKey('a');
    before.service.registerEventTimeTimer(VOID_NAMESPACE, 10);
    before.service.registerEventTimeTimer([0, 100], 100);
    before.service.registerProcessingTimeTimer(VOID_NAMESPACE, 1_000);
    before.backend.setCurrentKey('b');
    before.service.registerProcessingTimeTimer(VOID_NAMESPACE, 5_000);
    before.service.registerProcessingTimeTimer(VOID_NAMESPACE, 9_000);
    const snapshot = await before.backend.snapshot(1).run();

    const backend = heapBackend();
    backend.restore([snapshot]);
    const time = new FakeProcessingTimeService(6_000); // the job was down a while
    const after = timerService(backend, time);
    expect(after.service.numEventTimeTimers).toBe(2);
    expect(after.service.numProcessingTimeTimers).toBe(3);
    expect(time.scheduledTimes()).toEqual([1_000]); // overdue: runs as the next mail
    time.runDue();
    expect(after.fired.map((f) => [f.key, f.timestamp, f.currentKey])).toEqual([
      ['a', 1_000, 'a'],
      ['b', 5_000, 'b'],
    ]);
    expect(time.scheduledTimes()).toEqual([9_000]);
    after.service.advanceWatermark(MAX_WATERMARK);
    expect(after.fired.slice(2).map((f) => [f.key, f.namespace, f.timestamp])).toEqual([
      ['a', VOID_NAMESPACE, 10],
      ['a', [0, 100], 100],
    ]);
  });

  it('keeps a snapshot as it was when timers fire after it was taken', async () => {
    const { backend, service } = timerService();
    backend.setCurrentKey('a');
    service.registerEventTimeTimer(VOID_NAMESPACE, 1);
    const runner = backend.snapshot(1);
    service.advanceWatermark(1);
    const snapshot = await runner.run();
    const restored = heapBackend();
    restored.restore([snapshot]);
    expect(timerService(restored).service.numEventTimeTimers).toBe(1);
  });

  it('adds no state to the backend until a timer is registered', async () => {
    const { backend, service } = timerService();
    backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
    service.advanceWatermark(10);
    expect(backend.hasState(EVENT) || backend.hasState(PROCESSING)).toBe(false);
    let header = readKeyedSnapshotHeader(await fullBytes(backend, 1));
    expect(header.states.map((s) => s.name)).toEqual(['count']);
    backend.setCurrentKey('a');
    service.registerProcessingTimeTimer(VOID_NAMESPACE, 10);
    header = readKeyedSnapshotHeader(await fullBytes(backend, 2));
    expect(header.states.map((s) => [s.name, s.kind])).toEqual([
      ['count', 'value'],
      [PROCESSING, 'map'],
    ]);
    expect(PROCESSING).toBe('_eddy/timers/user-timers/processing-time');
  });
});

describe('InternalTimerService, misuse', () => {
  it('needs a current key and a time that is a number', () => {
    const { backend, service } = timerService();
    expect(() => service.registerEventTimeTimer(VOID_NAMESPACE, 1)).toThrow(
      new StateAccessError(
        "operator 'timers' (subtask 1/1): cannot register a timer with no current key; timers can only be set while a keyed function processes a record or timer",
      ),
    );
    backend.setCurrentKey('k');
    expect(() => service.registerProcessingTimeTimer(VOID_NAMESPACE, Number.NaN)).toThrow(
      /cannot register a timer at NaN: a timer's time must be a number of milliseconds/,
    );
    expect(() => service.deleteEventTimeTimer(VOID_NAMESPACE, '5' as unknown as number)).toThrow(StateAccessError);
  });
});

describe('InternalTimerServiceManager', () => {
  it('advances every service and gives a new service the current watermark', () => {
    const backend = heapBackend();
    const manager = new InternalTimerServiceManager({ backend, processingTimeService: new FakeProcessingTimeService() });
    const fired: string[] = [];
    const triggerable = (name: string) => ({
      onEventTime: (t: { timestamp: number }) => fired.push(`${name}@${t.timestamp}`),
      onProcessingTime: () => {},
    });
    const first = manager.getInternalTimerService('first', triggerable('first'));
    backend.setCurrentKey('k');
    first.registerEventTimeTimer(VOID_NAMESPACE, 1);
    const second = manager.getInternalTimerService('second', triggerable('second'));
    second.registerEventTimeTimer(VOID_NAMESPACE, 1);
    manager.advanceWatermark(3);
    expect(fired).toEqual(['first@1', 'second@1']);
    const third = manager.getInternalTimerService('third', triggerable('third'));
    expect(third.currentWatermark()).toBe(3);
    expect(manager.currentWatermark()).toBe(3);
    expect(manager.getInternalTimerService('first', first.triggerable)).toBe(first);
    expect(() => manager.getInternalTimerService('first', triggerable('again'))).toThrow(/already in use/);
  });
});

/** The bytes of a full snapshot of `backend`. */
async function fullBytes(backend: KeyedStateBackend, checkpointId: number): Promise<Uint8Array> {
  const snapshot = await backend.snapshot(checkpointId).run();
  if (snapshot.type !== 'full') throw new Error(`expected a full snapshot, got ${snapshot.type}`);
  return snapshot.bytes;
}
