/**
 * What the timer service tests share: heap backends at maxParallelism 128, a timer
 * service whose triggerable records every firing, and keys of known key groups.
 */
import { assignToKeyGroup } from '../../../src/core/key-groups.js';
import type { Key } from '../../../src/core/key-encoding.js';
import { KeyGroupRange } from '../../../src/core/key-group-range.js';
import { InternalTimerService, type InternalTimer } from '../../../src/runtime/time/internal-timer-service.js';
import type { TimeDomain } from '../../../src/runtime/time/timer-state.js';
import { createHeapKeyedStateBackend } from '../../../src/state/heap/heap-keyed-state-backend.js';
import type { KeyedStateBackend } from '../../../src/state/keyed-state-backend.js';
import type { Namespace } from '../../../src/state/namespace.js';
import { FakeProcessingTimeService } from './fake-processing-time-service.js';

/** The maxParallelism of the tests. */
export const MAX_P = 128;

/** One timer firing, as the triggerable saw it. */
export interface Fired {
  readonly domain: TimeDomain;
  readonly key: Key;
  readonly namespace: Namespace;
  readonly timestamp: number;
  /** The backend's current key during the call. */
  readonly currentKey: Key | undefined;
}

/** A heap backend for `range`. */
export function heapBackend(range: KeyGroupRange = KeyGroupRange.of(0, MAX_P - 1)): KeyedStateBackend {
  return createHeapKeyedStateBackend({ maxParallelism: MAX_P, keyGroupRange: range, owner: "operator 'timers' (subtask 1/1)" });
}

/** A timer service under test with what it fired. */
export interface ServiceHarness {
  readonly backend: KeyedStateBackend;
  readonly time: FakeProcessingTimeService;
  readonly service: InternalTimerService<Key, Namespace>;
  readonly fired: Fired[];
}

/**
 * Creates a timer service named `user-timers` on `backend`; `onFire` runs inside each
 * firing (after it was recorded), e.g. to register more timers.
 */
export function timerService(
  backend: KeyedStateBackend = heapBackend(),
  time: FakeProcessingTimeService = new FakeProcessingTimeService(),
  onFire?: (timer: InternalTimer<Key, Namespace>, domain: TimeDomain, harness: ServiceHarness) => void,
): ServiceHarness {
  const fired: Fired[] = [];
  const record = (timer: InternalTimer<Key, Namespace>, domain: TimeDomain): void => {
    fired.push({ domain, ...timer, currentKey: backend.getCurrentKey() });
    onFire?.(timer, domain, harness);
  };
  const service: InternalTimerService<Key, Namespace> = new InternalTimerService<Key, Namespace>({
    name: 'user-timers',
    backend,
    processingTimeService: time,
    triggerable: {
      onEventTime: (timer) => record(timer, 'event-time'),
      onProcessingTime: (timer) => record(timer, 'processing-time'),
    },
    owner: "operator 'timers' (subtask 1/1)",
  });
  const harness: ServiceHarness = { backend, time, service, fired };
  return harness;
}

/** `[key, timestamp]` of each firing, in order. */
export function keyTimes(fired: readonly Fired[]): Array<[Key, number]> {
  return fired.map((f) => [f.key, f.timestamp]);
}

/** The key group of `key` at {@link MAX_P}. */
export function keyGroupOf(key: Key): number {
  return assignToKeyGroup(key, MAX_P);
}
