/**
 * What the runtime (windows, timers, merging windows) sees of a keyed state object beyond
 * the user's interface: the namespace switch and the merge hook. User functions never
 * see these; they get the plain {@link ValueState}, {@link ListState}… interfaces.
 */
import type { StateKind } from './descriptors.js';
import type { Namespace } from './namespace.js';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from './state.js';

/** The runtime's view of any keyed state object. */
export interface InternalKvState {
  /** The descriptor name of this state. */
  readonly name: string;
  /** Which of the five kinds this state is. */
  readonly kind: StateKind;
  /**
   * Scopes every later access of this state object to `namespace` (for the current key,
   * whatever it is). The default is {@link VOID_NAMESPACE}; accessing it is the fast path.
   */
  setCurrentNamespace(namespace: Namespace): void;
  /** The namespace set by {@link InternalKvState.setCurrentNamespace}. */
  getCurrentNamespace(): Namespace;
}

/**
 * A state whose values in several namespaces can be folded into one, as merging (session)
 * windows need: list, reducing and aggregating state.
 */
export interface InternalMergingState extends InternalKvState {
  /**
   * For the current key, folds the values of `sources` into `target` and clears the
   * sources. Lists are concatenated in the order given; reducing state reduces;
   * aggregating state merges accumulators with `AggregateFunction.merge`. The current
   * namespace is left unchanged.
   */
  mergeNamespaces(target: Namespace, sources: Iterable<Namespace>): void;
}

/** A {@link ValueState} as the backend hands it out. */
export type InternalValueState<T> = ValueState<T> & InternalKvState;
/** A {@link ListState} as the backend hands it out. */
export type InternalListState<T> = ListState<T> & InternalMergingState;
/** A {@link MapState} as the backend hands it out. */
export type InternalMapState<UK, UV> = MapState<UK, UV> & InternalKvState;
/** A {@link ReducingState} as the backend hands it out. */
export type InternalReducingState<T> = ReducingState<T> & InternalMergingState;
/** An {@link AggregatingState} as the backend hands it out. */
export type InternalAggregatingState<IN, OUT> = AggregatingState<IN, OUT> & InternalMergingState;
