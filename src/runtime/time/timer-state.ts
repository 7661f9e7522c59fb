/**
 * Where the timers of one time domain of one timer service live: an internal keyed map
 * state of the operator's keyed state backend, whose key is the timer's key, namespace
 * the timer's namespace, and map keys the timestamps. Being ordinary keyed state, the
 * timers are in every keyed snapshot (checkpoints and savepoints), partitioned by key
 * group, and go to the subtask that owns their key group when a job is rescaled.
 */
import type { Key } from '../../core/key-encoding.js';
import { MapStateDescriptor } from '../../state/descriptors.js';
import { INTERNAL_STATE_PREFIX } from '../../state/internal-state-names.js';
import type { InternalMapState } from '../../state/internal-kv-state.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import type { Namespace } from '../../state/namespace.js';

/** The two time domains of timers. */
export type TimeDomain = 'event-time' | 'processing-time';

/** The name of the internal state that holds the `domain` timers of timer service `service`. */
export function timerStateName(service: string, domain: TimeDomain): string {
  return `${INTERNAL_STATE_PREFIX}timers/${service}/${domain}`;
}

/** The timers of one domain of one timer service, in the keyed state backend. */
export class TimerState<K extends Key, N extends Namespace> {
  readonly name: string;
  private readonly backend: KeyedStateBackend;
  /** Requested on first use, so an operator that never sets a timer has no timer state. */
  private state: InternalMapState<number, null> | undefined;

  constructor(backend: KeyedStateBackend, service: string, domain: TimeDomain) {
    this.backend = backend;
    this.name = timerStateName(service, domain);
  }

  /** Whether the backend holds (or restored) this state. */
  exists(): boolean {
    return this.state !== undefined || this.backend.hasState(this.name);
  }

  /** Stores the timer (namespace, timestamp) of the current key. */
  add(namespace: N, timestamp: number): void {
    const state = this.open();
    state.setCurrentNamespace(namespace);
    state.put(timestamp, null);
  }

  /** Removes the timer (namespace, timestamp) of the current key. */
  remove(namespace: N, timestamp: number): void {
    const state = this.state;
    if (state === undefined) return;
    state.setCurrentNamespace(namespace);
    state.remove(timestamp);
  }

  /**
   * Every stored timer, read key by key: sets each key as the backend's current key on
   * the way. Used once, to rebuild the timer queue after a restore.
   */
  *all(): Generator<{ key: K; namespace: N; timestamp: number }> {
    if (!this.exists()) return;
    const state = this.open();
    for (const [key, namespace] of this.backend.getKeysAndNamespaces(this.name)) {
      this.backend.setCurrentKey(key);
      state.setCurrentNamespace(namespace);
      for (const timestamp of state.keys()) {
        yield { key: key as K, namespace: namespace as N, timestamp };
      }
    }
  }

  private open(): InternalMapState<number, null> {
    this.state ??= this.backend.getPartitionedState(new MapStateDescriptor<number, null>(this.name));
    return this.state;
  }
}
