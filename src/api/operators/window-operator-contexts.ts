/**
 * The contexts the window operator gives to triggers ({@link OnMergeContext}), to window
 * functions ({@link ProcessWindowContext}) and to evictors ({@link EvictorContext}). Each
 * is one reusable object per operator instance, pointed at the window of the call; the
 * current key is the backend's.
 */
import { StateAccessError } from '../../core/errors.js';
import type { Key } from '../../core/key-encoding.js';
import type { InternalTimerService } from '../../runtime/time/internal-timer-service.js';
import type { StateDescriptor, ValueStateDescriptor } from '../../state/descriptors.js';
import type { InternalMergingState } from '../../state/internal-kv-state.js';
import { checkUserStateName } from '../../state/internal-state-names.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import { VOID_NAMESPACE } from '../../state/namespace.js';
import type { OutputTag } from '../output-tag.js';
import type { KeyedStateStore, ProcessWindowContext } from '../process-window-function.js';
import type { EvictorContext } from '../windowing/evictors/evictor.js';
import type { OnMergeContext } from '../windowing/triggers/trigger.js';
import type { Window } from '../windowing/windows/window.js';
import { namespacedStateStore } from './window-operator-state.js';

/** What the contexts need from their operator. */
export interface WindowContextHost {
  readonly backend: KeyedStateBackend;
  readonly timers: InternalTimerService<Key, Key>;
  /** `operator 'x' (subtask 1/2)`, for error messages. */
  readonly owner: string;
  /** Emits `record` to the side output `tag` with `timestamp`. */
  emitSide(tag: OutputTag<unknown>, record: unknown, timestamp: number | undefined): void;
}

/**
 * The {@link OnMergeContext} of the window operator (Flink's `WindowOperator.Context`):
 * timers of the current key and {@link WindowTriggerContext.window}, and trigger state
 * in that window's namespace.
 */
export class WindowTriggerContext<W extends Window> implements OnMergeContext {
  private current: W | undefined;
  private namespace: Key = [];
  /** The windows merged into the current one, during `onMerge`. */
  private mergedNamespaces: readonly Key[] = [];

  constructor(private readonly host: WindowContextHost) {}

  /** Points the context at `window` (and, for `onMerge`, the windows merged into it). */
  at(window: W, merged: readonly W[] = []): this {
    this.current = window;
    this.namespace = window.namespace();
    this.mergedNamespaces = merged.map((w) => w.namespace());
    return this;
  }

  /** The window the context is about. */
  get window(): W {
    return this.current!;
  }

  getCurrentProcessingTime(): number {
    return this.host.timers.currentProcessingTime();
  }

  getCurrentWatermark(): number {
    return this.host.timers.currentWatermark();
  }

  registerProcessingTimeTimer(time: number): void {
    this.host.timers.registerProcessingTimeTimer(this.namespace, time);
  }

  registerEventTimeTimer(time: number): void {
    this.host.timers.registerEventTimeTimer(this.namespace, time);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.host.timers.deleteProcessingTimeTimer(this.namespace, time);
  }

  deleteEventTimeTimer(time: number): void {
    this.host.timers.deleteEventTimeTimer(this.namespace, time);
  }

  // The overloads of TriggerContext give the types; the state kinds share one implementation.
  getPartitionedState<S>(descriptor: StateDescriptor<unknown>): S;
  getPartitionedState(descriptor: StateDescriptor<unknown>): unknown {
    checkUserStateName(descriptor.name, `${this.host.owner}: trigger state: `);
    const state = this.host.backend.getPartitionedState(descriptor as ValueStateDescriptor<unknown>);
    state.setCurrentNamespace(this.namespace);
    return state;
  }

  mergePartitionedState(descriptor: StateDescriptor<unknown>): void {
    if (descriptor.kind !== 'list' && descriptor.kind !== 'reducing' && descriptor.kind !== 'aggregating') {
      throw new StateAccessError(
        `${this.host.owner}: trigger state '${descriptor.name}' is ${descriptor.kind} state, which cannot be merged; mergePartitionedState takes list, reducing or aggregating state`,
      );
    }
    if (this.mergedNamespaces.length === 0) return;
    checkUserStateName(descriptor.name, `${this.host.owner}: trigger state: `);
    const state = this.host.backend.getPartitionedState(descriptor as ValueStateDescriptor<unknown>) as unknown as InternalMergingState;
    state.mergeNamespaces(this.namespace, this.mergedNamespaces);
  }
}

/** The {@link ProcessWindowContext} of the window operator, and the {@link EvictorContext}. */
export class WindowProcessContext<W extends Window> implements ProcessWindowContext<W>, EvictorContext {
  private current: W | undefined;
  private readonly global: KeyedStateStore;

  constructor(
    private readonly host: WindowContextHost,
    /** Per-window state is refused for merging windows, as in Flink: it could not follow a merge. */
    private readonly merging: boolean,
  ) {
    this.global = namespacedStateStore(host.backend, VOID_NAMESPACE, `${host.owner}: `);
  }

  /** Points the context at `window`. */
  at(window: W): this {
    this.current = window;
    return this;
  }

  window(): W {
    return this.current!;
  }

  currentProcessingTime(): number {
    return this.host.timers.currentProcessingTime();
  }

  currentWatermark(): number {
    return this.host.timers.currentWatermark();
  }

  getCurrentProcessingTime(): number {
    return this.currentProcessingTime();
  }

  getCurrentWatermark(): number {
    return this.currentWatermark();
  }

  windowState(): KeyedStateStore {
    if (this.merging) {
      throw new StateAccessError(
        `${this.host.owner}: per-window state (windowState()) is not available with merging windows (session windows): it could not follow the windows as they merge; use globalState() or the window's elements`,
      );
    }
    return namespacedStateStore(this.host.backend, this.window().namespace(), `${this.host.owner}: `);
  }

  globalState(): KeyedStateStore {
    return this.global;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.host.emitSide(tag as OutputTag<unknown>, value, this.window().maxTimestamp());
  }
}
