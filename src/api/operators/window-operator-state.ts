/**
 * Keyed state handed to user code of the window operator. A state object of the backend
 * has one current namespace, shared by everyone who holds it, and the window operator
 * switches namespaces all the time (window contents, trigger state, per-window state).
 * So state handed to user code is a view bound to one namespace: every call sets that
 * namespace on the shared object first and puts the previous one back after, and a
 * function that keeps a state from `open()` or from `windowState()` always reaches the
 * namespace it was given for.
 */
import type { StateDescriptor, ValueStateDescriptor } from '../../state/descriptors.js';
import type { InternalKvState } from '../../state/internal-kv-state.js';
import { checkUserStateName } from '../../state/internal-state-names.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import { VOID_NAMESPACE, type Namespace } from '../../state/namespace.js';
import type { KeyedStateStore } from '../process-window-function.js';

/** A view of `state` whose every method runs in `namespace`. */
export function namespacedState<S extends InternalKvState>(state: S, namespace: Namespace): S {
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(state, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      let bound = methods.get(property);
      if (bound === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        bound = (...args: unknown[]): unknown => {
          const saved = target.getCurrentNamespace();
          target.setCurrentNamespace(namespace);
          try {
            return method.apply(target, args);
          } finally {
            target.setCurrentNamespace(saved);
          }
        };
        methods.set(property, bound);
      }
      return bound;
    },
  });
}

/** A {@link KeyedStateStore} over `backend` whose states are bound to `namespace`. */
export function namespacedStateStore(backend: KeyedStateBackend, namespace: Namespace, where: string): KeyedStateStore {
  const get = <S>(descriptor: StateDescriptor<unknown>): S => {
    checkUserStateName(descriptor.name, where);
    return namespacedState(backend.getPartitionedState(descriptor as ValueStateDescriptor<unknown>), namespace) as S;
  };
  return {
    getState: (descriptor) => get(descriptor),
    getListState: (descriptor) => get(descriptor),
    getMapState: (descriptor) => get(descriptor),
    getReducingState: (descriptor) => get(descriptor),
    getAggregatingState: (descriptor) => get(descriptor),
  };
}

/**
 * `backend` as the window function's `RuntimeContext` sees it: its states are bound to
 * the default namespace, whatever namespace the operator last set on them.
 */
export function defaultNamespaceBackend(backend: KeyedStateBackend): KeyedStateBackend {
  const getPartitionedState = (descriptor: ValueStateDescriptor<unknown>) =>
    namespacedState(backend.getPartitionedState(descriptor), VOID_NAMESPACE);
  return new Proxy(backend, {
    get(target, property) {
      if (property === 'getPartitionedState') return getPartitionedState;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
